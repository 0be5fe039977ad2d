"""The numerics settings of the process (threads, deterministic ops) and the environment record."""

from __future__ import annotations

import os
import platform
import sys
from functools import lru_cache
from typing import Any

from vggcompare.core.errors import ConfigError


@lru_cache(maxsize=1)
def cpu_name() -> str:
    """The CPU model name, from /proc/cpuinfo where available."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def set_threads(threads: int | None) -> int:
    """Set TensorFlow's intra-op thread count (before its first op); return the count in force.

    TensorFlow fixes the count when it starts, so asking for a different one later raises
    ConfigError with a sentence that says how to get it (a fresh process).
    """
    import tensorflow as tf

    current = tf.config.threading.get_intra_op_parallelism_threads()
    if threads is None or threads == current:
        return current or (os.cpu_count() or 1)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    except RuntimeError:
        in_force = current or (os.cpu_count() or 1)
        if in_force == threads:
            return threads
        raise ConfigError(
            f"TensorFlow already started with {in_force} thread(s) in this process, and the count can only be "
            f"set before it starts; run in a fresh process to use {threads} (the CLI's --threads, or Repeat in a fresh process)"
        ) from None
    return threads


def set_deterministic_ops(enabled: bool) -> None:
    """Switch TensorFlow's op determinism on or off for the following calls."""
    from tensorflow.python.framework import config as tf_config

    if enabled:
        tf_config.enable_op_determinism()
    elif tf_config.is_op_determinism_enabled():
        tf_config.disable_op_determinism()


def environment_record(precision: str, deterministic_ops: bool) -> dict[str, Any]:
    """Versions, device, CPU, threads and precision: what the numbers depend on."""
    import keras
    import numpy as np
    import tensorflow as tf

    intra = tf.config.threading.get_intra_op_parallelism_threads()
    inter = tf.config.threading.get_inter_op_parallelism_threads()
    gpus = tf.config.list_physical_devices("GPU")
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "platform": platform.platform(),
        "device": f"GPU ({len(gpus)})" if gpus else "CPU",
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count() or 1,
        "intra_op_threads": intra or (os.cpu_count() or 1),
        "inter_op_threads": inter or (os.cpu_count() or 1),
        "threads_default": intra == 0,
        "precision": precision,
        "deterministic_ops": deterministic_ops,
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
    }


def environment_line(env: dict[str, Any]) -> str:
    """One line for the window and reports: 'TensorFlow 2.21.0 · Keras 3.15.1 · CPU … · float32'."""
    threads = env.get("intra_op_threads", "?")
    return (
        f"TensorFlow {env.get('tensorflow', '?')} · Keras {env.get('keras', '?')} · NumPy {env.get('numpy', '?')} · "
        f"Python {env.get('python', '?')} · {env.get('device', '?')}: {env.get('cpu', '?')} · {threads} threads · "
        f"{env.get('precision', '?')}{' · deterministic ops' if env.get('deterministic_ops') else ''}"
    )


def import_tensorflow() -> None:
    """Import TensorFlow and Keras once, keeping their start-up chatter off the terminal.

    TensorFlow's C++ start-up messages are written straight to file descriptor 2, before its
    logging settings take effect, so stderr is pointed at /dev/null while it starts.
    """
    if "keras" in sys.modules and "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    saved = None
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        saved = None
    try:
        import keras  # noqa: F401
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
