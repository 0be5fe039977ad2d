"""Full-integer int8's representative data set: the calibration photos, each as the model gets it in this pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vggcompare.core.errors import ConfigError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".ppm")


def calibration_files(folder: str | None) -> list[str]:
    """The images of the calibration folder (the bundled sweep photos when None), sorted; ConfigError when it has none."""
    from vggcompare.core.resources import sweep_samples_folder

    root = Path(folder).expanduser() if folder else sweep_samples_folder()
    if not root.is_dir():
        raise ConfigError(f"the calibration folder {folder} does not exist or is not a folder")
    found = sorted(str(p) for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file() and not p.name.startswith("."))
    if not found:
        raise ConfigError(f"the calibration folder {folder} holds no image files ({', '.join(IMAGE_SUFFIXES)})")
    return found


def calibration_inputs(files: list[str], size: tuple[int, int], config: Any) -> list[np.ndarray]:
    """Each calibration photo as the model gets it in this pipeline: (1, H, W, 3) float32, the loader's and preprocessing's."""
    from vggcompare.core.input.images import load_image
    from vggcompare.core.input.loaders import loader_input
    from vggcompare.core.input.preprocess import preprocess

    out = []
    for file in files:
        picture, _notes = loader_input(load_image(file), size, config)
        out.append(np.ascontiguousarray(preprocess(picture[None], config.effective_preprocess, config.pitfalls), dtype=np.float32))
    return out
