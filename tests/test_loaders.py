"""The loaders are their libraries' own calls: tf-dataset is what image_dataset_from_directory yields for the
file, opencv is cv2.imread + cvtColor + cv2.resize; checked bit for bit on the same file, and through the
engine with a probe model that notices every pixel (STYLE.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ImageError
from vggcompare.core.input.images import load_image
from vggcompare.core.input.loaders import loader_input


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A textured JPEG (so DCT methods and resizers differ), the same with EXIF orientation 6, a PNG with
    transparency, a TIFF (TensorFlow cannot decode it) and an ICO (OpenCV cannot)."""
    folder = tmp_path_factory.mktemp("loaders")
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:90, 0:120]
    smooth = np.stack([x * 2, y * 2, (x + y)], axis=-1) % 256
    pixels = np.clip(smooth + rng.integers(-40, 40, smooth.shape), 0, 255).astype(np.uint8)
    out = {}
    for name in ("jpeg", "exif", "alpha", "tiff", "ico"):
        (folder / name).mkdir()
    out["jpeg"] = folder / "jpeg" / "photo.jpg"
    Image.fromarray(pixels).save(out["jpeg"], quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6
    out["exif"] = folder / "exif" / "turned.jpg"
    Image.fromarray(pixels).save(out["exif"], quality=90, exif=exif.tobytes())
    rgba = np.dstack([pixels, np.where(x > 60, 0, 255).astype(np.uint8)])
    out["alpha"] = folder / "alpha" / "clear.png"
    Image.fromarray(rgba, "RGBA").save(out["alpha"])
    out["tiff"] = folder / "tiff" / "page.tif"
    Image.fromarray(pixels).save(out["tiff"])
    out["ico"] = folder / "ico" / "icon.ico"
    Image.fromarray(pixels[:64, :64]).save(out["ico"])
    return out


def _dataset_image(path, size, interpolation="bilinear"):
    """The one image keras.utils.image_dataset_from_directory yields for the folder holding only ``path``."""
    import keras

    ds = keras.utils.image_dataset_from_directory(str(path.parent), labels=None, image_size=size, batch_size=None,
                                                  shuffle=False, interpolation=interpolation, verbose=False)
    (image,) = list(ds.as_numpy_iterator())
    return image


@pytest.mark.parametrize("kind", ["jpeg", "exif", "alpha"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "area"])
def test_tf_dataset_is_image_dataset_from_directory_bit_for_bit(files, kind, interpolation):
    cfg = ExperimentConfig(loader="tf-dataset", interpolation=interpolation)
    mine, notes = loader_input(load_image(str(files[kind])), (37, 53), cfg)
    theirs = _dataset_image(files[kind], (37, 53), interpolation)
    assert mine.dtype == np.float32 and mine.shape == theirs.shape == (37, 53, 3)
    assert np.array_equal(mine, theirs)
    if kind == "exif":
        assert any("ignores the EXIF orientation" in n for n in notes)
    if kind == "alpha":
        assert any("drops the alpha channel" in n for n in notes)


def test_dct_method_and_antialias_are_tensorflows_own_calls(files):
    import tensorflow as tf

    loaded = load_image(str(files["jpeg"]))
    raw = tf.io.read_file(str(files["jpeg"]))
    accurate = loader_input(loaded, (37, 53), ExperimentConfig(loader="tf-dataset", interpolation="bilinear",
                                                               dct_method="INTEGER_ACCURATE"))[0]
    expected = tf.image.resize(tf.io.decode_jpeg(raw, channels=3, dct_method="INTEGER_ACCURATE"), (37, 53)).numpy()
    assert np.array_equal(accurate, expected)
    default = loader_input(loaded, (37, 53), ExperimentConfig(loader="tf-dataset", interpolation="bilinear"))[0]
    assert not np.array_equal(accurate, default)  # the decoders really differ on this JPEG
    # INTEGER_ACCURATE decodes as PIL does here: identical at full size
    full = loader_input(loaded, (90, 120), ExperimentConfig(loader="tf-dataset", interpolation="nearest",
                                                            dct_method="INTEGER_ACCURATE"))[0]
    assert np.array_equal(full, np.asarray(Image.open(files["jpeg"]).convert("RGB"), np.float32))
    smooth = loader_input(loaded, (37, 53), ExperimentConfig(loader="tf-dataset", interpolation="bilinear", antialias=True))[0]
    assert np.array_equal(smooth, tf.image.resize(tf.image.decode_image(raw, channels=3), (37, 53), antialias=True).numpy())
    assert not np.array_equal(smooth, default)


@pytest.mark.parametrize("kind", ["jpeg", "exif", "alpha"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic", "area", "lanczos4"])
def test_opencv_is_imread_cvtcolor_resize_bit_for_bit(files, kind, interpolation):
    import cv2

    flag = {"bilinear": cv2.INTER_LINEAR, "nearest": cv2.INTER_NEAREST, "bicubic": cv2.INTER_CUBIC,
            "area": cv2.INTER_AREA, "lanczos4": cv2.INTER_LANCZOS4}[interpolation]
    theirs = cv2.resize(cv2.cvtColor(cv2.imread(str(files[kind])), cv2.COLOR_BGR2RGB), (53, 37), interpolation=flag)
    mine, notes = loader_input(load_image(str(files[kind])), (37, 53), ExperimentConfig(loader="opencv", interpolation=interpolation))
    assert np.array_equal(mine, theirs.astype(np.float32))
    bgr = loader_input(load_image(str(files[kind])), (37, 53),
                       ExperimentConfig(loader="opencv", interpolation=interpolation, pitfalls=("opencv-bgr",)))[0]
    assert np.array_equal(bgr, mine[..., ::-1])
    if kind == "exif":  # imread turns the photo upright, unlike load_img and TensorFlow
        assert any("applies the EXIF orientation" in n for n in notes)
        upright = cv2.imread(str(files[kind]))
        assert upright.shape[:2] == (120, 90)


def test_load_img_loader_is_unchanged(files):
    import keras

    cfg = ExperimentConfig()
    mine, notes = loader_input(load_image(str(files["jpeg"])), (37, 53), cfg)
    theirs = keras.utils.img_to_array(keras.utils.load_img(str(files["jpeg"]), target_size=(37, 53)))
    assert np.array_equal(mine, theirs) and notes == []


def test_a_file_one_loader_cannot_read_is_one_sentence_naming_it(files):
    tiff = load_image(str(files["tiff"]))
    with pytest.raises(ImageError, match="TensorFlow's tf.image.decode_image cannot decode .*page.tif"):
        loader_input(tiff, (32, 32), ExperimentConfig(loader="tf-dataset", interpolation="bilinear"))
    assert loader_input(tiff, (32, 32), ExperimentConfig(loader="opencv", interpolation="bilinear"))[0].shape == (32, 32, 3)
    ico = load_image(str(files["ico"]))
    with pytest.raises(ImageError, match="OpenCV's cv2.imread cannot decode .*icon.ico"):
        loader_input(ico, (32, 32), ExperimentConfig(loader="opencv", interpolation="bilinear"))


def test_loader_settings_are_checked():
    with pytest.raises(ConfigError, match="interpolation of the opencv loader"):
        ExperimentConfig(loader="opencv", interpolation="lanczos3").validate()
    with pytest.raises(ConfigError, match="tf-dataset loader only"):
        ExperimentConfig(dct_method="INTEGER_ACCURATE").validate()
    with pytest.raises(ConfigError, match="needs the opencv loader"):
        ExperimentConfig(pitfalls=("opencv-bgr",)).validate()
    old = ExperimentConfig().to_dict()
    for name in ("loader", "antialias", "dct_method", "call", "training_mode", "batch_neighbours"):
        old.pop(name)
    read = ExperimentConfig.from_dict(old)  # a result file from before these fields
    assert (read.loader, read.call, read.training_mode) == ("load-img", "compiled", False)


@pytest.mark.parametrize("loader", ["tf-dataset", "opencv"])
def test_the_engine_feeds_the_model_what_the_library_gives(files, probe_model, loader):
    """A probe that notices every pixel gives, through the engine, exactly its output on the library's array."""
    import cv2

    from vggcompare.core.passes.engine import run_experiment

    path, model = probe_model
    if loader == "tf-dataset":
        theirs = _dataset_image(files["jpeg"], (32, 32))
    else:
        theirs = cv2.resize(cv2.cvtColor(cv2.imread(str(files["jpeg"])), cv2.COLOR_BGR2RGB), (32, 32)).astype(np.float32)
    cfg = ExperimentConfig(image=str(files["jpeg"]), model=path, passes=1, seeding="once", loader=loader,
                           interpolation="bilinear", call="eager")
    result = run_experiment(cfg)
    expected = np.asarray(model(theirs[None], training=False))[0]
    assert np.array_equal(result.probabilities[0], expected)
    load_img = run_experiment(cfg.replace(loader="load-img", interpolation="nearest"))
    assert np.abs(load_img.probabilities[0] - expected).max() > 1e-6  # the probe tells the loaders apart
    assert result.environment.loader == loader
    assert any(n.startswith("Loaded as") for n in result.notes)


def test_a_result_carries_the_pipeline_and_reproduces_it(capsys, probe_model, files, tmp_path):
    from vggcompare.cli import main

    out = tmp_path / "a.json"
    args = ["run", str(files["exif"]), "--model", probe_model[0], "--passes", "2", "--seeding", "once", "--quiet",
            "--loader", "opencv", "--interpolation", "area", "--call", "eager"]
    assert main([*args, "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert (data["config"]["loader"], data["config"]["interpolation"], data["config"]["call"]) == ("opencv", "area", "eager")
    assert data["environment"]["loader"] == "opencv" and data["environment"]["opencv"]
    capsys.readouterr()
    assert main(["reproduce", str(out), "--allow-model"]) == 0
    assert "reproduces the result bit for bit" in capsys.readouterr().out
