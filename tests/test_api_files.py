"""The Python API and the command line agree: vc.run on a model file gives `vggcompare run`'s probabilities bit for
bit; .save writes the JSON they read (with a copy of an in-memory model, so `vggcompare reproduce` runs it
elsewhere); vc.load reads what any of them wrote."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.api_helpers import probe_model


@pytest.fixture(scope="module")
def vc():
    import vggcompare

    return vggcompare


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vggcompare", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("settings, flags", [
    ({}, []),
    ({"preprocess": "caffe", "interpolation": "bilinear", "batch_size": 3}, ["--preprocess", "caffe", "--interpolation", "bilinear", "--batch-size", "3"]),
    ({"augment": True, "seeding": "once", "seed": 8}, ["--augment", "--seeding", "once", "--seed", "8"]),
])
def test_run_on_a_model_file_equals_the_command_line_bit_for_bit(vc, photo, tmp_path, settings, flags):
    model = tmp_path / "probe.keras"
    probe_model().save(model)
    out = tmp_path / "cli.json"
    done = cli("run", photo, "--model", str(model), "--passes", "5", "--out", str(out), "--quiet", *flags)
    assert done.returncode == 0, done.stderr[-2000:]
    here = vc.run(str(model), photo, passes=5, progress=False, **settings)
    there = vc.load(out)
    assert here.config == there.config
    assert np.array_equal(here.probabilities, there.probabilities)
    other = vc.run(str(model), photo, passes=5, progress=False, preprocess="torch")
    assert not np.array_equal(other.probabilities, there.probabilities)  # the probe notices a change of input


def test_save_writes_the_result_json_and_a_copy_of_an_in_memory_model(vc, photo, tmp_path):
    names = [f"kind {i}" for i in range(10)]
    result = vc.run(probe_model(), photo, passes=3, labels=names, progress=False)
    path = result.save(tmp_path / "run.json")
    copy = tmp_path / "run.keras"
    assert copy.is_file() and (tmp_path / "run.labels.txt").read_text().split("\n")[:10] == names
    doc = json.loads(path.read_text())
    assert doc["config"]["model"] == str(copy.resolve())
    assert doc["environment"]["model_sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
    back = vc.load(path)
    assert np.array_equal(back.probabilities, result.probabilities) and back.labels == names
    assert "kind" in back._repr_html_()


def test_reproduce_runs_the_saved_copy_elsewhere_bit_for_bit(vc, photo, tmp_path):
    result = vc.run(probe_model(), photo, passes=2, progress=False)
    result.save(tmp_path / "made" / "run.json") if (tmp_path / "made").mkdir() is None else None
    moved = tmp_path / "elsewhere"
    shutil.move(str(tmp_path / "made"), moved)  # the recorded model path no longer exists
    out = tmp_path / "again.json"
    done = cli("reproduce", str(moved / "run.json"), "--allow-model", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "bit for bit" in done.stdout
    assert np.array_equal(vc.load(out).probabilities, result.probabilities)


def test_reproduce_refuses_a_copy_whose_hash_differs(vc, photo, tmp_path):
    result = vc.run(probe_model(), photo, passes=1, progress=False)
    (tmp_path / "made").mkdir()
    result.save(tmp_path / "made" / "run.json")
    probe_model("other").save(tmp_path / "made" / "swapped.keras")
    os.replace(tmp_path / "made" / "swapped.keras", tmp_path / "made" / "run.keras")
    shutil.move(str(tmp_path / "made"), tmp_path / "elsewhere")
    done = cli("reproduce", str(tmp_path / "elsewhere" / "run.json"), "--allow-model", "--quiet")
    assert done.returncode == 2 and "SHA-256 differs" in done.stderr


def test_a_result_with_an_own_function_cannot_run_again_without_it(vc, photo, tmp_path):
    from vggcompare.core.errors import ConfigError
    from vggcompare.core.passes.engine import run_experiment

    result = vc.run(probe_model(), photo, passes=1, preprocess=lambda b: b / 255.0, progress=False)
    back = vc.load(result.save(tmp_path / "own.json"))
    assert back.config.preprocess_function == "<lambda>"
    with pytest.raises(ConfigError, match="your own preprocessing function <lambda>"):
        run_experiment(back.config)


def test_load_reads_a_checkup_json(vc, photo, tmp_path):
    found = vc.checkup(probe_model(), photo, new_processes=False, progress=False)
    back = vc.load(found.save(tmp_path / "checkup.json"))
    assert type(back).__name__ == "Checkup" and back.headline() == found.headline()
    assert back.row("resize filter").cause == "resize filter"
    assert back.report(tmp_path / "checkup.pdf").read_bytes()[:5] == b"%PDF-"  # from the file alone, in a new process


def test_report_writes_a_pdf_from_a_plain_process(vc, photo, tmp_path):
    result = vc.run(probe_model(), photo, passes=2, progress=False)
    pdf = result.report(tmp_path / "run.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_compare_of_two_runs_and_its_report(vc, photo, tmp_path):
    model = probe_model()
    a = vc.run(model, photo, passes=2, progress=False)
    b = vc.run(model, photo, passes=2, interpolation="bilinear", progress=False)
    found = vc.compare(a, b)
    assert not found.numbers.bit_identical and "interpolation" in found.verdict
    assert "interpolation" in vc.compare(a.save(tmp_path / "a.json"), b.save(tmp_path / "b.json")).verdict
    assert found.report(tmp_path / "ab.pdf").read_bytes()[:5] == b"%PDF-"
