"""Draw the same 8 passes under both augmentation engines, exactly as the tool makes them.

Run from the repository root: ``python docs/make_augment_figure.py [IMAGE] [--seed S] [--out FILE.png]``.
Row 1: the generator engine with the popular answer's ImageDataGenerator arguments; row 2: the layers
engine with its defaults (LAYERS_DEFAULTS in vggcompare/core/input/keras_layers.py). Each tile is the 224 x 224
(shown at 168 px) picture the tool's pass i hands to preprocessing, with the tool's own caption.
"""

from __future__ import annotations

import argparse
import dataclasses
import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vggcompare.core.input.keras_layers import LAYERS_DEFAULTS
from vggcompare.core.config import AugmentConfig
from vggcompare.core.input.augment import PassAugmenter, describe
from vggcompare.core.input.images import load_image
from vggcompare.core.input.model_view import model_input

TILE, SHOWN, PAD, TEXT = 224, 168, 10, 92


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("image", nargs="?", default="resources/samples/cat.png")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default="docs/augment_engines.png")
    args = p.parse_args()
    picture = model_input(load_image(args.image), (TILE, TILE))
    rows = [("generator: ImageDataGenerator(rotation_range=20, width_shift_range=0.2, height_shift_range=0.2, "
             "shear_range=0.2, zoom_range=0.2, horizontal_flip=True), flow(x, batch_size=1, seed=%d)" % args.seed,
             AugmentConfig(enabled=True)),
            ("layers: RandomFlip('horizontal'), RandomRotation(0.05), RandomTranslation(0.2, 0.2), RandomShear(0.1), "
             "RandomZoom(0.2), fill_mode='reflect', after keras.utils.set_random_seed(%d)" % args.seed,
             dataclasses.replace(LAYERS_DEFAULTS, enabled=True))]
    font, title_font = _font(11), _font(13)
    width = PAD + 8 * (SHOWN + PAD)
    row_h = 40 + SHOWN + TEXT
    sheet = Image.new("RGB", (width, PAD + 2 * (row_h + PAD)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (title, cfg) in enumerate(rows):
        top = PAD + r * (row_h + PAD)
        for k, line in enumerate(textwrap.wrap(title, 190)[:2]):
            draw.text((PAD, top + 16 * k), line, fill="black", font=title_font)
        batch, records = PassAugmenter(cfg, args.seed, "once").augment(picture, range(8))
        for i in range(8):
            left = PAD + i * (SHOWN + PAD)
            tile = Image.fromarray(np.rint(np.clip(batch[i], 0, 255)).astype(np.uint8))
            sheet.paste(tile.resize((SHOWN, SHOWN), Image.Resampling.LANCZOS), (left, top + 40))
            caption = f"pass {i + 1}: {describe(cfg, records[i])}"
            for k, line in enumerate(textwrap.wrap(caption, 27)[:7]):
                draw.text((left, top + 44 + SHOWN + 13 * k), line, fill=(60, 60, 60), font=font)
    sheet.save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
