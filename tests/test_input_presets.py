"""The demonstrations this input work changed: Example 1 as written, and the loading switches among the pitfalls."""

from __future__ import annotations

import numpy as np
from PIL import Image

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.studies.presets.run import run_preset
from vggcompare.core.studies.presets.popular import EXAMPLE_1


def drive(gen):
    """Run a preset's generator to its end; return its outcome."""
    kept = []

    def keep():
        kept.append((yield from gen))

    for _ in keep():
        pass
    return kept[0]


def test_example_1_is_the_answers_generator_with_rescale_after_preprocess_input(probe_model, photo):
    from keras.applications.vgg19 import preprocess_input
    from keras.src.legacy.preprocessing.image import ImageDataGenerator
    from keras.utils import img_to_array, load_img

    path, model = probe_model
    cfg = ExperimentConfig(image=photo, model=path, passes=4, preprocess="caffe")
    out = drive(run_preset("popular-1", cfg))
    written = out.runs["as written"]
    assert written.config.augment == EXAMPLE_1 and written.config.seed == 42 and written.config.pitfalls == ()
    x = preprocess_input(img_to_array(load_img(photo, target_size=(32, 32))))  # the answer: preprocess first, then flow
    flow = ImageDataGenerator(rotation_range=20, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
                              zoom_range=0.2, horizontal_flip=True, fill_mode="nearest", rescale=1.0 / 255).flow(
        x[None], batch_size=1, seed=42)
    theirs = model.predict(np.concatenate([next(flow) for _ in range(4)]), batch_size=4, verbose=0)
    assert np.abs(written.probabilities - theirs).max() <= 1e-7
    unscaled = out.runs["without the rescale"].probabilities
    assert np.abs(unscaled - written.probabilities).max() > 1e-4  # the rescale changes what the probe says
    difference = np.abs(out.runs["as written"].statistics.mean - out.runs["without the rescale"].statistics.mean).max()
    assert "255 times smaller" in out.headline and f"{difference:.3g}" in out.headline


def test_pitfalls_add_the_loading_switches_when_the_image_has_exif_rotation_and_transparency(probe_model, tmp_path):
    y, x = np.mgrid[0:40, 0:50]
    rgba = np.dstack([x * 5, y * 6, (x * y) % 256, np.where(x < 25, 60, 255)]).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = str(tmp_path / "phone.png")
    Image.fromarray(rgba).save(path, exif=exif)
    cfg = ExperimentConfig(image=path, model=probe_model[0], passes=1)
    out = drive(run_preset("pitfalls", cfg))
    changes = dict(out.bars)
    assert changes["EXIF orientation applied"] > 1e-5 and changes["transparent pixels on white"] > 1e-5
    Image.fromarray(rgba[..., :3]).save(tmp_path / "plain.png")
    plain = drive(run_preset("pitfalls", cfg.replace(image=str(tmp_path / "plain.png"))))
    assert not any("EXIF" in name or "transparent" in name for name in plain.runs)
