"""The checkup with layers: where each cause's difference enters, stored in checkup.json, printed by the CLI; and the
cause "BatchNorm statistics changed by earlier training-mode calls"."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sweep_helpers import drive
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.studies.checkup import MEASURED, run_checkup
from vggcompare.core.studies.checkup_causes import TRAINING_CALLS


@pytest.fixture(scope="module")
def bn_probe(tmp_path_factory):
    import keras
    from keras import layers

    keras.utils.set_random_seed(9)
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Rescaling(1 / 255, name="rescale"), layers.Conv2D(6, 3, name="conv"),
                              layers.BatchNormalization(name="bn"), layers.Activation("relu", name="relu"),
                              layers.GlobalAveragePooling2D(name="gap"), layers.Dense(10, activation="softmax", name="dense")])
    model.get_layer("bn").moving_mean.assign(np.full(6, 0.3, np.float32))
    path = tmp_path_factory.mktemp("checkup_layers") / "bn.keras"
    model.save(path)
    return str(path)


def test_each_measured_cause_says_where_it_enters(bn_probe, photo):
    cfg = ExperimentConfig(image=photo, model=bn_probe, seeding="once")
    checkup = drive(run_checkup(cfg, new_processes=False, layers=True))[0]
    rows = {r.cause: r for r in checkup.rows}
    training = rows["training mode"]
    assert training.status == MEASURED and training.layer_comparison().enters_at.name == "bn"
    assert training.enters_at.startswith("bn (")
    calls = rows[TRAINING_CALLS]
    assert calls.status == MEASURED and calls.largest_change > 0
    assert "BatchNorm layer" in calls.note and "(bn … bn)" in calls.note and "model(x, training=True) once" in calls.sentence
    assert calls.layer_comparison().first_difference.name == "bn"
    assert calls.layer_comparison().rows[1].identical  # conv, before the BatchNorm layer, is untouched
    assert rows["precision"].layer_comparison().first_difference.name in ("rescale", "conv")
    for r in checkup.rows:
        if r.status == MEASURED:
            assert r.layers is not None, r.cause
    data = json.loads(json.dumps(checkup.to_dict()))
    row = next(r for r in data["rows"] if r["cause"] == "training mode")
    assert row["layers"]["enters_at"] == "bn" and [x["name"] for x in row["layers"]["layers"]] == [
        "rescale", "conv", "bn", "relu", "gap", "dense"]
    assert {"max_abs", "relative", "cosine", "bound", "above"} <= set(row["layers"]["layers"][0])


def test_earlier_training_calls_do_not_apply_without_batchnorm(tiny_models, photo):
    cfg = ExperimentConfig(image=photo, model=tiny_models["plain"], labels=tiny_models["labels"], seeding="once")
    checkup = drive(run_checkup(cfg, new_processes=False))[0]
    row = next(r for r in checkup.rows if r.cause == TRAINING_CALLS)
    assert row.status != MEASURED and "no BatchNorm layer" in row.reason


def test_the_cli_checkup_prints_enters_at_and_stores_the_layer_table(bn_probe, photo, tmp_path, capsys):
    from vggcompare.cli import main

    out = tmp_path / "ck"
    assert main(["checkup", photo, "--model", bn_probe, "--seeding", "once", "--in-process-only", "--out-dir", str(out),
                 "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "enters at" in text and "'Enters at': the first layer" in text
    data = json.loads((out / "checkup.json").read_text())
    assert any(r.get("layers") for r in data["rows"])
    assert main(["checkup", photo, "--model", bn_probe, "--seeding", "once", "--in-process-only", "--out-dir", str(out),
                 "--quiet", "--force", "--no-layers"]) == 0
    data = json.loads((out / "checkup.json").read_text())
    assert not any(r.get("layers") for r in data["rows"]) and "enters at" not in capsys.readouterr().out
