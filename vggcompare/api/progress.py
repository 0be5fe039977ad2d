"""Driving the core's generators to the end, with a progress bar that works in a notebook and a terminal (tqdm.auto)."""

from __future__ import annotations

from typing import Any, Generator

from vggcompare.core.job_driver import drive as drive_job


def drive(gen: Generator[Any, None, Any], what: str, show: bool = True) -> Any:
    """Run ``gen`` (it yields Progress: stage, done, total, message) to the end and return its value."""
    bar = None

    def advance(report: Any) -> None:
        nonlocal bar
        if not show:
            return
        if bar is None:
            import warnings

            with warnings.catch_warnings():  # without ipywidgets, tqdm.auto says so and draws text instead
                warnings.simplefilter("ignore")
                from tqdm.auto import tqdm
            bar = tqdm(total=max(int(report.total), 1), desc=what, unit="step", leave=False)
        total = max(int(report.total), 1)
        if bar.total != total:
            bar.total = total
        if report.done != bar.n:
            bar.n = int(report.done)
            bar.set_postfix_str(str(report.message)[:60], refresh=False)
            bar.refresh()

    try:
        value = drive_job(gen, advance)
        if bar is not None:
            bar.n = bar.total or bar.n
            bar.refresh()
        return value
    finally:
        if bar is not None:
            bar.close()
