"""One saved run as the history lists it: its file, and a summary rich enough for a table.

The summary (time, name, model, N, seeding, causes switched on, verdict, a small thumbnail) is
what the history index stores, so listing a thousand runs never reads a thousand result files.
The full result is read from its file only when the run is opened or compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ImageError
from vggcompare.core.input.images import decode_png, encode_png, to_thumbnail
from vggcompare.core.storage.result_file import load_result

THUMBNAIL_SIDE = 48  # pixels, the longer side of a history thumbnail

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


@dataclass(eq=False)
class HistoryEntry:
    """One saved run: its file, its summary, and the full result, read from disk only when needed."""

    path: Path
    created: str  # ISO time the run finished
    name: str
    model: str  # "VGG19 ImageNet", "VGG19 random weights" or the model file's name
    passes: int
    seeding: str  # "off", "once (seed 42)" or "every pass (seed 42)"
    causes: tuple[str, ...]  # the sources of variation switched on, in words
    verdict: str
    image_name: str = ""  # the image file's name; empty for a pasted image
    thumbnail: bytes = b""  # a small PNG of the first input the model saw; empty when the run has none
    _result: RunResult | None = field(default=None, repr=False)

    @classmethod
    def from_result(cls, path: Path, result: RunResult, keep: bool = True) -> "HistoryEntry":
        """Summarise a run saved at ``path``; keep the full result in memory only if ``keep``."""
        config = result.config
        return cls(
            path=Path(path),
            created=result.created,
            name=result.name or config.summary(),
            model=model_words(config),
            passes=result.passes,
            seeding=seeding_words(config),
            causes=tuple(config.causes()),
            verdict=result.verdict,
            image_name=image_name(result),
            thumbnail=small_thumbnail(result),
            _result=result if keep else None,
        )

    @property
    def result(self) -> RunResult:
        """The full result (loaded again from its file if it was not kept)."""
        if self._result is None:
            self._result = load_result(self.path)
        return self._result

    def read(self) -> RunResult:
        """The full result without keeping it: the one in memory, or a new copy read from the file.

        Safe on a worker thread while the GUI thread renames the entry (which saves its own copy).
        """
        return self._result if self._result is not None else load_result(self.path)

    @property
    def headline(self) -> str:
        """The verdict's first sentence."""
        return _SENTENCE_END.split(self.verdict.strip(), maxsplit=1)[0]

    @property
    def time_text(self) -> str:
        """The time the run finished, as 'YYYY-MM-DD HH:MM:SS'."""
        return self.created[:19].replace("T", " ")

    def summary(self) -> str:
        """A one-line description for lists."""
        return f"{self.time_text} · {self.name}"


def model_words(config: ExperimentConfig) -> str:
    """The model in a few words: a built-in model's name and weights ("ResNet50 ImageNet"), or the user's file name."""
    from vggcompare.core.catalog import display_name

    return display_name(config.model)


def seeding_words(config: ExperimentConfig) -> str:
    """How the run was seeded, in a few words."""
    if config.seeding == "off":
        return "off"
    return f"{'once' if config.seeding == 'once' else 'every pass'} (seed {config.seed})"


def image_name(result: RunResult) -> str:
    """The name of the image file the run used; empty for a pasted image."""
    source = str(result.image.source or result.config.image or "")
    return "" if source.startswith("<") else source.replace("\\", "/").rsplit("/", 1)[-1]


def small_thumbnail(result: RunResult, side: int = THUMBNAIL_SIDE) -> bytes:
    """A PNG of the run's first thumbnail, its longer side ``side`` pixels; b"" if there is none."""
    if not result.thumbnails:
        return b""
    try:
        return encode_png(to_thumbnail(decode_png(result.thumbnails[0].png), max_side=side))
    except (ImageError, ConfigError):
        return b""
