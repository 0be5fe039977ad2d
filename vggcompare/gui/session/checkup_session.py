"""The Checkup tab's controller: one checkup at a time through the session's job runner, its rows as they come,
and a row opened as its reference against that cause in the compare view.

It holds no widgets: its view calls ``start``, ``cancel`` and ``open_row`` and shows what its signals carry.
It submits its own jobs and connects their handles (no other controller hears them). Every number comes from
the core: the rows from the checkup's reports, a pair's comparison from :func:`compare_results` on a thread. The
checkup's runs stay in the engine process: only rows cross the pipe, and a row's pair is fetched when opened.
"""

from __future__ import annotations

import itertools
import os

from PySide6.QtCore import QObject, Signal

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_process import Job
from vggcompare.gui.session.job_handle import JobHandle
from vggcompare.gui.session.job_runner import RUN

_tokens = itertools.count(1)


class CheckupSession(QObject):
    """Starts and cancels checkups, keeps the rows measured so far, and opens a row's two runs for comparison.

    A checkup is a run (``RUN``): starting one cancels a run in progress, and a run started later cancels it.
    Opening a row is a run too, so it is refused, with a sentence, while another run is going: a click on a row
    never cancels the user's run.
    """

    started = Signal(str)  # the image's file name
    progress = Signal(object)  # core CheckupProgress (its message says "cause k of n: name")
    row_measured = Signal(object)  # core CauseRow, as soon as the cause was measured (or found not applicable)
    finished = Signal(object)  # core Checkup
    failed = Signal(str, object, str)  # title, exception, traceback text
    cancelled = Signal(int, int)  # rows measured so far, causes in all
    opening = Signal(str)  # the cause whose pair is being computed for the compare view
    note = Signal(str)  # one sentence about an opened pair (why its layers could not be compared)

    def __init__(self, session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = session.runner
        self.rows: list = []  # CauseRow, in the order they were measured
        self.total = 0  # causes in the checkup going or shown
        self.checkup = None  # the finished Checkup (its rows: the runs stay in the engine), or None
        self.config: ExperimentConfig | None = None
        self.image = None
        self.token = ""  # names the checkup whose runs the engine keeps
        self.layers = False  # compare each cause layer by layer too (its row's enters_at); set by the view
        self.with_layers = False  # whether the checkup going or shown compares layers
        self._job: JobHandle | None = None
        self._pair: JobHandle | None = None

    @property
    def running(self) -> bool:
        """True while a checkup of this tab is going."""
        return self._job is not None and self._job.live

    def start(self, config: ExperimentConfig) -> None:
        """Check every cause on the session's image with ``config``'s pipeline and model (one click); with
        ``layers`` set, each measured cause is compared layer by layer too (its row's ``enters_at``)."""
        from vggcompare.core.studies import jobs  # (the engine's modules load when the first job is submitted)

        image = self.session.image
        if image is None:
            raise ConfigError("open an image first")
        self.cancel()
        self.rows, self.total, self.checkup = [], 0, None
        self.config, self.image, self.token = config, image, f"{os.getpid()}-{next(_tokens)}"
        self.with_layers = self.layers
        job = Job(jobs.checkup_and_keep, (config, image, self.token), {"layers": self.layers})
        handle = self._job = self.runner.submit(job, EngineSettings.from_config(config), RUN)
        handle.progress.connect(self._on_progress)
        handle.succeeded.connect(self._on_finished)
        handle.failed.connect(lambda exc, details: self.failed.emit("The checkup failed", exc, details))
        handle.cancelled.connect(lambda: self.cancelled.emit(len(self.rows), self.total))
        self.started.emit(image.source.replace("\\", "/").rsplit("/", 1)[-1])

    def cancel(self) -> None:
        """Cancel this tab's checkup and a row's comparison in progress (no other job); the rows so far stay."""
        for handle in (self._job, self._pair):
            if handle is not None:
                handle.cancel()

    def _on_progress(self, report) -> None:
        self.total = getattr(report, "total", self.total) or self.total
        row = getattr(report, "row", None)
        if row is not None:
            self.rows.append(row)
            self.row_measured.emit(row)
        self.progress.emit(report)

    def _on_finished(self, checkup) -> None:
        self.checkup = checkup  # its rows; its runs stay in the engine
        self.rows = list(checkup.rows)
        self.finished.emit(checkup)

    def row(self, cause: str):
        """The row of ``cause`` measured so far, or None."""
        return next((r for r in self.rows if r.cause == cause), None)

    def open_row(self, cause: str) -> None:
        """Show ``cause`` against its reference in the compare view (the session's ``comparison_ready`` follows).

        The engine keeps the checkup's runs, also those of a cancelled one; the pair comes back from there (or is
        run again when that engine has gone), and the session compares it off the GUI thread."""
        from vggcompare.core.studies import checkup_pair

        if self.running:
            raise ConfigError("the checkup is still running: its rows open in the compare view once it has ended")
        row = self.row(cause)
        if row is None or not row.measured:
            raise ConfigError(f"'{cause}' was not measured: there is no pair of runs to compare")
        if self.runner.running(RUN, besides=self._pair):  # the pair is a run too: it would cancel that one
            raise ConfigError(f"a run is going, and opening '{cause}' would cancel it: click the row again once "
                              "the run has ended (or cancel the run first)")
        if self._pair is not None:
            self._pair.cancel()
        names = (_against_name(row.against), cause)
        job = Job(checkup_pair.run_pair, (self.config, self.image, cause),
                  {"token": self.token, "allow_download": False, "layers": True})
        handle = self._pair = self.runner.submit(job, EngineSettings.from_config(self.config), RUN)
        handle.succeeded.connect(lambda pair: self._compare(pair, names))
        handle.failed.connect(lambda exc, details: self.failed.emit("The comparison could not be made", exc, details))
        self.opening.emit(cause)


    def _compare(self, pair: tuple, names: tuple[str, str]) -> None:
        """Compare the pair off the GUI thread, with its layer comparison (or the sentence why there is none)."""
        a, b, *rest = pair
        if rest and isinstance(rest[0], str):
            self.note.emit(rest[0])
        self.session.file_job(compare_pair, a, b, names, rest[0] if rest else None,
                              done=lambda comparison: self.session.compare(a, b, *names, comparison=comparison),
                              failed=lambda exc, details: self.failed.emit("The comparison could not be made", exc, details))


def compare_pair(a, b, names: tuple[str, str], layers):
    """The core's comparison of a row's two runs, carrying the layer comparison made in the engine (a file job)."""
    from dataclasses import replace

    from vggcompare.core.analysis.compare import compare_results

    comparison = compare_results(a, b, *names)
    return replace(comparison, layers=layers) if layers is not None and not isinstance(layers, str) else comparison


def _against_name(against: str) -> str:
    return "the reference (your pipeline)" if against == "reference" else against
