"""Loaders, call paths and training mode in a sweep: each row is the engine's run of its image, and a file one
loader cannot read is an error row of that loader's variant only."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest
from PIL import Image

from sweep_helpers import drive
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.studies.sweep.run import run_sweep
from vggcompare.core.studies.sweep.plan import check_variants, variants_from_changes
from vggcompare.core.storage.sweep_table import SweepTable

SPEC = {"reference": {"name": "load_img", "changes": {}},
        "variants": [{"name": "tf-dataset", "changes": {"loader": "tf-dataset", "interpolation": "bilinear"}},
                     {"name": "opencv", "changes": {"loader": "opencv", "interpolation": "bilinear"}},
                     {"name": "training", "changes": {"training_mode": True}},
                     {"name": "eager", "changes": {"call": "eager"}}]}


@pytest.fixture(scope="module")
def bn_model(tmp_path_factory):
    import keras
    from keras import layers

    keras.utils.set_random_seed(8)
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Rescaling(1 / 255), layers.Conv2D(6, 3),
                              layers.BatchNormalization(), layers.Activation("relu"), layers.GlobalAveragePooling2D(),
                              layers.Dense(10, activation="softmax")])
    model.layers[2].moving_mean.assign(np.full(6, 0.3, np.float32))
    path = tmp_path_factory.mktemp("bnsweep") / "bn.keras"
    model.save(path)
    return str(path)


def test_pipeline_variants_in_a_sweep_are_the_engines_runs(bn_model, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("cat.jpg", "coffee.jpg", "brick.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(folder / "icon.ico")  # OpenCV cannot decode ICO
    cfg = ExperimentConfig(model=bn_model, passes=3, batch_size=3, seeding="once", preprocess="none")  # calls as the engine's
    variants = variants_from_changes(cfg, SPEC)
    drive(run_sweep(str(folder), str(tmp_path / "out"), cfg, variants=variants))
    with SweepTable(tmp_path / "out") as table:
        rows = list(table.rows())
    icon = {r["variant"]: r.get("error") for r in rows if r["image"] == "icon.ico"}
    assert "OpenCV's cv2.imread cannot decode 'icon.ico'" in icon["opencv"]
    assert "TensorFlow's tf.image.decode_image cannot decode 'icon.ico' (ICO file: Unknown image file format" in icon["tf-dataset"]
    assert not icon["load_img"] and not icon["training"]  # Pillow reads it
    by = {(r["image"], r["variant"]): r["probabilities_sha256"] for r in rows if not r.get("error")}
    for name, variant in variants:  # each row is the engine's own run of that image alone
        result = run_experiment(variant.replace(image=str(folder / "coffee.jpg")))
        assert hashlib.sha256(result.probabilities.tobytes()).hexdigest() == by[("coffee.jpg", name)], name
    assert by[("coffee.jpg", "training")] != by[("coffee.jpg", "load_img")]
    assert by[("coffee.jpg", "tf-dataset")] != by[("coffee.jpg", "opencv")] != by[("coffee.jpg", "load_img")]


def test_batch_neighbours_are_not_a_sweep_variant(tmp_path):
    cfg = ExperimentConfig(model="vgg19-random")
    with pytest.raises(ConfigError, match="batch neighbours"):
        check_variants([("a", cfg), ("b", cfg.replace(batch_neighbours="samples"))])
