"""Run a configuration in a new Python process: the honest test of 'same result next time?'."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, RunCancelled, VggCompareError
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.storage.result_file import load_result

TIMEOUT_S = 900


def run_in_fresh_process(
    config: ExperimentConfig, image_path: str | None = None, cancel: Callable[[], bool] | None = None
) -> RunResult:
    """Run ``config`` with ``python -m vggcompare run --config`` in a new process; return its result.

    ``cancel`` is polled every 0.1 s; when it returns True the process is stopped and RunCancelled raised.
    """
    image = image_path or config.image
    if not image:
        raise ConfigError("a fresh-process run needs the image's file path")
    with tempfile.TemporaryDirectory(prefix="vggcompare-fresh-") as tmp:
        cfg_file = Path(tmp) / "config.json"
        out_file = Path(tmp) / "result.json"
        cfg_file.write_text(json.dumps(config.replace(image=str(image)).to_dict()))
        cmd = [sys.executable, "-m", "vggcompare", "run", str(image), "--config", str(cfg_file), "--out", str(out_file), "--quiet"]
        err_file = Path(tmp) / "stderr.txt"
        with open(err_file, "w") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=dict(os.environ))
            deadline = time.monotonic() + TIMEOUT_S
            while proc.poll() is None:
                if (cancel is not None and cancel()) or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    if cancel is not None and cancel():
                        raise RunCancelled("the fresh-process run was cancelled")
                    raise VggCompareError(f"the fresh process did not finish within {TIMEOUT_S} s")
                time.sleep(0.1)
        if proc.returncode != 0:
            stderr = err_file.read_text(errors="replace")
            lines = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
            reason = lines[-1][len("error: "):] if lines else (stderr.strip().splitlines() or ["no output"])[-1]
            raise VggCompareError(f"the fresh process failed: {reason}")
        return load_result(out_file)
