"""Run a configuration in a new Python process: the honest test of 'same result next time?', and the only way to
change what TensorFlow fixes when it starts (threads, kernel library, backend).

:class:`FreshRun` starts the process and can be polled, so a caller can do other work meanwhile (the checkup runs
its in-process causes while its new processes start); :func:`run_in_fresh_process` starts one and waits for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, RunCancelled, VggCompareError
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.process.parent_watch import FOLDER_ENV, PARENT_ENV
from vggcompare.core.storage.result_file import load_result

TIMEOUT_S = 900


class FreshRun:
    """``python -m vggcompare run --config`` of one configuration, running in a new process.

    Call :meth:`done` to poll, :meth:`result` once done, :meth:`wait` to block (polling ``cancel``), and
    :meth:`stop` to kill it; every path removes the temporary folder.
    """

    def __init__(self, config: ExperimentConfig, image_path: str | None = None, layers: bool = False) -> None:
        image = image_path or config.image
        if not image:
            raise ConfigError("a fresh-process run needs the image's file path")
        self._tmp = tempfile.TemporaryDirectory(prefix="vggcompare-fresh-")
        tmp = Path(self._tmp.name)
        cfg_file, self._out, self._err_path = tmp / "config.json", tmp / "result.json", tmp / "stderr.txt"
        cfg_file.write_text(json.dumps(config.replace(image=str(image)).to_dict()))
        cmd = [sys.executable, "-m", "vggcompare", "run", str(image), "--config", str(cfg_file), "--out", str(self._out), "--quiet"]
        if config.trust_model:  # the user's trust is not in the file: it is passed on as the user gave it
            cmd.append("--trust-model")
        self._arrays = tmp / "layers.npz" if layers else None  # every layer's activations, for an exact comparison here
        if self._arrays is not None:
            cmd += ["--layers", "--layers-arrays", str(self._arrays)]
        with open(self._err_path, "w") as err:
            env = dict(os.environ, **{PARENT_ENV: str(os.getpid()), FOLDER_ENV: str(tmp)})  # it ends if this process dies
            self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        self.started = time.monotonic()
        self.seconds = 0.0  # wall time from start to finish, set when the process ends
        threading.Thread(target=self._time_it, name="fresh-run-timer", daemon=True).start()

    def _time_it(self) -> None:
        self._proc.wait()
        self.seconds = time.monotonic() - self.started

    def done(self) -> bool:
        """Whether the process has finished (or was stopped)."""
        return self._proc.poll() is not None

    def result(self) -> RunResult:
        """The finished run's result; VggCompareError with the process's own error sentence if it failed."""
        try:
            if self._proc.returncode != 0:
                stderr = self._err_path.read_text(errors="replace")
                lines = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
                reason = lines[-1][len("error: "):] if lines else (stderr.strip().splitlines() or ["no output"])[-1]
                raise VggCompareError(f"the fresh process failed: {reason}")
            result = load_result(self._out)
            if self._arrays is not None and result.layers is not None:
                from vggcompare.core.storage.layer_arrays import read_layer_arrays

                result.layers.arrays = read_layer_arrays(self._arrays, result.layers)
            return result
        finally:
            self._tmp.cleanup()

    def stop(self) -> None:
        """Kill the process if it still runs, and remove its folder."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._tmp.cleanup()

    def poll(self, cancel: Callable[[], bool] | None = None, timeout_s: float = TIMEOUT_S) -> bool:
        """Whether it has finished; if ``cancel()`` says so, or past ``timeout_s``, stop it and raise instead."""
        if self.done():
            return True
        if cancel is not None and cancel():
            self.stop()
            raise RunCancelled("the fresh-process run was cancelled")
        if time.monotonic() - self.started > timeout_s:
            self.stop()
            raise VggCompareError(f"the fresh process did not finish within {timeout_s:.0f} s")
        return False

    def wait(self, cancel: Callable[[], bool] | None = None, timeout_s: float = TIMEOUT_S) -> RunResult:
        """Block until done, polling every 0.1 s (see :meth:`poll`); return the result."""
        while not self.poll(cancel, timeout_s):
            time.sleep(0.1)
        return self.result()


def start_all(planned: dict[Any, tuple[ExperimentConfig, str | None]], layers: bool = False) -> dict[Any, FreshRun]:
    """Start a FreshRun for each key's (config, image path) now, so they work beside what follows.

    ``layers``: each also runs the instrumented pass and hands back every layer's activations.
    If one cannot start, those already started are stopped and the error is raised."""
    runs: dict[Any, FreshRun] = {}
    try:
        for key, (config, image_path) in planned.items():
            runs[key] = FreshRun(config, image_path, layers)
    except BaseException:
        stop_all(runs)
        raise
    return runs


def stop_all(runs: dict[Any, FreshRun]) -> None:
    """Stop every run of ``runs`` that still runs, and remove their folders."""
    for run in runs.values():
        run.stop()


def run_in_fresh_process(
    config: ExperimentConfig, image_path: str | None = None, cancel: Callable[[], bool] | None = None
) -> RunResult:
    """Run ``config`` with ``python -m vggcompare run --config`` in a new process; return its result.

    ``cancel`` is polled every 0.1 s; when it returns True the process is stopped and RunCancelled raised.
    """
    return FreshRun(config, image_path).wait(cancel)
