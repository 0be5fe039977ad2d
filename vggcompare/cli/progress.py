"""A one-line progress bar for the terminal."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """A one-line progress bar on stderr: 'pass i of N', rate and ETA."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr is not None
        self.tty = self.enabled and sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, report) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = report.stage == "passes" and report.done == report.total
        if not self.tty:  # a log file gets plain lines: the start and the end
            if report.stage == "loading" or finished:
                sys.stderr.write((report.message if not finished else f"pass {report.done} of {report.total} done") + "\n")
            return
        if report.stage == "passes" and not finished and now - self.last < 0.2:
            return
        self.last = now
        if report.stage != "passes":  # loading, explaining
            line = report.message
        else:
            width = 30
            filled = int(width * report.done / max(report.total, 1))
            eta = f", ETA {report.eta:.1f} s" if report.eta is not None and report.done < report.total else ""
            line = f"[{'#' * filled}{'.' * (width - filled)}] pass {report.done} of {report.total}{eta}"
        end = "\n" if report.stage == "passes" and report.done == report.total else ""
        sys.stderr.write("\r\033[K" + line + end)
        sys.stderr.flush()

    def download(self, done: int, total: int) -> None:
        """Show download progress of the ImageNet weights."""
        if self.tty:
            size = f" of {total / 1e6:.0f} MB" if total else ""
            sys.stderr.write(f"\r\033[KDownloading ImageNet weights: {done / 1e6:.0f} MB{size}")
            sys.stderr.flush()
