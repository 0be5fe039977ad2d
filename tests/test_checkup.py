"""The checkup: every cause once against the user's pipeline, ranked by the largest probability change, causes that
cannot apply with their reason, one model for all, and its table, JSON and one-page PDF."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from poppler import need_poppler, pdf_text, rendered_pages
from sweep_helpers import drive
from vggcompare.cli import main
from vggcompare.core.analysis.sweep_stats import image_numbers
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.core.run.checkup import MEASURED, run_checkup


@pytest.fixture(scope="module")
def bn_model(tmp_path_factory):
    import keras
    from keras import layers

    keras.utils.set_random_seed(9)
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Rescaling(1 / 255), layers.Conv2D(6, 3),
                              layers.BatchNormalization(), layers.Activation("relu"), layers.GlobalAveragePooling2D(),
                              layers.Dense(16, activation="relu"), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    model.layers[2].moving_mean.assign(np.full(6, 0.3, np.float32))
    path = tmp_path_factory.mktemp("checkup") / "bn.keras"
    model.save(path)
    return str(path)


def _checkup(config, image=None):
    return drive(run_checkup(config, image))[0]


def test_a_checkup_ranks_every_cause_and_says_why_some_cannot_apply(bn_model, monkeypatch):
    from vggcompare.core.model import prepare

    prepare.clear_cache()
    loads = []
    real = prepare._load_base
    monkeypatch.setattr(prepare, "_load_base", lambda *a: loads.append(a) or real(*a))
    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=bn_model, seeding="once")
    checkup = _checkup(cfg)
    assert len(loads) == 1  # one model for every cause
    rows = {r.cause: r for r in checkup.rows}
    for cause in ("loader tf-dataset", "loader opencv", "OpenCV's BGR order", "TensorFlow's default DCT", "antialias",
                  "resize filter", "call predict", "call eager", "call xla", "training mode", "batch neighbours",
                  "training mode in a batch", "batch size", "precision", "seeding with augmentation", "dropout",
                  "new weights", "kernel library", "threads", "another architecture's preprocessing"):
        assert cause in rows, cause
    measured = [r for r in checkup.rows if r.status == MEASURED]
    changes = [r.largest_change for r in measured]
    assert changes == sorted(changes, reverse=True) and checkup.rows[: len(measured)] == measured
    # the numbers are image_numbers of the cause's run against what it is measured against
    for r in measured:
        n = image_numbers(checkup.runs[r.against].probabilities, checkup.runs[r.cause].probabilities)
        assert (r.largest_change, r.top1_changed, r.top5_changed) == (n.largest_change, n.top1_changed, n.top5_overlap < 5)
    assert rows["training mode"].status == MEASURED and rows["training mode"].largest_change > 1e-3
    assert rows["TensorFlow's default DCT"].against == "loader tf-dataset"
    assert "not caffe" in rows["no BGR swap"].reason and "new process" in rows["threads"].reason
    assert "no EXIF rotation" in rows["EXIF orientation"].reason
    assert checkup.passes_run == 1 + sum(checkup.runs[r.cause].config.passes for r in measured)
    data = json.loads(json.dumps(checkup.to_dict()))
    assert data["format"] == "vggcompare-checkup-1" and len(data["rows"]) == len(checkup.rows)


def test_causes_that_cannot_apply_to_this_model_or_image(tiny_models, tmp_path):
    icon = tmp_path / "icon.ico"
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(icon)
    checkup = _checkup(ExperimentConfig(image=str(icon), model=tiny_models["plain"], seeding="once"))
    rows = {r.cause: r for r in checkup.rows}
    assert rows["training mode"].reason == "no BatchNorm or Dropout layer: training mode changes nothing"
    assert rows["dropout"].reason == "the model has no Dropout layer to keep on"
    assert "OpenCV's cv2.imread cannot decode" in rows["loader opencv"].reason and "icon.ico" in rows["loader opencv"].reason
    assert "TensorFlow's tf.image.decode_image cannot decode" in rows["loader tf-dataset"].reason
    assert "not a JPEG" in rows["TensorFlow's default DCT"].reason
    assert all(r.status != MEASURED for r in (rows["loader opencv"], rows["training mode"], rows["dropout"]))


def test_the_checkup_command_prints_the_table_and_writes_json_and_a_one_page_pdf(bn_model, tmp_path, capsys):
    image = tmp_path / "cat.jpg"
    shutil.copy(sweep_samples_folder() / "cat.jpg", image)
    out = tmp_path / "out"
    code = main(["checkup", str(image), "--model", bn_model, "--out-dir", str(out), "--report", str(out / "c.pdf"), "--quiet"])
    text, err = capsys.readouterr()
    assert code == 0, err
    assert "largest probability change" in text and "Not applicable:" in text and "What your code would do" in text
    data = json.loads((out / "checkup.json").read_text())
    assert data["rows"][0]["status"] == MEASURED and data["reference"]["loader"] == "load-img"
    assert main(["checkup", str(image), "--model", bn_model, "--out-dir", str(out), "--quiet"]) == 2
    assert "add --force" in capsys.readouterr().err
    need_poppler()
    assert len(rendered_pages(out / "c.pdf", tmp_path)) == 1
    assert "Checkup: every cause against your pipeline" in pdf_text(out / "c.pdf")


def test_sweep_preset_checkup_gives_each_cause_a_flip_rate(bn_model, tmp_path):
    from vggcompare.core.run.sweep import run_sweep

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("cat.jpg", "brick.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    cfg = ExperimentConfig(model=bn_model, seeding="once")
    drive(run_sweep(str(folder), str(tmp_path / "out"), cfg, preset="checkup"))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    names = [v["variant"] for v in summary["variants"]]
    assert "training mode: training=True, alone" in names and "loader opencv: opencv at its defaults" in names
    assert not any("batch neighbours" in n or "in a batch" in n for n in names)  # not a sweep's variant
    assert all(v["images"] == 2 for v in summary["variants"])


def test_a_second_checkup_in_the_same_process_reuses_every_traced_call(bn_model, monkeypatch):
    """BatchNorm + Dropout give a checkup four model variants (reference, training mode's keyed copy, bfloat16,
    dropout): all stay prepared, so a second checkup (the window's engine keeps its process) compiles no call again."""
    from vggcompare.core.model import prepare

    prepare.clear_cache()
    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=bn_model, seeding="once")
    _checkup(cfg)
    compiled = []
    real = prepare.compile_forward
    monkeypatch.setattr(prepare, "compile_forward", lambda *a, **k: compiled.append(a[3:]) or real(*a, **k))
    again = _checkup(cfg)
    assert compiled == []
    assert {r.cause for r in again.rows if r.status == MEASURED} >= {"training mode", "precision", "dropout", "call xla"}
