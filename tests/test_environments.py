"""Environments: the record says what the numbers depend on, rows of a call are explained, JAX runs.

The JAX tests run in a subprocess: this test process already started Keras on TensorFlow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from vggcompare.core.analysis.rows import row_pattern
from vggcompare.core.analysis.stats import compute_statistics
from vggcompare.core.analysis.verdict import run_verdict
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.model.bf16 import judge
from vggcompare.core.model.cpu import CPU_FLAGS, default_kernels
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.passes.environment import environment_line


def test_the_environment_record_names_cpu_flags_kernels_backend_and_bfloat16(tiny_models, photo):
    r = run_experiment(ExperimentConfig(image=photo, model=tiny_models["plain"], passes=2))
    env = r.environment
    assert set(env.cpu_flags) <= set(CPU_FLAGS)
    forced = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    expected = {"0": "Eigen", "1": "oneDNN"}.get(forced, default_kernels())
    assert env.kernels == expected  # TensorFlow's own answer agrees with the variable and the CPU's rule
    assert env.kernels_choice == ("forced" if expected != default_kernels() else "default")
    assert env.backend == "tensorflow" and env.backend_version == env.tensorflow
    assert env.bfloat16 in ("native", "emulated") and env.precision_policy == "float32"
    line = environment_line(env)
    assert f"on TensorFlow {env.tensorflow} ({expected}" in line and f"bfloat16 {env.bfloat16}" in line


def test_the_default_kernel_library_follows_tensorflows_rule():
    assert default_kernels(("avx2", "avx512f")) in ("Eigen",)
    for flag in ("avx512_vnni", "avx512_bf16", "amx"):
        assert default_kernels(("avx2", flag)) == ("oneDNN" if os.uname().machine == "x86_64" else "Eigen")


def test_bfloat16_is_native_only_with_the_instructions_and_a_measured_gain():
    assert judge(True, 1.8).native and "native" in judge(True, 1.8).sentence
    assert not judge(True, 0.7).native and "do not use those instructions" in judge(True, 0.7).sentence
    assert not judge(False, 1.2).native and judge(False, 0.9).word == "emulated"


def _rows_result(per_call=8, calls=2, rows=(6, 7), delta=7.5e-9):
    p = np.full((per_call * calls, 4), 0.001, np.float32)
    for c in range(calls):
        for r in rows:
            p[c * per_call + r, 0] += np.float32(delta)
    return p


def test_the_verdict_names_the_rows_of_each_call_that_differ():
    p = _rows_result()
    pattern = row_pattern(p, 8)
    assert pattern.rows == (6, 7) and not pattern.calls_differ
    cfg = ExperimentConfig(image="x.png", model="m.keras", passes=16)
    verdict = run_verdict(compute_statistics(p, ["a", "b", "c", "d"]), ["a", "b", "c", "d"], cfg, False, (), pattern)
    assert "Rows 7–8 of each of the 2 forward calls (8 passes per call) differ from rows 1–6 by up to" in verdict
    assert "another row of one forward call" in verdict
    assert row_pattern(np.full((4, 3), 0.3, np.float32), 4) is None


def test_calls_that_differ_at_the_same_row_are_not_blamed_on_the_row():
    p = np.full((8, 3), 0.3, np.float32)
    p[4:, 1] += np.float32(1e-7)  # the second call differs as a whole
    pattern = row_pattern(p, 4)
    assert pattern.rows == () and pattern.calls_differ
    assert "the calls differ from each other" in run_verdict(compute_statistics(p, ["a", "b", "c"]), ["a", "b", "c"],
                                                             ExperimentConfig(image="x", model="m", passes=8), False, (), pattern)


def test_a_batched_run_without_random_sources_gets_the_verdict_its_numbers_call_for(tiny_models, photo):
    r = run_experiment(ExperimentConfig(image=photo, model=tiny_models["plain"], passes=12, batch_size=12, seeding="off"))
    if r.statistics.all_bit_identical:  # this CPU's kernel treats every row alike
        assert r.verdict.startswith("All 12 passes gave bit-identical outputs")
    else:  # e.g. Eigen on an AVX2 CPU: rows 9-12 differ
        pattern = row_pattern(r.probabilities, 12)
        assert "Rows " in r.verdict and "another row of one forward call" in r.verdict and pattern.rows


def _subprocess(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)


def test_a_jax_run_from_the_cli_repeats_and_records_its_backend(tiny_models, photo, tmp_path):
    pytest.importorskip("jax")
    base = [sys.executable, "-m", "vggcompare", "run", photo, "--model", tiny_models["dropout"], "--passes", "6", "--backend",
            "jax", "--seeding", "once", "--augment", "--dropout", "--quiet"]
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    for name in ("a", "b"):
        proc = subprocess.run([*base, "--out", str(tmp_path / f"{name}.json")], capture_output=True, text=True, timeout=600, env=env)
        assert proc.returncode == 0, proc.stderr
    a, b = (json.loads((tmp_path / f"{n}.json").read_text()) for n in "ab")
    assert a["environment"]["backend"] == "jax" and a["environment"]["kernels"] == "XLA" and a["config"]["backend"] == "jax"
    assert a["probabilities"] == b["probabilities"]  # seeded: the repeat is bit-identical
    assert len({json.dumps(p) for p in a["probabilities"]}) > 1  # dropout and augmentation vary the passes
    assert "on JAX" in proc.stdout
    refused = subprocess.run([*base, "--threads", "1"], capture_output=True, text=True, timeout=600, env=env)
    assert refused.returncode == 2 and "thread count is a TensorFlow setting" in refused.stderr
    assert refused.stderr.count("\n") == 1


def test_new_weights_under_jax_are_the_same_numbers_as_under_tensorflow(tmp_path):
    pytest.importorskip("jax")
    script = (
        "import keras, numpy as np\n"
        "from vggcompare.core.model.reinit import reinitialise\n"
        "m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.Dense(3)])\n"
        "reinitialise(m, (4, 2), {})\n"
        "print(keras.backend.backend(), float(np.asarray(m.layers[0].kernel).sum()), float(np.asarray(m.layers[1].kernel)[0, 0]))\n"
    )
    jax_out = _subprocess(script, tmp_path)
    assert jax_out.returncode == 0, jax_out.stderr
    import keras

    from vggcompare.core.model.reinit import reinitialise

    m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.Dense(3)])
    reinitialise(m, (4, 2), {})
    here = f"tensorflow {float(np.asarray(m.layers[0].kernel).sum())} {float(np.asarray(m.layers[1].kernel)[0, 0])}"
    assert jax_out.stdout.split()[0] == "jax" and jax_out.stdout.split()[1:] == here.split()[1:]


def test_the_cli_says_before_a_bfloat16_run_whether_it_is_native(capsys, tiny_models, photo):
    from vggcompare.cli import main

    assert main(["run", photo, "--model", tiny_models["plain"], "--passes", "2", "--precision", "bfloat16", "--quiet"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("bfloat16 on this machine: ") and "matrix product ran" in first
    assert out.index("bfloat16 on this machine") < out.index("Verdict:")
