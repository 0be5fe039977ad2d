"""Starting the engine's backend: TensorFlow's import, thread count and op determinism.

Settings that must precede TensorFlow's start (threads, kernel library) belong to the process that
runs the engine; see :mod:`vggcompare.core.run.engine_process`.
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


def apply_start_settings(settings: EngineSettings) -> None:
    """Set the environment for ``settings`` before the backend is imported in this process.

    Raises ConfigError when the backend already started here with other settings: those need a new process.
    """
    started = "keras" in sys.modules
    for key, value in settings.environment().items():
        if started and os.environ.get(key, value if key != "KERAS_BACKEND" else "tensorflow") != value:
            raise ConfigError(
                f"this process already started Keras with other settings ({key}); "
                "the kernel library and the backend can only be chosen in a new process"
            )
        os.environ[key] = value


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
