"""What a sweep runs: its variants (the reference first), its images, and the groups of images per forward call.

Groups are fixed by the order in which images were first listed, so a resumed or distributed sweep
sends exactly the same rows through each forward call as an uninterrupted local one does.
"""

from __future__ import annotations

import os
from pathlib import Path

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.passes.engine import AUTO_BATCH

Variant = tuple[str, ExperimentConfig]
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".ppm", ".tga", ".avif", ".ico")
# Presets whose natural reference is not their first step.
_REFERENCE = {"numerics": "float32", "popular-1": "without the rescale"}
# What must be the same in every variant, because one worker holds one model and one backend (and the user's trust in it).
_SHARED = ("model", "weights", "labels", "threads", "kernels", "backend", "trust_model")


def preset_variants(name: str, config: ExperimentConfig) -> tuple[list[Variant], list[str]]:
    """A preset's steps as sweep variants, the reference first; also notes on steps left out."""
    from vggcompare.core.studies.presets.base import applicable_steps
    from vggcompare.core.studies.presets.registry import PRESETS

    preset = PRESETS.get(name)
    if preset is None:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    # every variant is compared with the reference, so a step is left out alone, never with a pair partner
    planned, notes = applicable_steps(preset.plan(config.replace(image=None)), pairs=False)
    notes += [f"'{step.label}' is left out: it needs a new process for each run." for step in planned if step.fresh_process]
    notes += [f"'{step.label}' is left out: a sweep groups its own images into each forward call, so it has no batch neighbours."
              for step in planned if step.config.batch_neighbours != "none"]
    steps = [(step.label, step.config) for step in planned if not step.fresh_process and step.config.batch_neighbours == "none"]
    first = _REFERENCE.get(name, steps[0][0])
    steps.sort(key=lambda step: step[0] != first)
    kept: list[Variant] = []
    for label, cfg in steps:
        same = next((k for k, c in kept if c == cfg), None)
        if same is None:
            kept.append((label, cfg))
        else:
            notes.append(f"'{label}' is left out: its settings are those of '{same}'.")
    return kept, notes


def variants_from_changes(config: ExperimentConfig, spec: dict) -> list[Variant]:
    """Variants from ``{"reference": {"name": ..., "changes": {...}}, "variants": [{"name": ..., "changes": {...}}]}``."""
    if not isinstance(spec, dict) or not isinstance(spec.get("variants"), list):
        raise ConfigError("a variants file must be a JSON object with a list 'variants' (and optionally 'reference')")
    reference = spec.get("reference") or {"name": "reference", "changes": {}}
    out = []
    for entry in [reference, *spec["variants"]]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("changes", {}), dict):
            raise ConfigError("each variant must be an object with a 'name' and a 'changes' object")
        if "trust_model" in entry.get("changes", {}):
            raise ConfigError(f"variant '{entry['name']}' sets trust_model, which a file cannot grant: "
                              "say that you trust the model yourself (the CLI's --trust-model)")
        try:
            cfg = config.replace(image=None, **entry.get("changes", {}))
        except TypeError as exc:
            raise ConfigError(f"variant '{entry['name']}' changes an unknown setting ({exc})") from None
        out.append((entry["name"], cfg))
    return out


def check_variants(variants: list[Variant]) -> None:
    """Raise ConfigError unless the variants can share one model and one backend.

    A model form that is a program, run without the user's trust, is refused here (UntrustedModelError), before
    any output file or worker is made.
    """
    from vggcompare.core.model.trust import check_trusted

    if len(variants) < 2:
        raise ConfigError("a sweep needs a reference and at least one variant to compare with it")
    names = [n for n, _ in variants]
    if len(set(names)) != len(names):
        raise ConfigError("each variant needs its own name")
    ref = variants[0][1]
    for name, cfg in variants:
        cfg.validate()
        if cfg.batch_neighbours != "none":
            raise ConfigError(f"variant '{name}' has batch neighbours; a sweep groups its own images into each forward call")
        for field in _SHARED:
            if getattr(cfg, field) != getattr(ref, field):
                raise ConfigError(f"variant '{name}' changes {field}, which a sweep keeps the same in every variant "
                                  "(one model and one backend per worker)")
        if cfg.is_custom_model:
            check_trusted(cfg.model, cfg.h5_reader, cfg.trust_model)


def group_images(variants: list[Variant]) -> int:
    """Images per group: as many as fill the reference's passes per call (the engine's chunk), at least one."""
    chunk = variants[0][1].batch_size or AUTO_BATCH
    return max(1, chunk // max(cfg.passes for _, cfg in variants))


def find_images(source: str | os.PathLike) -> tuple[Path, list[str]]:
    """The images of a folder (recursively, image suffixes only, hidden files skipped) or of a list file.

    Returns the root folder and the paths relative to it (absolute where a listed file lies outside it),
    sorted for folders and in file order for lists.
    """
    path = Path(source).expanduser().resolve()
    if path.is_dir():
        found = sorted(
            p.relative_to(path).as_posix()
            for p in path.rglob("*")
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not found:
            raise ConfigError(f"the folder {source} holds no image files ({', '.join(IMAGE_SUFFIXES)})")
        return path, found
    if not path.is_file():
        raise ConfigError(f"{source} is neither a folder nor a list file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the list file {source} ({exc})") from None
    root = path.parent
    listed = []
    for line in (s.strip() for s in lines):
        if line and not line.startswith("#"):
            p = (root / line).resolve()
            listed.append(p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p))
    if not listed:
        raise ConfigError(f"the list file {source} names no image")
    return root, list(dict.fromkeys(listed))


def plan_groups(pending: list[int], size: int) -> list[list[int]]:
    """Split the pending image indices (in order) into groups of ``size``."""
    return [pending[k : k + size] for k in range(0, len(pending), size)]


def sweep_settings(root: Path, variants: list[Variant], group: int) -> dict:
    """What identifies a sweep: a resume must match it exactly."""
    return {
        "source": str(root),
        "variants": [{"name": n, "config": cfg.to_dict()} for n, cfg in variants],
        "group_images": group,
        "passes": variants[0][1].passes,
    }


def variants_from_settings(settings: dict) -> list[Variant]:
    """The variants stored in a sweep's settings."""
    return [(v["name"], ExperimentConfig.from_dict(v["config"])) for v in settings["variants"]]
