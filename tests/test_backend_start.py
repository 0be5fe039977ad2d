"""Settings fixed when Keras starts (backend, kernel library): a later request for others is refused in one sentence."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
from vggcompare.core.errors import ConfigError
from vggcompare.core.model.backend import EngineSettings, apply_start_settings, start_backend

start_backend(EngineSettings(kernels=sys.argv[1]))
for backend, kernels in (("tensorflow", "default"), ("tensorflow", "onednn"), ("tensorflow", "eigen"), ("jax", "default")):
    try:
        apply_start_settings(EngineSettings(backend=backend, kernels=kernels))
        print(backend, kernels, "accepted")
    except ConfigError as exc:
        print(backend, kernels, "refused:", exc)
"""


def _requests_after_start(kernels: str, onednn_variable: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND")}
    if onednn_variable is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = onednn_variable
    out = subprocess.run([sys.executable, "-c", PROBE, kernels], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return {" ".join(line.split()[:2]): line.split(" ", 2)[2] for line in out.stdout.splitlines()}


def test_other_kernels_or_backend_after_keras_started_are_refused():
    seen = _requests_after_start("eigen", None)  # started with Eigen kernels, asked for explicitly
    assert seen["tensorflow eigen"] == "accepted" and seen["tensorflow default"] == "accepted"
    assert seen["tensorflow onednn"] == ("refused: this process already started Keras with Eigen kernels, "
                                         "so oneDNN kernels can only be used in a new process")
    assert seen["jax default"].startswith("refused: this process already started Keras with the TENSORFLOW backend")


def test_a_kernel_choice_after_a_start_on_the_default_kernels_is_refused():
    """The old check compared against a variable that was never set, and so let Eigen pass after a default start."""
    seen = _requests_after_start("default", None)
    assert seen["tensorflow default"] == "accepted"
    for kernels, words in (("onednn", "oneDNN"), ("eigen", "Eigen")):
        assert seen[f"tensorflow {kernels}"] == (f"refused: this process already started Keras with TensorFlow's default "
                                                 f"kernels, so {words} kernels can only be used in a new process")
    assert _requests_after_start("default", "1")["tensorflow onednn"] == "accepted"  # the variable said oneDNN at the start
