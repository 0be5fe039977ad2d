"""Access to the bundled data files (labels, sample images)."""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

SAMPLE_NAMES = ("cat", "coffee", "rocket", "astronaut")


def resource_path(name: str) -> Path:
    """Return the filesystem path of a bundled resource file such as ``imagenet_labels.json``."""
    return Path(str(resources.files("vggcompare.resources").joinpath(name)))


def sample_path(name: str) -> Path:
    """Return the path of a bundled sample photo by short name (``cat``, ``coffee``, ...)."""
    folder = resources.files("vggcompare.resources.samples")
    for entry in folder.iterdir():
        if entry.name.rsplit(".", 1)[0] == name:
            return Path(str(entry))
    raise KeyError(f"no bundled sample called {name!r}; choose one of {', '.join(SAMPLE_NAMES)}")


def sample_paths() -> dict[str, Path]:
    """Return every bundled sample photo, by short name, in a stable order."""
    return {name: sample_path(name) for name in SAMPLE_NAMES}


def is_bundled_sample(path: str) -> bool:
    """True for one of the bundled sample photos (not worth a place in a window's recent files)."""
    return os.path.dirname(os.path.abspath(path)) == str(sample_path("cat").parent)


def sweep_samples_folder() -> Path:
    """Return the folder of the bundled photos for sweeps (public-domain and CC0; see resources/CREDITS.md)."""
    return Path(str(resources.files("vggcompare.resources.sweep")))


@lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    """Return the 1000 ImageNet class names in Keras' index order (0 = tench)."""
    data = json.loads(resource_path("imagenet_labels.json").read_text(encoding="utf-8"))
    names = tuple(entry["name"] for entry in sorted(data["classes"], key=lambda e: e["index"]))
    if len(names) != 1000:  # pragma: no cover - guards the shipped file
        raise RuntimeError("the bundled ImageNet labels file is damaged")
    return names


def user_data_dir() -> Path:
    """The program's data folder: $VGGCOMPARE_DATA_DIR, else platformdirs' user data folder."""
    override = os.environ.get("VGGCOMPARE_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith("linux"):  # what platformdirs answers on Linux, without its 0.1 s import
        return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "vggcompare"
    from platformdirs import user_data_dir as platform_data_dir

    return Path(platform_data_dir("vggcompare", appauthor=False))
