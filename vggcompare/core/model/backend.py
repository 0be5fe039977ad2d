"""Starting the engine's backend (TensorFlow or JAX under Keras 3), and TensorFlow's thread count and op determinism.

Settings that must precede TensorFlow's start (threads, kernel library) belong to the process that
runs the engine; see :mod:`vggcompare.core.process.engine_process`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from vggcompare.core.errors import ConfigError


@dataclass(frozen=True)
class EngineSettings:
    """What must be fixed before the backend starts: an engine process is started with these."""

    backend: str = "tensorflow"
    kernels: str = "default"
    threads: int | None = None

    @classmethod
    def from_config(cls, config) -> "EngineSettings":
        """The start settings a configuration needs."""
        return cls(backend=config.backend, kernels=config.kernels, threads=config.threads)

    def environment(self) -> dict[str, str]:
        """The environment variables to set before the backend is imported."""
        env = {"KERAS_BACKEND": self.backend}
        if self.kernels != "default":
            env["TF_ENABLE_ONEDNN_OPTS"] = "1" if self.kernels == "onednn" else "0"
        return env


KERNEL_WORDS = {"1": "oneDNN kernels", "0": "Eigen kernels", None: "TensorFlow's default kernels"}
_started: dict[str, str | None] | None = None  # the start variables in force when Keras started in this process


def _started_with() -> dict[str, str | None] | None:
    """The backend and kernel variable Keras started with here, or None before it starts."""
    global _started
    if "keras" not in sys.modules:
        return None
    if _started is None:  # Keras was imported by someone else: what is set now is the best witness
        _started = {"KERAS_BACKEND": active_backend(), "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS")}
    return _started


def apply_start_settings(settings: EngineSettings) -> None:
    """Set the environment for ``settings`` before the backend is imported in this process.

    Once Keras has started, a request for another backend or another kernel library than the one it started
    with raises ConfigError (one sentence): those need a new process. ``kernels="default"`` asks for nothing.
    """
    started = _started_with()
    for key, value in settings.environment().items():
        if started is not None and started.get(key) != value:
            if key == "KERAS_BACKEND":
                asked, running = f"the {value.upper()} backend", f"the {str(started[key]).upper()} backend"
            else:
                asked, running = KERNEL_WORDS[value], KERNEL_WORDS.get(started[key], f"{key}={started[key]}")
            raise ConfigError(f"this process already started Keras with {running}, so {asked} can only be used in a new process")
        os.environ[key] = value


def start_backend(settings: EngineSettings | None = None) -> str:
    """Start Keras on its backend once, quietly; return the backend's name ('tensorflow' or 'jax').

    ``settings``, when given, are applied first (see :func:`apply_start_settings`). Without them the
    backend is whatever ``KERAS_BACKEND`` says (TensorFlow by default). TensorFlow's C++ start-up
    messages are written straight to file descriptor 2, before its logging settings take effect, so
    stderr is pointed at /dev/null while the backend starts.
    """
    if settings is not None:
        apply_start_settings(settings)
    global _started
    if "keras" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        kernels = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
        with _quiet_stderr():
            import keras

            _started = {"KERAS_BACKEND": keras.backend.backend(), "TF_ENABLE_ONEDNN_OPTS": kernels}

            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                tf.config.list_physical_devices("GPU")
    import keras

    return keras.backend.backend()


def import_tensorflow() -> None:
    """Start the backend (TensorFlow unless ``KERAS_BACKEND`` names another); kept for existing callers."""
    start_backend()


def active_backend() -> str:
    """The running Keras backend's name; 'tensorflow' when Keras has not started yet and nothing else is asked."""
    if "keras" in sys.modules:
        import keras

        return keras.backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


class _quiet_stderr:
    """Point file descriptor 2 at /dev/null for the duration of a ``with`` block."""

    def __enter__(self):
        self.saved = None
        try:
            sys.stderr.flush()
            self.saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            self.saved = None
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            os.dup2(self.saved, 2)
            os.close(self.saved)
        return False


def set_threads(threads: int | None) -> int:
    """Set TensorFlow's intra-op thread count (before its first op); return the count in force.

    TensorFlow only. Under another backend the machine's core count is returned (XLA uses them all);
    asking for a count there is refused earlier by the configuration's validation (core.option_rules).

    TensorFlow fixes the count when it starts, so asking for a different one later raises
    ConfigError with a sentence that says how to get it (a fresh process).
    """
    if active_backend() != "tensorflow":
        return os.cpu_count() or 1
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
    """Switch TensorFlow's op determinism on or off for the following calls (TensorFlow only; a no-op elsewhere)."""
    if active_backend() != "tensorflow":
        return
    from tensorflow.python.framework import config as tf_config

    if enabled:
        tf_config.enable_op_determinism()
    elif tf_config.is_op_determinism_enabled():
        tf_config.disable_op_determinism()


def set_random_seed(seed: int) -> None:
    """``keras.utils.set_random_seed(seed)``, except that TensorFlow's eager seed is set again only when it changes.

    Setting it (``tf.random.set_seed``) also clears TensorFlow's kernel cache, so the next forward call
    builds every kernel again: with EfficientNet-Lite0 the first call of 16 passes of every run took
    0.31 s instead of 0.15 s (Intel Xeon, 2 cores). When the seed is unchanged, its random generator for
    op seeds is reset as setting it would, and the cached kernels stay: the engine's own draws never
    come from TensorFlow's stateful random ops (they are keyed by the run's seed words).
    """
    import random

    import keras
    import numpy as np

    if active_backend() != "tensorflow":
        keras.utils.set_random_seed(seed)
        return
    from tensorflow.python.eager import context

    ctx = context.context()
    if getattr(ctx, "_seed", None) != seed or not hasattr(ctx, "_rng"):
        keras.utils.set_random_seed(seed)
        return
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED

    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    ctx._rng = random.Random(seed)  # what tf.random.set_seed does, without clearing the kernel cache
