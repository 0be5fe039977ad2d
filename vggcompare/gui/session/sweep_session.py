"""The "Many images" tab's controller: sweeps and row comparisons through the session's one job runner."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.resources import user_data_dir
from vggcompare.core.process.engine_process import Job
from vggcompare.gui.session.job_handle import JobHandle
from vggcompare.gui.session.job_runner import RUN, SWEEP



def default_out_dir(folder: str, preset: str, config: ExperimentConfig) -> str:
    """Where the window keeps a sweep's table: one folder per image folder, preset, model and maps, so a rerun resumes."""
    model = config.model.replace("\\", "/").rsplit("/", 1)[-1]
    maps = f"-{config.explain}{config.explain_passes or ''}-{config.explain_class or ''}" if config.explain else ""  # a sweep with maps has other settings
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{folder.rstrip('/').rsplit('/', 1)[-1]}-{preset}-{model}-{config.passes}{maps}").strip("-")
    return str(user_data_dir() / "sweeps" / name)


def read_rows(out_dir: str) -> list[dict]:
    """The rows of a sweep's rows.csv, written by the core (a file job: [] when there is none yet)."""
    path = Path(out_dir) / "rows.csv"
    try:
        return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except FileNotFoundError:
        return []


def read_flips(out_dir: str, variant: str) -> list:
    """The images whose top-1 flipped under ``variant``, largest change first, with thumbnails (a file job)."""
    from vggcompare.core.storage.sweep_files import read_flipped

    return read_flipped(out_dir, variant)


def row_settings(out_dir: str) -> EngineSettings:
    """The engine settings of a sweep's reference variant, read from its table (a file job)."""
    from vggcompare.core.storage.sweep_table import SweepTable

    with SweepTable(out_dir, create=False) as table:
        settings = table.settings or {}
    return EngineSettings.from_config(ExperimentConfig.from_dict(settings["variants"][0]["config"]))


class SweepSession(QObject):
    """Starts, pauses, cancels and hears about sweeps; reruns a row's two runs for the compare view.

    A sweep is its own kind of job: a run never cancels it. The window asks, and ``pause()`` stops it
    at its next image group; its finished groups stay in its table, so ``resume()`` goes on from there.
    """

    started = Signal(str)  # the output folder
    progress = Signal(object)  # core SweepProgress (its summary is set when the outputs were rewritten)
    rows_ready = Signal(object)  # the rows of rows.csv (list of dicts), read off the GUI thread
    flips_ready = Signal(str, object)  # a variant and its flipped images (core FlippedImage list), read off the GUI thread
    finished = Signal(object)  # SweepOutcome
    failed = Signal(str, object, str)  # title, exception, traceback text
    cancelled = Signal()
    paused = Signal()

    def __init__(self, session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = session.runner
        self.out_dir: str | None = None
        self._sweep: JobHandle | None = None
        self._row: JobHandle | None = None
        self._rows_read: JobHandle | None = None
        self._flips_read: JobHandle | None = None
        self._last: tuple | None = None  # what the last sweep was started with, for resume()
        self.paused_sweep = False

    @property
    def running(self) -> bool:
        """True while a sweep of this tab is going."""
        return self._sweep is not None and self._sweep.live

    def start(self, folder: str, preset: str, config: ExperimentConfig, out_dir: str | None = None) -> None:
        """Run (or resume) ``preset``'s variants on every image of ``folder`` with ``config``'s model."""
        self.out_dir = out_dir or default_out_dir(folder, preset, config)
        self._last, self.paused_sweep = (folder, preset, config, self.out_dir), False
        from vggcompare.core.studies.sweep.run import run_sweep  # (the engine's modules load when the first job is submitted)

        job = Job(run_sweep, (folder, self.out_dir, config), {"preset": preset, "allow_download": False})
        handle = self._sweep = self.runner.submit(job, EngineSettings.from_config(config), SWEEP)
        handle.progress.connect(self.progress)
        handle.succeeded.connect(self.finished)
        handle.failed.connect(lambda exc, details: self.failed.emit("The sweep failed", exc, details))
        handle.cancelled.connect(lambda: self.paused.emit() if self.paused_sweep else self.cancelled.emit())
        self.started.emit(self.out_dir)

    def pause(self) -> None:
        """Stop the sweep for another job; ``resume()`` goes on from its table."""
        if self.running:
            self.paused_sweep = True
            self._sweep.cancel()

    def resume(self) -> None:
        """Go on with the paused (or last) sweep from its table."""
        if self._last is not None and not self.running:
            self.start(*self._last)

    def cancel(self) -> None:
        """Cancel the sweep (its finished groups stay in its table; Run again resumes); no other job."""
        if self._sweep is not None:
            self._sweep.cancel()

    def read_rows(self) -> None:
        """Read the sweep's rows.csv off the GUI thread; ``rows_ready`` follows (only the newest read is shown)."""
        if self.out_dir is None:
            return
        handle = self._rows_read = self.session.file_job(
            read_rows, self.out_dir, done=lambda rows: self.rows_ready.emit(rows) if handle is self._rows_read else None,
            failed=lambda exc, details: self.failed.emit("The sweep's rows cannot be read", exc, details))

    def read_flips(self, variant: str) -> None:
        """Read the images whose top-1 flipped under ``variant`` off the GUI thread; ``flips_ready`` follows."""
        if self.out_dir is None:
            return
        handle = self._flips_read = self.session.file_job(
            read_flips, self.out_dir, variant,
            done=lambda flips: self.flips_ready.emit(variant, flips) if handle is self._flips_read else None,
            failed=lambda exc, details: self.failed.emit("The sweep's flipped images cannot be read", exc, details))

    def compare_row(self, image: str, variant: str, explain: str | None = None) -> None:
        """Run the reference and ``variant`` on ``image`` again (with ``explain``'s maps) and show them in the compare view."""
        if self.out_dir is None:
            return
        out_dir = self.out_dir
        self.session.file_job(row_settings, out_dir, done=lambda settings: self._rerun(out_dir, image, variant, settings, explain),
                              failed=lambda exc, details: self.failed.emit("The comparison could not be run", exc, details))

    def _rerun(self, out_dir: str, image: str, variant: str, settings: EngineSettings, explain: str | None = None) -> None:
        from vggcompare.core.studies.sweep.rerun import rerun_row

        # the trust the user gave the model of a sweep started in this session (a table never records it)
        trusted = self._last is not None and self._last[3] == out_dir and self._last[2].trust_model
        job = Job(rerun_row, (out_dir, image, variant), {"explain": explain, "trust_model": trusted})
        handle = self._row = self.runner.submit(job, settings, RUN)
        handle.succeeded.connect(lambda pair: self.session.compare(*pair))
        handle.failed.connect(lambda exc, details: self.failed.emit("The comparison could not be run", exc, details))

    def cancel_row(self) -> None:
        """Cancel a row's rerun in progress (no other job)."""
        if self._row is not None:
            self._row.cancel()
