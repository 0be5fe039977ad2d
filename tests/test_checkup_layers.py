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


def test_the_windows_checkup_sends_rows_with_enters_at_only_and_a_row_opens_on_the_kept_layer_table(
        bn_probe, photo, monkeypatch):
    """In the engine, the window's checkup keeps each row's layer table with its runs: the row crosses the pipe with
    the few words of ``enters_at``, and opening the row gives the checkup's own layer comparison back."""
    import functools
    import pickle

    from vggcompare.core.job_driver import drive as drive_job
    from vggcompare.core.input.images import load_image
    from vggcompare.core.studies import checkup_pair, jobs
    from vggcompare.core.studies import layers as layer_study

    monkeypatch.setattr(jobs, "run_checkup", functools.partial(run_checkup, new_processes=False))
    cfg = ExperimentConfig(image=photo, model=bn_probe, seeding="once")
    image = load_image(photo)
    sent: list = []
    checkup = drive_job(jobs.checkup_and_keep(cfg, image, "the token", layers=True),
                        lambda report: sent.append((report, len(pickle.dumps(report)))))
    rows = {report.row.cause: (report.row, size) for report, size in sent if getattr(report, "row", None) is not None}
    training, size = rows["training mode"]
    assert training.enters_at.startswith("bn (") and size < 2_000
    assert all(row.layers is None for row, _size in rows.values()) and all(r.layers is None for r in checkup.rows)

    def not_again(*_args, **_kwargs):
        raise AssertionError("the pair was compared layer by layer again")

    monkeypatch.setattr(layer_study, "compare_by_layer", not_again)
    _a, b, comparison = drive(checkup_pair.run_pair(cfg, image, "training mode", token="the token", layers=True))[0]
    assert b.name == "checkup: training mode" and comparison.enters_at.name == "bn"
    assert comparison.enters_text() == training.enters_at
    plain = drive_job(jobs.checkup_and_keep(cfg, image, "another token"), lambda _report: None)
    assert all(not r.enters_at and r.layers is None for r in plain.rows)  # without layers: no comparison at all


@pytest.mark.parametrize("change, cell", [(0.0, "identical"), (1.8e-7, "identical layer by layer; the plain calls differ by 1.8e-07")])
def test_a_cause_identical_layer_by_layer_but_not_at_the_plain_output_says_both(change, cell):
    from types import SimpleNamespace

    from vggcompare.core.analysis.layers import LayerTrace
    from vggcompare.core.studies.checkup import _compare_layers
    from vggcompare.core.studies.checkup_causes import Cause
    from vggcompare.core.studies.checkup_rows import CauseRow

    arrays = [np.arange(12, dtype=np.float32), np.ones(4, np.float32)]
    trace = lambda: LayerTrace(["conv", "dense"], ["Conv2D", "Dense"], [a.copy() for a in arrays])  # noqa: E731
    results = {"reference": SimpleNamespace(layers=trace()), "call eager": SimpleNamespace(layers=trace())}
    row = CauseRow("call eager", "eager", "", MEASURED, largest_change=change, against="reference")
    _compare_layers(row, Cause("call eager", "eager", {"call": "eager"}, ""), results, {"reference"})
    assert row.enters_at == cell


def test_an_output_only_comparison_of_bit_identical_plain_calls_says_identical():
    from types import SimpleNamespace

    from vggcompare.core.analysis.layers import LayerTrace
    from vggcompare.core.studies.checkup import _compare_layers
    from vggcompare.core.studies.checkup_causes import Cause
    from vggcompare.core.studies.checkup_rows import CauseRow

    out = np.linspace(0.0, 1.0, 10, dtype=np.float32)
    keras_side = LayerTrace(["conv", "dense"], ["Conv2D", "Dense"], [np.ones(4, np.float32), out * np.float32(1 + 2e-7)])
    served = LayerTrace(["dense"], ["Output"], [out], None, ["Only the output: a SavedModel exposes its signature alone."], True)
    results = {"reference": SimpleNamespace(layers=keras_side), "runtime savedmodel": SimpleNamespace(layers=served)}
    cause = Cause("runtime savedmodel", "SavedModel", {"runtime": "savedmodel"}, "")
    for change, cell in ((0.0, "output only: identical"), (3e-7, "output only: round-off")):
        row = CauseRow("runtime savedmodel", "SavedModel", "", MEASURED, largest_change=change, against="reference")
        _compare_layers(row, cause, results, {"reference", "runtime savedmodel"})
        assert row.enters_at == cell
