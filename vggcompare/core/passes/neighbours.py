"""Batch neighbours: other images that share each forward call with the run's image, as in a user's batch.

Their outputs are discarded. They go through the run's own loader and preprocessing, without
augmentation, and fill the rows after the image's pass: with BatchNorm in training mode they change
the batch's statistics; without it they show the row-position numerics of a shared call.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ImageError
from vggcompare.core.input.images import load_image
from vggcompare.core.input.loaders import loader_input
from vggcompare.core.input.preprocess import preprocess

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".ppm", ".tga", ".avif", ".ico")
MAX_NEIGHBOURS = 255  # a call holds at most MAX_BATCH rows


def neighbour_folder(spec: str) -> Path:
    """The folder that ``batch_neighbours`` names ('samples': the bundled photos); ConfigError if unusable."""
    if spec == "samples":
        from vggcompare.core.resources import sweep_samples_folder

        return sweep_samples_folder()
    folder = Path(spec).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"the batch-neighbours folder {spec} does not exist or is not a folder")
    try:
        files = [p for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
    except OSError as exc:
        raise ConfigError(f"the batch-neighbours folder {spec} cannot be read ({exc.strerror or exc})") from None
    if not files:
        raise ConfigError(f"the batch-neighbours folder {spec} holds no image files")
    return folder


def readable_neighbour_folder(spec: str) -> int:
    """How many image files the folder ``spec`` names; ConfigError if it is unusable or none of them decodes.

    It stops at the first file that decodes, so a folder of good photos is checked by reading one."""
    folder = neighbour_folder(spec)
    files = [p for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
    for path in files:
        try:
            load_image(str(path))
        except (ImageError, OSError):
            continue
        return len(files)
    raise ConfigError(f"none of the {len(files)} image file(s) of the batch-neighbours folder {spec} can be read")


def neighbour_rows(config: ExperimentConfig, size: tuple[int, int], count: int, exclude: str | None = None,
                   pipeline=None) -> tuple[np.ndarray, list[str]]:
    """``count`` preprocessed neighbour rows (the folder's images in name order, repeated if too few) and notes.

    ``pipeline`` (core.input.user_functions.UserPipeline) holds the caller's own loader or preprocessing, if any."""
    folder = neighbour_folder(config.batch_neighbours)
    pictures, skipped = [], 0
    mine = os.path.realpath(exclude) if exclude else None
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()):
        if len(pictures) >= count:
            break
        if mine and os.path.realpath(path) == mine:
            continue
        try:
            loaded = load_image(str(path))
            picture = pipeline.picture(loaded, size) if pipeline and pipeline.loader else loader_input(loaded, size, config)[0]
        except (ImageError, OSError):
            skipped += 1
            continue
        pictures.append(picture)
    if not pictures:
        raise ConfigError(f"no image in the batch-neighbours folder {config.batch_neighbours} could be read by the {config.loader} loader")
    rows = np.stack([pictures[k % len(pictures)] for k in range(count)])
    where = "the bundled photos" if config.batch_neighbours == "samples" else folder.name
    notes = [f"Each forward call held this image's pass in row 1 and {count} other image(s) from {where} "
             f"({len(pictures)} distinct) in the rows after it; their outputs were discarded."]
    if skipped:
        notes.append(f"{skipped} file(s) of the batch-neighbours folder could not be read by the {config.loader} loader and were left out.")
    if pipeline and pipeline.preprocess:
        return pipeline.batch(rows), notes
    return preprocess(rows, config.effective_preprocess, config.pitfalls), notes


def call_rows(config: ExperimentConfig) -> int:
    """Rows per forward call with batch neighbours: ``batch_size`` if set, else 16 (the image and 15 others)."""
    return config.batch_size if config.batch_size is not None else 16
