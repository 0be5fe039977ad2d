"""The session controller: the one owner of the image, the jobs, the history's saving and busy/cancel.

Widgets are views: they call the controller's methods (``run``, ``run_preset``, ``repeat``,
``cancel``, ``load_image``…) and show what its signals carry. Every job goes through one
:class:`~vggcompare.gui.session.job_runner.JobRunner`: runs, demonstrations, repeats and model checks in the
engine process, file jobs on a thread. Finished runs are saved by the engine job itself
(:mod:`vggcompare.core.studies.jobs`), the one path that saves a run; the controller lists them.
The controller computes no statistics.

Adding a feature: its long work is a module-level generator function in ``vggcompare.core.studies.jobs``
(plain picklable arguments; it yields progress and returns its outcome). A small controller of its
own, like :class:`~vggcompare.gui.session.model_session.ModelSession`, takes ``session.runner``, submits
``Job(function, args)`` with ``EngineSettings.from_config(config)`` and connects the
handle it gets back (no other controller hears that job); its view talks only to it. Controllers
hold no widgets and show no dialogs: the window wires them to its views.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal

from vggcompare.core.analysis.compare import compare_results
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import LoadedImage, load_image
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_process import Job
from vggcompare.core.storage.history import History
from vggcompare.gui.session.history_files import HistoryFiles
from vggcompare.gui.session.job_handle import JobHandle
from vggcompare.gui.session.job_runner import JobRunner
from vggcompare.gui.session.model_session import ModelSession, sentence

RUN, PRESET, REPEAT = "run", "preset", "repeat"


def read_and_compare(a, b) -> tuple:
    """Two history entries' runs, read from their files, and their comparison: (A, B, RunComparison)."""
    run_a, run_b = a.read(), b.read()
    return run_a, run_b, compare_results(run_a, run_b, "A", "B")


def _n_passes(n: int) -> str:
    return f"{n} pass{'es' if n != 1 else ''}"


class SessionController(QObject):
    """Holds the session's state and runs its jobs; views talk to it through methods and signals."""

    image_changed = Signal(object)  # LoadedImage
    image_failed = Signal(str, str)  # sentence, details
    job_started = Signal(str, str)  # headline, detail (e.g. "Running 20 passes…", the settings)
    progress = Signal(object)  # core Progress
    result_ready = Signal(object)  # RunResult, finished or opened
    preset_ready = Signal(object)  # PresetOutcome
    comparison_ready = Signal(object, object, str, str, object)  # run A, run B, their names, RunComparison
    entry_saved = Signal(object)  # HistoryEntry of a run saved by a job
    history_loaded = Signal(object, object)  # entries, warnings
    failed = Signal(str, object, str)  # title, exception, traceback text
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, history: History | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history = history or History()
        self.runner = JobRunner(self)
        self.model = ModelSession(self.runner, self)
        self.history_files = HistoryFiles(self.history, self.runner, self)  # rename, delete, undo off the GUI thread
        self.image: LoadedImage | None = None
        self.result: RunResult | None = None  # the run shown
        self.last_pair: tuple[RunResult, RunResult] | None = None
        self._shown: JobHandle | None = None  # the run, demonstration or repeat whose outcome the window waits for
        self._last_read: JobHandle | None = None  # the newest request to open or compare runs of the history
        self.runner.busy_changed.connect(self.busy_changed)

    # ---- busy and cancel: the one pair ------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a run, demonstration or repeat of this session is going."""
        return self._shown is not None and self._shown.live

    def cancel(self) -> None:
        """Cancel this session's run, demonstration or repeat; the window hears ``cancelled`` at once."""
        if self._shown is not None:
            self._shown.cancel()

    # ---- file jobs -------------------------------------------------------------------------
    def file_job(self, func, *args, done=None, failed=None) -> JobHandle:
        """Run ``func(*args)`` off the GUI thread; ``done(outcome)`` or ``failed(exc, details)`` follows on it."""
        handle = self.runner.run_local(func, *args)
        if done is not None:
            handle.succeeded.connect(done)
        if failed is not None:
            handle.failed.connect(failed)
        return handle

    # ---- the image -------------------------------------------------------------------------
    def load_image(self, path: str) -> None:
        """Load an image file off the GUI thread; ``image_changed`` or ``image_failed`` follows."""
        self.file_job(load_image, os.path.abspath(path), done=self.set_image,
                      failed=lambda exc, details: self.image_failed.emit(sentence(exc), details))

    def set_image(self, loaded: LoadedImage) -> None:
        """Make ``loaded`` the session's image (pasted, dropped or loaded)."""
        self.image = loaded
        self.image_changed.emit(loaded)

    # ---- jobs ------------------------------------------------------------------------------
    def _submit(self, kind: str, job: Job, config: ExperimentConfig, headline: str, detail: str) -> JobHandle:
        self._shown = None  # the run it replaces is not shown as cancelled: this one takes its place
        handle = self.runner.submit(job, EngineSettings.from_config(config))
        self._shown = handle
        handle.progress.connect(lambda report: self.progress.emit(report) if handle is self._shown else None)
        handle.succeeded.connect(lambda outcome: self._on_done(kind, outcome, handle is self._shown))
        handle.failed.connect(lambda exc, details: self._on_failed(kind, exc, details) if handle is self._shown else None)
        handle.cancelled.connect(lambda: self.cancelled.emit() if handle is self._shown else None)
        self.job_started.emit(headline, detail)
        return handle

    def _history_dir(self) -> str:
        return str(self.history.folder)

    def _need_image(self) -> None:
        if self.image is None:
            raise ConfigError("open an image first")

    def run(self, config: ExperimentConfig) -> None:
        """Run N passes of ``config`` on the session's image (a run in progress is replaced)."""
        from vggcompare.core.studies import jobs  # (the engine's modules load when the first job is submitted)

        self._need_image()
        job = Job(jobs.run_and_save, (config, self.image, self._history_dir()), keep_when_done=True)
        self._submit(RUN, job, config, f"Running {_n_passes(config.passes)}…", f"Settings: {config.summary()}")

    def run_preset(self, name: str, config: ExperimentConfig) -> JobHandle:
        """Run the demonstration ``name`` with ``config``'s model on the session's image; returns its job handle."""
        from vggcompare.core.studies import jobs
        from vggcompare.core.studies.presets.registry import PRESETS

        self._need_image()
        preset = PRESETS[name]
        job = Job(jobs.preset_and_save, (name, config, self.image, self._history_dir()))
        return self._submit(PRESET, job, config, preset.title, "Running… " + preset.explanation)

    def repeat(self, fresh_process: bool) -> None:
        """Repeat the shown run's exact configuration and compare the two."""
        from vggcompare.core.studies import jobs

        original = self.result
        if original is None:
            raise ConfigError("run something first: there is no run to repeat")
        if not original.config.image or not os.path.isfile(original.config.image):
            raise ConfigError("this run's image file is not on disk any more (pasted images cannot be repeated)")
        job = Job(jobs.repeat_and_save, (original, fresh_process, self._history_dir()))
        where = " in a fresh Python process" if fresh_process else ""
        self._submit(REPEAT, job, original.config, f"Repeating the run{where}…", f"Settings: {original.config.summary()}")

    # ---- history ---------------------------------------------------------------------------
    def load_history(self) -> None:
        """List the saved runs off the GUI thread; ``history_loaded`` follows."""
        self.file_job(self.history.load, done=lambda outcome: self.history_loaded.emit(*outcome),
                      failed=lambda exc, _d: self.history_loaded.emit([], [f"The history folder cannot be read: {exc}"]))

    def open_result_file(self, path: str) -> None:
        """Import a result file into the history and show it; a bad file gets one sentence."""
        def done(entry) -> None:
            self.entry_saved.emit(entry)
            self.show_result(entry.result)

        self.file_job(self.history.import_file, path, done=done,
                      failed=lambda exc, details: self.failed.emit("The result cannot be opened", exc, details))

    def open_entry(self, entry) -> None:
        """Show a run of the history, its file read off the GUI thread; of quick requests, only the last is shown."""
        handle = self.file_job(entry.read, done=lambda result: self.show_result(result) if handle is self._last_read else None,
                               failed=lambda exc, details: self.failed.emit("The saved run cannot be opened", exc, details))
        self._last_read = handle

    def compare_entries(self, a, b) -> None:
        """Compare two runs of the history; their files are read and compared off the GUI thread."""
        def done(outcome) -> None:
            if handle is self._last_read:
                self.compare(outcome[0], outcome[1], comparison=outcome[2])

        handle = self.file_job(read_and_compare, a, b, done=done,
                               failed=lambda exc, details: self.failed.emit("These runs cannot be compared", exc, details))
        self._last_read = handle

    def show_result(self, result: RunResult) -> None:
        """Show a saved or opened run."""
        self.result = result
        self.result_ready.emit(result)

    def compare(self, a: RunResult, b: RunResult, a_name: str = "A", b_name: str = "B", comparison=None) -> None:
        """Compare two runs (the core's numbers, on a thread) and show them side by side."""
        if comparison is not None:
            self.last_pair = (a, b)
            self.comparison_ready.emit(a, b, a_name, b_name, comparison)
            return
        self.file_job(compare_results, a, b, a_name, b_name,
                      done=lambda outcome: self.compare(a, b, a_name, b_name, comparison=outcome),
                      failed=lambda exc, details: self.failed.emit("These runs cannot be compared", exc, details))

    # ---- outcomes --------------------------------------------------------------------------
    def _listed(self, result: RunResult) -> None:
        entry = result.history_entry
        if isinstance(entry, BaseException):
            self.failed.emit("The run could not be saved to the history", entry, "")
        elif entry is not None:
            self.entry_saved.emit(entry)

    def _on_done(self, kind: str, outcome, shown: bool) -> None:
        """A run, demonstration or repeat succeeded: list what it saved; show it if the window waits for it."""
        if kind == RUN:
            self._listed(outcome)
            if shown:
                self.show_result(outcome)
        elif kind == PRESET:
            for result in outcome.runs.values():
                self._listed(result)
            if shown:
                self.preset_ready.emit(outcome)
        elif kind == REPEAT:
            self._listed(outcome.repeat)
            if shown:
                names = ("the original", "the repeat in a fresh process" if outcome.fresh_process else "the repeat")
                self.compare(outcome.original, outcome.repeat, *names, comparison=outcome.comparison)

    def _on_failed(self, kind: str, exc: BaseException, details: str) -> None:
        title = {RUN: "The run failed", PRESET: "The demonstration failed", REPEAT: "The repeat failed"}[kind]
        self.failed.emit(title, exc, details)

    # ---- closing ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel jobs and wait for file jobs; a run whose passes are done is still saved by its engine job."""
        self.model.shutdown()
        self.runner.shutdown()
