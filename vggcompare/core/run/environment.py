"""The environment record: what a run's numbers depend on (versions, CPU, threads, precision)."""

from __future__ import annotations

import os
import platform
import sys
from functools import lru_cache
from typing import Any



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

