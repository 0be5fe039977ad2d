"""Training against serving: the same file through load_img, image_dataset_from_directory's path and OpenCV, each at
its defaults, as a training script and a serving script often read it; with a picture of the pixel differences."""

from __future__ import annotations

import numpy as np

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.config import DEFAULT_INTERPOLATION
from vggcompare.core.errors import ImageError
from vggcompare.core.studies.presets.base import Preset, clean, record_comparison, top1

LOADERS = {"load_img (Keras, nearest)": "load-img", "image_dataset_from_directory (tf.image.resize, bilinear)": "tf-dataset",
           "OpenCV (cv2.imread, cv2.resize linear)": "opencv"}
GAIN = 8  # the difference picture shows |a - b| × 8, so a difference of 32 levels is white


def _steps(cfg, image=None):
    ref = clean(cfg, passes=1, pitfalls=(), dct_method="default", antialias=False, training_mode=False, batch_neighbours="none")
    return [(label, ref.replace(loader=name, interpolation=DEFAULT_INTERPOLATION[name])) for label, name in LOADERS.items()]


def difference_picture(pictures: list[np.ndarray]) -> np.ndarray:
    """Side by side, |b − a| for each picture b after the first a, amplified by GAIN (uint8, H × (W·k + gaps) × 3)."""
    first = pictures[0].astype(np.float64)
    panels = [np.clip(np.abs(p.astype(np.float64) - first) * GAIN, 0, 255).astype(np.uint8) for p in pictures[1:]]
    gap = np.full((first.shape[0], 4, 3), 128, np.uint8)
    out = [panels[0]]
    for panel in panels[1:]:
        out += [gap, panel]
    return np.concatenate(out, axis=1)


def _summary(o):
    from vggcompare.core.input.images import encode_png, load_image
    from vggcompare.core.input.loaders import loader_input

    names = list(o.runs)
    ref = o.runs[names[0]]
    o.columns = ["loader", "top-1", "top-5 shared with load_img", "largest probability change", "pixels differing from load_img"]
    size = tuple(ref.image.model_input_size or (224, 224))
    pictures = []
    try:
        loaded = load_image(ref.config.image)
        pictures = [loader_input(loaded, size, o.runs[n].config)[0] for n in names]
    except (ImageError, TypeError):
        o.notes.append("The pixel-difference picture could not be made: the image is not at its recorded path.")
    flips = 0
    o.rows = [[names[0], top1(ref), "5 of 5", "0", "—"]]
    for k, name in enumerate(names[1:], 1):
        c = record_comparison(o, names[0], name)
        flips += not c.numbers.same_top1
        pixels = "—"
        if pictures:
            d = np.abs(pictures[k] - pictures[0])
            pixels = f"{(d.max(axis=-1) > 0).mean():.0%}, up to {int(d.max())} levels"
        o.rows.append([name, top1(o.runs[name]), f"{c.numbers.top5_overlap} of 5", fmt(c.numbers.max_abs_difference), pixels])
        o.bars.append((name, c.numbers.max_abs_difference))
    o.bars_label = "largest change of any class's probability against load_img"
    if pictures:
        o.pictures["pixel-differences.png"] = encode_png(difference_picture(pictures))
        o.notes.append(f"pixel-differences.png: |image_dataset_from_directory − load_img| and |OpenCV − load_img|, side by side, "
                       f"× {GAIN} (black: the same pixel).")
    o.headline = (f"{flips} of 2 other loaders changed the top-1 against load_img; the largest probability change is "
                  f"{fmt(max(v for _, v in o.bars))}. Train with one loader and serve with another and the model sees these pixels.")


PRESETS = [
    Preset("serving", "Training vs serving: three loaders",
           "The same file read by keras.utils.load_img, by image_dataset_from_directory's per-file path and by OpenCV, each "
           "at its defaults (as a training script and a serving script often read it): how far the answer moves, and "
           "which pixels differ.", _steps, _summary),
]
