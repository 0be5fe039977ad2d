"""The command line: output, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from vggcompare.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_top5_statistics_and_verdict_and_writes_json(capsys, tiny_models, photo, tmp_path):
    out_file = tmp_path / "r.json"
    code, out, err = run_cli(capsys, "run", photo, "--model", tiny_models["dropout"], "--labels", tiny_models["labels"],
                             "--passes", "6", "--seeding", "once", "--augment", "--dropout", "--out", str(out_file))
    assert code == 0, err
    assert "Top-5" in out and "Verdict:" in out and "thing" in out
    assert "pass 6 of 6" in err
    doc = json.loads(out_file.read_text())
    assert {"config", "environment", "labels", "probabilities", "augmentation", "statistics", "verdict"} <= set(doc)
    assert doc["config"]["dropout"] == 0.5


def test_compare_of_a_seeded_repeat_says_bit_for_bit(capsys, tiny_models, photo, tmp_path):
    args = ["run", photo, "--model", tiny_models["dropout"], "--passes", "4", "--seeding", "once", "--augment", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "a.json")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.json")]) == 0
    capsys.readouterr()
    code, out, _ = run_cli(capsys, "compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert code == 0 and "B reproduces A bit for bit." in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "/no/such/image.png", "--model", "vgg19-random"], "does not exist"),
        (["run", "IMG", "--passes", "0"], "number of passes must be from 1 to 100000"),
        (["run", "IMG", "--passes", "many"], "invalid int value"),
        (["run", "IMG", "--seeding", "always"], "invalid choice"),
        (["run", "IMG", "--model", "/no/model.keras"], "does not exist"),
        (["run", "IMG", "--model", "NOTAMODEL"], "is not a Keras model file"),
        (["compare", "/no/a.json", "/no/b.json"], "does not exist"),
        (["frobnicate"], "invalid choice"),
        (["screenshot", "IMG", "--out", "x.png", "--size", "big"], "--size must look like"),
    ],
)
def test_user_errors_exit_2_with_one_error_line(capsys, photo, tmp_path, args, message):
    args = [photo if a == "IMG" else a for a in args]
    if "NOTAMODEL" in args:
        bad = tmp_path / "model.txt"
        bad.write_text("hello")
        args[args.index("NOTAMODEL")] = str(bad)
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("Starting")]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err
    assert "Traceback" not in err


def test_unavailable_imagenet_weights_suggest_a_way_on(capsys, photo, tmp_path, monkeypatch):
    import socket

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(socket.gaierror(-2, "offline")))
    code, _, err = run_cli(capsys, "run", photo, "--passes", "1")
    assert code == 2
    assert "vgg19_weights_tf_dim_ordering_tf_kernels.h5" in err and "--weights" in err and "vgg19-random" in err


def test_unsafe_model_with_lambda_layer_is_refused(capsys, photo, tmp_path):
    import keras

    m = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Flatten(),
                          keras.layers.Dense(3, activation="softmax")])
    path = tmp_path / "lambda.keras"
    m.save(path)
    code, _, err = run_cli(capsys, "run", photo, "--model", str(path), "--passes", "1")
    assert code == 2 and "Lambda layer" in err and "safe mode" in err


def test_the_console_script_runs_as_a_separate_process(photo, tiny_models):
    proc = subprocess.run(
        [sys.executable, "-m", "vggcompare", "run", photo, "--model", tiny_models["plain"], "--passes", "3", "--batch-size", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "All 3 passes gave bit-identical outputs" in proc.stdout
    assert "oneDNN" not in proc.stderr and "Traceback" not in proc.stderr


def test_an_unexpected_failure_is_one_line_without_traceback(capsys, photo, tiny_models, monkeypatch):
    import vggcompare.core.passes.engine as engine

    def broken(*_a, **_k):
        raise RuntimeError("something broke")

    monkeypatch.setattr(engine, "run_experiment", broken)
    monkeypatch.delenv("VGGCOMPARE_DEBUG", raising=False)
    code, _, err = run_cli(capsys, "run", photo, "--model", tiny_models["plain"])
    assert code == 1 and err.startswith("error: unexpected failure (RuntimeError: something broke)")
    assert "Traceback" not in err


def test_outputs_are_checked_before_the_run_and_never_silently_replaced(capsys, photo, tiny_models, tmp_path):
    existing = tmp_path / "r.json"
    existing.write_text("keep me")
    base = ["run", photo, "--model", tiny_models["plain"], "--passes", "2", "--quiet"]
    code, _, err = run_cli(capsys, *base, "--out", str(existing))
    assert code == 2 and "already exists; add --force" in err and existing.read_text() == "keep me"
    code, _, err = run_cli(capsys, *base, "--out", str(tmp_path))
    assert code == 2 and "is a folder" in err
    code, _, err = run_cli(capsys, *base, "--out", "/proc/nope/r.json")
    assert code == 2 and err.startswith("error: cannot write to /proc/nope")
    code, _, _ = run_cli(capsys, *base, "--out", str(existing), "--force")
    assert code == 0 and existing.read_text().startswith("{")


def test_the_window_command_without_a_screen_says_so_instead_of_hiding(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "vggcompare"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and proc.stderr.startswith("error: no screen")
