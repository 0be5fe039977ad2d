"""The checkup: every cause once against the user's pipeline, ranked by the largest probability change, causes that
cannot apply with their reason, one model for all, and its table, JSON and one-page PDF."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from poppler import need_poppler, pdf_text, rendered_pages
from sweep_helpers import drive
from vggcompare.cli import main
from vggcompare.core.analysis.sweep_stats import image_numbers
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.option_rules import why_not
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.core.studies.checkup import MEASURED, run_checkup


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


def _checkup(config, image=None, new_processes=False):
    return drive(run_checkup(config, image, new_processes=new_processes))[0]


def test_a_checkup_ranks_every_cause_and_says_why_some_cannot_apply(bn_model, monkeypatch):
    from vggcompare.core.model import prepare

    prepare.clear_cache()
    loads = []
    real = prepare._load_base
    monkeypatch.setattr(prepare, "_load_base", lambda *a: loads.append(a) or real(*a))
    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=bn_model, seeding="once")
    checkup = _checkup(cfg, new_processes=True)
    assert len(loads) == 1  # one model for every cause in this process
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
    assert rows["no BGR swap"].reason == why_not("pitfalls=no-bgr-swap", cfg)  # the rule's own sentence
    assert "no EXIF rotation" in rows["EXIF orientation"].reason
    assert checkup.passes_run == 1 + sum(checkup.runs[r.cause].config.passes for r in measured)
    # the kernel library and the thread count ran in new processes, with only that setting changed
    ref_env = checkup.runs["reference"].environment
    kernels, threads = checkup.runs["kernel library"], checkup.runs["threads"]
    assert rows["kernel library"].status == MEASURED and rows["threads"].status == MEASURED
    assert kernels.environment.kernels != ref_env.kernels and kernels.environment.intra_op_threads == ref_env.intra_op_threads
    assert threads.environment.intra_op_threads == 1 and threads.environment.kernels == ref_env.kernels
    assert 0 < rows["threads"].seconds <= checkup.seconds  # the process's own time, taken when it ended
    assert kernels.config.replace(kernels="default") == threads.config.replace(threads=None) == checkup.runs["reference"].config
    data = json.loads(json.dumps(checkup.to_dict()))
    assert data["format"] == "vggcompare-checkup-1" and len(data["rows"]) == len(checkup.rows)


def test_causes_that_cannot_apply_to_this_model_or_image(tiny_models, tmp_path):
    icon = tmp_path / "icon.ico"
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(icon)
    checkup = _checkup(ExperimentConfig(image=str(icon), model=tiny_models["plain"], seeding="once"))
    rows = {r.cause: r for r in checkup.rows}
    assert rows["training mode"].reason == "no BatchNorm, Dropout or augmentation layer: training mode changes nothing"
    assert rows["dropout"].reason == "the model has no Dropout layer to keep on"
    assert rows["augmentation layers inside the model"].reason == "no augmentation layer inside the model"
    assert "OpenCV's cv2.imread cannot decode" in rows["loader opencv"].reason and "icon.ico" in rows["loader opencv"].reason
    assert "TensorFlow's tf.image.decode_image cannot decode" in rows["loader tf-dataset"].reason
    assert "not a JPEG" in rows["TensorFlow's default DCT"].reason
    assert all(r.status != MEASURED for r in (rows["loader opencv"], rows["training mode"], rows["dropout"]))


def test_the_checkup_command_prints_the_table_and_writes_json_and_a_one_page_pdf(bn_model, tmp_path, capsys):
    image = tmp_path / "cat.jpg"
    shutil.copy(sweep_samples_folder() / "cat.jpg", image)
    out = tmp_path / "out"
    code = main(["checkup", str(image), "--model", bn_model, "--out-dir", str(out), "--report", str(out / "c.pdf"), "--quiet",
                 "--in-process-only"])
    text, err = capsys.readouterr()
    assert code == 0, err
    assert "threads: left out on request (it needs a new Python process)" in text
    assert "largest probability change" in text and "Not applicable:" in text and "What your code would do" in text
    data = json.loads((out / "checkup.json").read_text())
    assert data["rows"][0]["status"] == MEASURED and data["reference"]["loader"] == "load-img"
    assert main(["checkup", str(image), "--model", bn_model, "--out-dir", str(out), "--quiet"]) == 2
    assert "add --force" in capsys.readouterr().err
    need_poppler()
    assert len(rendered_pages(out / "c.pdf", tmp_path)) == 1
    assert "Checkup: every cause against your pipeline" in pdf_text(out / "c.pdf")


def test_sweep_preset_checkup_gives_each_cause_a_flip_rate(bn_model, tmp_path):
    from vggcompare.core.studies.sweep.run import run_sweep

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


def test_a_checkup_sweep_runs_each_image_alone_as_the_checkup_of_that_image_does(bn_model, tmp_path, monkeypatch):
    """The reference is one image alone in its call, so the "batch size" cause compares 8 copies in a call with the
    image alone in a sweep too (not with the sweep's grouped images): each row is the one-image checkup's run, bit for bit."""
    import csv
    import hashlib

    from vggcompare.core.passes import forward
    from vggcompare.core.studies.sweep.run import run_sweep

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("cat.jpg", "brick.jpg", "grass.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    cfg = ExperimentConfig(model=bn_model, seeding="once")
    calls = []
    real = forward.forward
    monkeypatch.setattr(forward, "forward", lambda prepared, x, keys, c: calls.append((c.passes, len(x))) or real(prepared, x, keys, c))
    drive(run_sweep(str(folder), str(tmp_path / "out"), cfg, preset="checkup"))
    assert calls and all(rows == (8 if passes == 8 else 1) for passes, rows in calls), calls  # never two photos in a call
    with open(tmp_path / "out" / "rows.csv", newline="") as f:
        rows = {(r["image"], r["variant"].rsplit(": ", 1)[0]): r for r in csv.DictReader(f)}
    checkup = _checkup(cfg.replace(image=str(folder / "brick.jpg")))

    def sha(run):
        return hashlib.sha256(np.ascontiguousarray(run.probabilities, np.float32).tobytes()).hexdigest()

    for cause in ("reference (your pipeline)", "batch size", "call eager", "training mode", "training mode: BatchNorm batch statistics"):
        run = checkup.runs["reference" if cause.startswith("reference") else cause]
        assert rows[("brick.jpg", cause)]["probabilities_sha256"] == sha(run), cause
    measured = {r.cause: r for r in checkup.rows}
    assert float(rows[("brick.jpg", "batch size")]["largest_change"]) == pytest.approx(measured["batch size"].largest_change, abs=1e-12)


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


def test_a_new_process_cause_that_fails_says_why_and_the_checkup_goes_on(tiny_models, monkeypatch):
    from vggcompare.core.errors import VggCompareError
    from vggcompare.core.process import fresh

    class Failing(fresh.FreshRun):
        def result(self):
            self.stop()
            raise VggCompareError("the fresh process failed: the model file vanished")

    monkeypatch.setattr(fresh, "FreshRun", Failing)
    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=tiny_models["plain"], seeding="once")
    rows = {r.cause: r for r in _checkup(cfg, new_processes=True).rows}
    assert rows["threads"].status != MEASURED and "the model file vanished" in rows["threads"].reason
    assert rows["kernel library"].status != MEASURED and rows["loader opencv"].status == MEASURED


def test_cancelling_while_new_processes_run_stops_them(tiny_models, monkeypatch):
    from vggcompare.core.errors import RunCancelled
    from vggcompare.core.process import fresh

    started = []

    class Recorded(fresh.FreshRun):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            started.append(self)

    monkeypatch.setattr(fresh, "FreshRun", Recorded)
    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=tiny_models["plain"], seeding="once")
    seen = []
    gen = run_checkup(cfg, cancel=lambda: "new Python process" in " ".join(seen), new_processes=True)
    with pytest.raises(RunCancelled):
        while True:
            seen.append(next(gen).message)
    assert len(started) == 2 and all(run._proc.poll() is not None for run in started)  # killed, not left running
    assert all(not os.path.exists(run._tmp.name) for run in started)


def test_new_process_causes_follow_the_backend_and_this_process_kernels(monkeypatch):
    from vggcompare.core.studies.checkup_causes import causes_for, kernels_in_force

    for value, expected in (("1", "onednn"), ("0", "eigen"), ("true", "onednn")):
        monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", value)
        assert kernels_in_force() == expected
        kernel = {c.key: c for c in causes_for(ExperimentConfig(), None)}["kernel library"]
        assert kernel.changes == {"kernels": "eigen" if expected == "onednn" else "onednn"} and kernel.fresh_process
    jax = {c.key: c for c in causes_for(ExperimentConfig(backend="jax"), None)}
    assert jax["kernel library"].not_applicable == why_not("kernels", ExperimentConfig(backend="jax")) and "TensorFlow setting" in jax["threads"].not_applicable
    one = {c.key: c for c in causes_for(ExperimentConfig(threads=1), None)}["threads"]
    assert one.changes == {"threads": 2}


def test_the_checkup_demonstration_starts_its_new_processes_first_and_ranks_them(tiny_models, monkeypatch):
    """The window's checkup card (the preset) runs the two new-process causes beside the others, not after them."""
    from vggcompare.core.passes import engine
    from vggcompare.core.process import fresh
    from vggcompare.core.studies.presets.run import run_preset

    events = []

    class Recorded(fresh.FreshRun):
        def __init__(self, config, *a, **k):
            events.append(("new process", config.kernels, config.threads))
            super().__init__(config, *a, **k)

    real = engine.run_passes
    monkeypatch.setattr(fresh, "FreshRun", Recorded)
    monkeypatch.setattr(engine, "run_passes", lambda *a, **k: events.append(("in process",)) or real(*a, **k))
    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=tiny_models["plain"], seeding="once")
    outcome = drive(run_preset("checkup", cfg))[0]
    assert [e[0] for e in events[:2]] == ["new process", "new process"] and events[2] == ("in process",)
    assert {e[1:] for e in events[:2]} == {("default", 1), ("eigen" if engine_kernels() == "onednn" else "onednn", None)}
    names = [row[0] for row in outcome.rows]
    assert any(n.startswith("threads: 1 thread") for n in names) and any(n.startswith("kernel library") for n in names)


def engine_kernels():
    from vggcompare.core.studies.checkup_causes import kernels_in_force

    return kernels_in_force()


def test_the_checkup_reads_its_image_once_and_validates_each_cause_once(bn_model, monkeypatch):
    """The image path becomes a picture in one place (engine.resolve_image), and no configuration is validated twice."""
    from collections import Counter

    from vggcompare.core.passes import engine

    loads, validated = [], Counter()
    real_load, real_validate = engine.load_image, ExperimentConfig.validate
    monkeypatch.setattr(engine, "load_image", lambda path: loads.append(path) or real_load(path))
    monkeypatch.setattr(ExperimentConfig, "validate", lambda self: validated.update([self]) or real_validate(self))
    path = str(sweep_samples_folder() / "cat.jpg")
    checkup = _checkup(ExperimentConfig(image=path, model=bn_model, seeding="once"))
    assert loads == [path]
    measured = [r for r in checkup.rows if r.status == MEASURED]
    assert len(measured) > 10 and all(validated[checkup.runs[r.cause].config] == 1 for r in measured)
    assert validated and max(validated.values()) == 1, [c.summary() for c, n in validated.items() if n > 1]


def test_each_row_is_reported_as_soon_as_it_is_measured_as_a_small_message(bn_model):
    """Every cause ends on a report carrying its row ("cause k of n: name"), before the checkup returns; the rows
    reported are the checkup's rows, and a report pickles to a few kilobytes (it crosses the engine's pipe)."""
    import pickle

    from vggcompare.core.input.images import load_image
    from vggcompare.core.job_driver import drive as drive_job
    from vggcompare.core.studies.checkup_rows import CHECKUP_STAGE, CheckupProgress

    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=bn_model, seeding="once")
    kept: dict = {}
    reports = []
    kept_when_first_row = None

    def seen(report) -> None:
        nonlocal kept_when_first_row
        reports.append(report)
        if report.row is not None and kept_when_first_row is None:
            kept_when_first_row = set(kept)

    checkup = drive_job(run_checkup(cfg, new_processes=False, runs=kept), seen)
    first_row = next(r for r in reports if r.row is not None).row
    assert first_row.measured and kept_when_first_row == {"reference", first_row.cause}  # kept as soon as made
    assert checkup.runs is kept and len(kept) > len(kept_when_first_row)  # filled as the causes ran
    assert all(isinstance(r, CheckupProgress) for r in reports)
    rowed = [r for r in reports if r.row is not None]
    n = len(checkup.rows)
    assert [r.done for r in rowed] == list(range(1, n + 1)) and all(r.total == n for r in rowed)
    assert [r.message for r in rowed[:2]] == [f"cause 1 of {n}: {rowed[0].row.cause}", f"cause 2 of {n}: {rowed[1].row.cause}"]
    assert not any("Pass" in r.message for r in reports if r.stage == CHECKUP_STAGE)
    first = reports.index(rowed[0])
    assert first < len(reports) - n  # the first row came out long before the last cause ran
    final = {r.cause: r for r in checkup.rows}
    for report in rowed:
        assert report.row == final[report.row.cause]
        assert len(pickle.dumps(report)) < 4096
    measured = [r.row for r in rowed if r.row.measured]
    assert measured and all(len(r.top5) == 5 and len(r.against_top5) == 5 for r in measured)
    for r in measured:  # both top-5s are the runs' own
        assert r.top5 == [[c.label, float(c.mean)] for c in checkup.runs[r.cause].statistics.top5]
        assert r.against_top5[0][0] == r.against_top1 == checkup.runs[r.against].labels[checkup.runs[r.against].statistics.top1_mode]
    data = json.loads(json.dumps(checkup.to_dict()))
    assert data["format"] == "vggcompare-checkup-1" and data["rows"][0]["top5"] == checkup.rows[0].top5
    # a row's pair: the runs kept under the checkup's token, else made again (another engine), bit for bit
    from vggcompare.core.studies import checkup_pair
    from vggcompare.core.studies.checkup_pair import run_pair

    kept = checkup_pair.kept_runs("token-1")
    kept.update(checkup.runs)
    image = load_image(cfg.image)
    pair = drive(run_pair(cfg, image, "call eager", token="token-1"))[0]
    assert pair[0] is checkup.runs["reference"] and pair[1] is checkup.runs["call eager"]
    checkup_pair.kept_runs("token-2")  # a newer checkup: the older one's runs are gone
    against, cause = drive(run_pair(cfg, image, "TensorFlow's default DCT", token="token-1"))[0]
    assert against is not checkup.runs["loader tf-dataset"]
    # opened in the window, a row's pair also comes compared layer by layer: training mode enters at the BatchNorm
    *pair, layers = drive(run_pair(cfg, image, "training mode", layers=True))[0]
    assert [r.name for r in pair] == ["checkup: reference", "checkup: training mode"]
    assert layers.enters_at is not None and "batch_normalization" in layers.enters_at.name
    assert against.name == "checkup: loader tf-dataset" and cause.name == "checkup: TensorFlow's default DCT"
    assert np.array_equal(against.probabilities, checkup.runs["loader tf-dataset"].probabilities)
    assert np.array_equal(cause.probabilities, checkup.runs["TensorFlow's default DCT"].probabilities)


def test_the_windows_model_check_prepares_the_checkups_first_call(bn_model, monkeypatch):
    """The window's background model check traces the call the checkup's reference makes (one image alone) and
    sets its seed, so the first row needs no trace and TensorFlow's kernel cache is not cleared again."""
    from vggcompare.core.model import prepare
    from vggcompare.core.passes.engine import run_passes
    from vggcompare.core.studies import jobs
    from vggcompare.core.studies.checkup_causes import reference_config

    prepare.clear_cache()
    cfg = ExperimentConfig(image=str(sweep_samples_folder() / "cat.jpg"), model=bn_model)
    info = drive(jobs.prepare(cfg))[0]
    assert info.input_size == (32, 32)
    compiled = []
    real_compile = prepare.compile_forward
    monkeypatch.setattr(prepare, "compile_forward", lambda *a, **k: compiled.append(a[2]) or real_compile(*a, **k))
    from tensorflow.python.eager import context

    seed_before = context.context()._seed
    drive(run_passes(reference_config(cfg), split_training=False))
    assert compiled == [] and context.context()._seed == seed_before
