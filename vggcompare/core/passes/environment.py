"""The environment record: what a run's numbers depend on (versions, backend, kernels, CPU, threads, precision).

The kernel library in force under TensorFlow is TensorFlow's own answer
(``tensorflow.python.util._pywrap_util_port.IsMklEnabled()``, true when oneDNN runs; checked on
TF 2.21: True by default on an AVX512_BF16 CPU, False with ``TF_ENABLE_ONEDNN_OPTS=0``, True with
``=1``). Whether that was the CPU's default or forced comes from ``TF_ENABLE_ONEDNN_OPTS`` being set;
the default itself follows TensorFlow's rule (2.9 release notes): oneDNN on x86 CPUs with
AVX512_VNNI, AVX512_BF16 or AMX, Eigen elsewhere.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from vggcompare.core.analysis.records import Environment
from vggcompare.core.model.cpu import cpu_flags, cpu_name, default_kernels

__all__ = ["cpu_flags", "cpu_name", "default_kernels", "environment_line", "environment_record", "kernel_library"]


def kernel_library() -> tuple[str, str]:
    """(library in force, 'default' or 'forced') for the running backend; TensorFlow must have started.

    Under JAX the kernels are XLA's own, chosen by JAX: ('XLA', 'default').
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return "XLA", "default"
    from tensorflow.python.util import _pywrap_util_port

    library = "oneDNN" if _pywrap_util_port.IsMklEnabled() else "Eigen"
    forced = "TF_ENABLE_ONEDNN_OPTS" in os.environ or "TF_DISABLE_MKL" in os.environ
    return library, "forced" if forced and library != default_kernels() else "default"


def _backend_facts() -> dict[str, Any]:
    """Backend name, versions, device and threads, asking only the backend that runs."""
    import keras

    backend = keras.backend.backend()
    cores = os.cpu_count() or 1
    facts: dict[str, Any] = {"backend": backend, "keras": keras.__version__}
    if backend == "tensorflow":
        import tensorflow as tf

        intra = tf.config.threading.get_intra_op_parallelism_threads()
        inter = tf.config.threading.get_inter_op_parallelism_threads()
        gpus = tf.config.list_physical_devices("GPU")
        facts.update(tensorflow=tf.__version__, backend_version=tf.__version__, device=f"GPU ({len(gpus)})" if gpus else "CPU",
                     intra_op_threads=intra or cores, inter_op_threads=inter or cores, threads_default=intra == 0)
    elif backend == "jax":
        import jax

        device = jax.devices()[0]
        kind = getattr(device, "device_kind", "") or device.platform
        facts.update(jax=jax.__version__, backend_version=jax.__version__,
                     device="CPU" if device.platform == "cpu" else f"{device.platform.upper()} ({kind})",
                     intra_op_threads=cores, inter_op_threads=cores, threads_default=True,
                     jax_matmul_precision=str(jax.config.jax_default_matmul_precision or "default"))
        tf_version = getattr(sys.modules.get("tensorflow"), "__version__", None)
        if tf_version:  # Keras may import TensorFlow for its data utilities; it does not compute here
            facts["tensorflow"] = tf_version
    return facts


def environment_record(precision: str, deterministic_ops: bool, bfloat16: str | None = None) -> dict[str, Any]:
    """Versions, backend, kernel library, device, CPU and its instruction sets, threads and precision.

    ``bfloat16`` is the measured verdict ('native' or 'emulated', see core.model.bf16) when one was made
    (bfloat16 runs); otherwise the CPU flags and the kernel library decide it (Eigen never uses the
    bfloat16 instructions), and ``bfloat16_evidence`` says which.
    """
    import numpy as np

    flags = cpu_flags()
    library, choice = kernel_library()
    env: dict[str, Any] = {"python": sys.version.split()[0], "numpy": np.__version__}
    env.update(_backend_facts())
    env.update({
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count() or 1,
        "cpu_flags": list(flags),
        "kernels": library,
        "kernels_choice": choice,
        "kernels_default": default_kernels(flags) if env["backend"] == "tensorflow" else "XLA",
        "precision": precision,
        "precision_policy": "mixed_bfloat16 (output layer float32)" if precision == "bfloat16" else "float32",
        "bfloat16": bfloat16 or ("native" if ("avx512_bf16" in flags or "amx" in flags) and library != "Eigen" else "emulated"),
        "bfloat16_evidence": "measured" if bfloat16 else "CPU flags and kernel library",
        "deterministic_ops": deterministic_ops,
    })
    return env


def environment_line(env: Environment) -> str:
    """One line for the window and reports: 'Keras 3.15.1 on TensorFlow 2.21.0 (oneDNN, the CPU's default) · …'."""
    threads = "?" if env.intra_op_threads is None else env.intra_op_threads
    backend = env.backend or "tensorflow"
    version = env.backend_version or env.value(backend, "?")
    name = {"tensorflow": "TensorFlow", "jax": "JAX"}.get(backend, backend)
    kernels = ""
    if env.kernels == "XLA":
        kernels = " (XLA)"
    elif env.kernels:
        kernels = f" ({env.kernels}, {'forced' if env.kernels_choice == 'forced' else 'the CPU’s default'})"
    flag_text = f" [{' '.join(env.cpu_flags) or 'no AVX2'}]" if env.cpu_flags is not None else ""
    bf16 = f" · bfloat16 {env.bfloat16}" if env.bfloat16 else ""
    matmul = f" · matmul precision {env.jax_matmul_precision}" if env.jax_matmul_precision else ""
    served = ""
    if env.runtime and env.runtime != "keras":  # the export's runtime and its version, and the export's hash
        versions = ", ".join(f"{k} {v}" for k, v in (env.runtime_versions or {}).items())
        served = f" · served by {env.runtime}{f' ({versions})' if versions else ''}"
        served += f", export {env.export_sha256[:12]}" if env.export_sha256 else ""
    return (
        f"Keras {env.keras or '?'} on {name} {version}{kernels} · NumPy {env.numpy or '?'} · "
        f"Python {env.python or '?'} · {env.device or '?'}: {env.cpu or '?'}{flag_text} · {threads} threads · "
        f"{env.precision or '?'}{bf16}{matmul}{' · deterministic ops' if env.deterministic_ops else ''}{served}"
    )
