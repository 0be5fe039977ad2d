"""The "Many images" tab's controller: sweeps and row comparisons through the session's one job runner."""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Signal

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.resources import user_data_dir
from vggcompare.core.run.engine_process import Job

SWEEP, ROW = "sweep", "row"


def default_out_dir(folder: str, preset: str, config: ExperimentConfig) -> str:
    """Where the window keeps a sweep's table: one folder per image folder, preset and model, so a rerun resumes."""
    model = config.model.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{folder.rstrip('/').rsplit('/', 1)[-1]}-{preset}-{model}-{config.passes}").strip("-")
    return str(user_data_dir() / "sweeps" / name)


class SweepSession(QObject):
    """Starts, cancels and hears about sweeps; asks the main session to compare a row's two runs."""

    started = Signal(str)  # the output folder
    progress = Signal(object)  # core SweepProgress (its summary is set when the outputs were rewritten)
    finished = Signal(object)  # SweepOutcome
    failed = Signal(str, object, str)  # title, exception, traceback text
    cancelled = Signal()

    def __init__(self, session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = session.runner
        self._jobs: dict[int, str] = {}
        self.out_dir: str | None = None
        self.runner.listen(self)

    @property
    def running(self) -> bool:
        """True while a sweep of this tab is going."""
        return SWEEP in self._jobs.values()

    def start(self, folder: str, preset: str, config: ExperimentConfig, out_dir: str | None = None) -> None:
        """Run (or resume) ``preset``'s variants on every image of ``folder`` with ``config``'s model."""
        self.out_dir = out_dir or default_out_dir(folder, preset, config)
        job = Job("vggcompare.core.run.sweep:run_sweep", (folder, self.out_dir, config), {"preset": preset, "allow_download": False})
        self._jobs[self.runner.submit(job, EngineSettings.from_config(config))] = SWEEP
        self.started.emit(self.out_dir)

    def compare_row(self, image: str, variant: str) -> None:
        """Run the reference and ``variant`` on ``image`` again and show them in the compare view."""
        if self.out_dir is None:
            return
        from vggcompare.core.storage.sweep_table import SweepTable

        with SweepTable(self.out_dir, create=False) as table:
            settings = table.settings or {}
        config = ExperimentConfig.from_dict(settings["variants"][0]["config"])
        job = Job("vggcompare.core.run.sweep.rerun:rerun_row", (self.out_dir, image, variant))
        self._jobs[self.runner.submit(job, EngineSettings.from_config(config))] = ROW

    def cancel(self) -> None:
        """Cancel the sweep (its finished groups stay in its table; Run again resumes)."""
        if self._jobs:
            self.runner.cancel()

    def _on_progress(self, job_id: int, report) -> None:
        if self._jobs.get(job_id) == SWEEP:
            self.progress.emit(report)

    def _on_succeeded(self, job_id: int, outcome) -> None:
        kind = self._jobs.pop(job_id, None)
        if kind == SWEEP:
            self.finished.emit(outcome)
        elif kind == ROW:
            self.session.compare(*outcome)

    def _on_failed(self, job_id: int, exc: BaseException, details: str) -> None:
        kind = self._jobs.pop(job_id, None)
        if kind is not None:
            self.failed.emit("The sweep failed" if kind == SWEEP else "The comparison could not be run", exc, details)

    def _on_cancelled(self, job_id: int) -> None:
        if self._jobs.pop(job_id, None) == SWEEP:
            self.cancelled.emit()
