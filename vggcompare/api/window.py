"""The window and the PDF report, each in its own process: the caller's process (a notebook) never imports Qt.

``show`` saves the result to a temporary file and starts ``python -m vggcompare open FILE`` without waiting;
``write_report`` runs ``python -m vggcompare report`` offscreen (QT_QPA_PLATFORM=offscreen) and waits for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from vggcompare.core.errors import VggCompareError


def _saved(result: Any, folder: str, name: str = "result.json") -> Path:
    """The result as a JSON file in ``folder``."""
    from vggcompare.api.files import save_run

    return save_run(result, Path(folder) / name, copy_model=False)  # the window and the report run no model


def show(result: Any) -> subprocess.Popen:
    """Open the window on ``result`` (a RunResult, or a result file's path) in a new process; return that process.

    Examples
    --------
    >>> vc.show(vc.run(model, "cat.png"))  # doctest: +SKIP
    """
    if isinstance(result, (str, os.PathLike)):
        path = Path(result).resolve()
    else:
        from vggcompare.api.arguments import scratch_folder

        path = _saved(result, tempfile.mkdtemp(prefix="show-", dir=scratch_folder()))
    return subprocess.Popen([sys.executable, "-m", "vggcompare", "open", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def write_checkup_report(checkup: Any, path: str | os.PathLike, timeout_s: float = 300) -> Path:
    """Write a checkup's one-page PDF to ``path``: checkup.json drawn offscreen by ``vggcompare report`` in a new process."""
    import json

    from vggcompare.core.atomic import atomic_write_text

    with tempfile.TemporaryDirectory(prefix="vggcompare-report-") as tmp:
        saved = Path(tmp) / "checkup.json"
        atomic_write_text(saved, json.dumps(checkup.to_dict(), ensure_ascii=False))
        return _draw(saved, [], path, timeout_s)


def _draw(saved: Path, other: list[str], path: str | os.PathLike, timeout_s: float) -> Path:
    """``vggcompare report SAVED [OTHER] --out PATH`` offscreen in a new process; one sentence if it fails."""
    target = Path(path).resolve()
    if target.suffix.lower() != ".pdf":
        raise VggCompareError(f"{target.name}: a report is written as .pdf")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "vggcompare", "report", str(saved), *other, "--out", str(target), "--force"],
                          capture_output=True, text=True, env=env, timeout=timeout_s)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        reason = lines[-1][len("error: "):] if lines else (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise VggCompareError(f"the report could not be written: {reason}")
    return target


def write_report(result: Any, path: str | os.PathLike, timeout_s: float = 300, against: Any = None) -> Path:
    """Write the one-page PDF report of ``result`` (compared with ``against``, if given) to ``path``, drawn offscreen
    in a new process."""
    with tempfile.TemporaryDirectory(prefix="vggcompare-report-") as tmp:
        saved = _saved(result, tmp)
        other = ["--against", str(_saved(against, tmp, "other.json"))] if against is not None else []
        return _draw(saved, other, path, timeout_s)
