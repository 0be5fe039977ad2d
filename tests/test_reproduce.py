"""`vggcompare reproduce`: a result file re-run here, compared, and refused cleanly when it cannot be."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from vggcompare.cli import main
from vggcompare.core.job_driver import drive
from vggcompare.core.analysis.records import Environment
from vggcompare.core.studies.reproduce import environment_rows, reproduce


def make_result(capsys, tmp_path, photo, model, *extra):
    path = tmp_path / "original.json"
    args = ["run", photo, "--model", model, "--passes", "4", "--batch-size", "1", "--seeding", "once", "--quiet", "--out", str(path)]
    assert main([*args, *extra]) == 0
    capsys.readouterr()
    return path


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def original(capsys, tmp_path, photo):
    return make_result(capsys, tmp_path, photo, "vgg19-random")


@pytest.mark.vgg19
def test_a_result_made_here_is_reproduced_bit_for_bit_and_written(capsys, original, tmp_path):
    code, out, err = cli(capsys, "reproduce", str(original), "--out", str(tmp_path / "new.json"), "--quiet")
    assert code == 0, err
    assert "Bit-identical: yes, all 4 passes" in out and "top-5 agreement 5/5" in out
    assert "Environment that differs: none of the recorded fields" in out
    assert "reproduces the result bit for bit" in out
    new = json.loads((tmp_path / "new.json").read_text())
    assert new["probabilities"] == json.loads(original.read_text())["probabilities"]


@pytest.mark.vgg19
def test_a_result_from_another_cpu_lists_the_differing_environment(capsys, original):
    doc = json.loads(original.read_text())
    other_kernels = "oneDNN" if doc["environment"]["kernels"] == "Eigen" else "Eigen"  # whichever this machine did not run
    doc["environment"].update(cpu="AMD EPYC 7B13", cpu_flags=["avx2"], kernels=other_kernels, kernels_choice="default")
    doc["probabilities"][0][0] = float(np.float32(doc["probabilities"][0][0]) + np.float32(1e-6))  # its numbers differ a little
    original.write_text(json.dumps(doc))
    code, out, err = cli(capsys, "reproduce", str(original), "--quiet")
    assert code == 0, err
    assert "Bit-identical: no; largest difference 1e-06" in out
    table = out.split("Environment that differs:")[1]
    for field in ("cpu ", "cpu_flags", "kernels"):
        assert field in table
    assert "AMD EPYC 7B13" in table and "avx2" in table
    assert "the kernel library (oneDNN and Eigen sum in different orders)" in out
    assert "the CPU's instruction sets" in out


def test_refusals_are_one_error_line(capsys, tiny_models, photo, tmp_path):
    path = make_result(capsys, tmp_path, photo, tiny_models["plain"])
    # a custom model file is not loaded without the user's say-so
    code, out, err = cli(capsys, "reproduce", str(path), "--quiet")
    assert code == 2 and err.count("\n") == 1 and err.startswith("error:") and "--allow-model" in err
    # with it, the run happens and exits 0
    code, out, err = cli(capsys, "reproduce", str(path), "--quiet", "--allow-model")
    assert code == 0 and "Bit-identical: yes" in out, err
    # a missing image
    doc = json.loads(path.read_text())
    moved = tmp_path / "elsewhere.png"
    doc["image"]["source"] = doc["config"]["image"] = str(tmp_path / "gone.png")
    path.write_text(json.dumps(doc))
    code, _, err = cli(capsys, "reproduce", str(path), "--allow-model")
    assert code == 2 and "is not on this machine; pass --image PATH" in err and err.count("\n") == 1
    # the same picture given with --image is accepted
    shutil.copy(photo, moved)
    code, out, err = cli(capsys, "reproduce", str(path), "--allow-model", "--image", str(moved), "--quiet")
    assert code == 0 and "pixels match the recorded hash" in out, err
    # another picture is refused by its pixel hash
    other = tmp_path / "other.png"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(other)
    code, _, err = cli(capsys, "reproduce", str(path), "--allow-model", "--image", str(other))
    assert code == 2 and "pixels' SHA-256 differs" in err and err.count("\n") == 1
    # a newer format version
    doc["format_version"] = 99
    path.write_text(json.dumps(doc))
    code, _, err = cli(capsys, "reproduce", str(path), "--allow-model", "--image", str(moved))
    assert code == 2 and "newer vggcompare" in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_generator_reports_progress_and_returns_the_reproduction(tiny_models, photo, tmp_path, capsys):
    path = make_result(capsys, tmp_path, photo, tiny_models["dropout"], "--dropout", "--augment")
    gen = reproduce(str(path), allow_model=True)
    stages = []
    rep = drive(gen, lambda report: stages.append(report.stage))
    assert stages[0] == "loading" and "passes" in stages
    assert rep.comparison.numbers.bit_identical and rep.new.config.dropout == 0.5
    assert "bit for bit" in rep.verdict


def test_environment_rows_list_only_fields_that_differ():
    there = {"cpu": "A", "cpu_flags": ["avx2"], "keras": "3.15.1", "model": "x"}
    here = {"cpu": "B", "cpu_flags": ["avx2", "avx512f"], "keras": "3.15.1", "model": "y"}
    assert environment_rows(Environment.from_dict(there), Environment.from_dict(here)) == [("cpu", "A", "B"), ("cpu_flags", "avx2", "avx2 avx512f")]
