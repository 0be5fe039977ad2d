"""``vggcompare.load``: any file the CLI, the window or the API wrote, as the API's result type."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vggcompare.api.files import read_json


def load(path: str | os.PathLike) -> Any:
    """Read a file the CLI, the window or the API wrote: a run result, a checkup or a sweep folder.

    Returns a :class:`vggcompare.RunResult` for a result JSON, a :class:`vggcompare.Checkup` for a checkup.json,
    and a :class:`vggcompare.Sweep` for a sweep's folder (or its summary.json).
    """
    p = Path(path)
    if p.is_dir() or p.name == "summary.json":
        from vggcompare.api.sweep import Sweep

        return Sweep.from_folder(p if p.is_dir() else p.parent)
    from vggcompare.api.run_result import RunResult
    from vggcompare.core.storage.result_file import load_result

    doc = read_json(p)
    from vggcompare.core.studies.checkup import CHECKUP_FORMAT

    if isinstance(doc, dict) and doc.get("format") == CHECKUP_FORMAT:
        from vggcompare.api.checkup_result import Checkup

        return Checkup.from_core(Checkup.from_dict(doc))
    return RunResult.from_core(load_result(p))
