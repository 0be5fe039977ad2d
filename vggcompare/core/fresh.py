"""Run a configuration in a new Python process: the honest test of 'same result next time?'."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, VggCompareError
from vggcompare.core.result import RunResult, load_result

TIMEOUT_S = 900


def run_in_fresh_process(config: ExperimentConfig, image_path: str | None = None) -> RunResult:
    """Run ``config`` with ``python -m vggcompare run --config`` in a new process; return its result."""
    image = image_path or config.image
    if not image:
        raise ConfigError("a fresh-process run needs the image's file path")
    with tempfile.TemporaryDirectory(prefix="vggcompare-fresh-") as tmp:
        cfg_file = Path(tmp) / "config.json"
        out_file = Path(tmp) / "result.json"
        cfg_file.write_text(json.dumps(config.replace(image=str(image)).to_dict()))
        cmd = [sys.executable, "-m", "vggcompare", "run", str(image), "--config", str(cfg_file), "--out", str(out_file), "--quiet"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=dict(os.environ))
        except subprocess.TimeoutExpired:
            raise VggCompareError(f"the fresh process did not finish within {TIMEOUT_S} s") from None
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
            reason = lines[-1][len("error: "):] if lines else (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise VggCompareError(f"the fresh process failed: {reason}")
        return load_result(out_file)
