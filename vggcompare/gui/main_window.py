"""The main window: controls on the left, the image and the run's results on the right."""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, WeightsUnavailableError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.resources import sample_path
from vggcompare.core.analysis.result import RunResult
from vggcompare.gui.compare.lab import Lab
from vggcompare.gui.controls import ControlsPanel
from vggcompare.gui.dialogs import error_sentence, show_error, show_help
from vggcompare.gui.image_panel import ImagePanel
from vggcompare.gui.model_controls import IMAGENET
from vggcompare.gui.model_status import ModelStatus
from vggcompare.gui.results import ResultsView
from vggcompare.gui.results.numbers import n_passes
from vggcompare.gui.run_panel import RunPanel
from vggcompare.gui.settings import WindowSettings
from vggcompare.gui.weights_prompt import WeightsPrompt
from vggcompare.gui.window_layout import two_columns
from vggcompare.gui.worker import RunController

TITLE = "vggcompare"


def _is_sample(path: str) -> bool:
    """True for the bundled sample photos, which are not worth a place in the recent files."""
    return os.path.dirname(os.path.abspath(path)) == str(sample_path("cat").parent)


class MainWindow(QMainWindow):
    """Pick an image, switch causes on and off, run N passes, read the verdict, top-5 and spread."""

    def __init__(self, settings: WindowSettings | None = None, restore: bool = True) -> None:
        super().__init__()
        self.settings = settings or WindowSettings()
        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)
        self.controls = ControlsPanel()
        self.run_panel = RunPanel()
        self.image_panel = ImagePanel()
        self.prompt = WeightsPrompt()
        self.prompt.setVisible(False)
        self.results = ResultsView(self.image_panel)
        self.runner = RunController(self)
        self.lab = Lab(self)
        self.model_state = ModelStatus(self.controls, self.prompt, self.image_panel, self.settings, self)
        self.checker = self.model_state.checker
        self.model_status = self.model_state.label
        self.statusBar().addPermanentWidget(self.model_status, 1)
        self._closed = False
        splitter, self.results_area = two_columns(self.controls, self.run_panel, self.prompt, self.lab.tabs)
        self.splitter = splitter
        self.setCentralWidget(splitter)
        self._build_actions()
        self.lab.install_menus()
        self._connect()
        self.resize(1600, 1000)
        if restore:
            self._restore()
        self._on_controls_changed()

    # ---- set-up ----------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.run_action = QAction("Run", self, shortcut=QKeySequence("Ctrl+R"), triggered=self.start_run)
        self.cancel_action = QAction("Cancel run", self, shortcut=QKeySequence(Qt.Key.Key_Escape), triggered=self.cancel_run)
        open_action = QAction("Open image…", self, shortcut=QKeySequence.StandardKey.Open, triggered=self.image_panel.open_dialog)
        paste_action = QAction("Paste image", self, shortcut=QKeySequence.StandardKey.Paste, triggered=self.image_panel.paste)
        quit_action = QAction("Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        file_menu = self.menuBar().addMenu("&File")
        for action in (open_action, paste_action):
            file_menu.addAction(action)
        file_menu.addMenu(self.image_panel.recent_menu).setText("Recent images")
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        run_menu = self.menuBar().addMenu("&Run")
        run_menu.addAction(self.run_action)
        run_menu.addAction(self.cancel_action)
        self.cancel_action.setEnabled(False)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction("How to read this window", self, shortcut=QKeySequence.StandardKey.HelpContents,
                                    triggered=lambda: show_help(self)))

    def _connect(self) -> None:
        self.run_panel.run.clicked.connect(self.start_run)
        self.run_panel.cancel.clicked.connect(self.cancel_run)
        self.controls.changed.connect(self._on_controls_changed)
        self.image_panel.image_loaded.connect(self._on_image_loaded)
        self.image_panel.load_failed.connect(lambda msg, details: self.show_error("The image cannot be used", msg, details))
        self.image_panel.recent_cleared.connect(self._clear_recent)
        self.runner.progress.connect(self.run_panel.show_progress)
        self.runner.succeeded.connect(self.show_result)
        self.runner.failed.connect(self._on_run_failed)
        self.runner.cancelled.connect(self._on_run_cancelled)
        self.runner.busy_changed.connect(self._on_busy_changed)

    def _restore(self) -> None:
        config = self.settings.config()
        if config is not None:
            self.controls.set_config(config)
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.controls.set_expanded_groups(self.settings.store.value("expanded_groups", "").split(",")
                                          if self.settings.store.value("expanded_groups") else [])
        folder = self.settings.last_folder()
        self.image_panel.start_folder = self.prompt.last_folder = folder
        self.controls.model.set_start_folder(folder)
        self.image_panel.set_recent_files(self.settings.recent_files())

    def start_background_work(self) -> None:
        """Start TensorFlow and prepare the model in the background (call once the window is shown)."""
        self.model_state.start()

    # ---- images ----------------------------------------------------------------------------
    def load_image(self, path: str) -> bool:
        """Load an image file into the window."""
        return self.image_panel.load_path(path)

    def _on_image_loaded(self, loaded: LoadedImage) -> None:
        name = os.path.basename(loaded.source)
        self.setWindowTitle(f"{name} — {TITLE}")
        if os.path.isfile(loaded.source) and not _is_sample(loaded.source):
            self.settings.set_last_folder(loaded.source)
            self.image_panel.set_recent_files(self.settings.add_recent_file(loaded.source))
        self._on_controls_changed()

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self.image_panel.set_recent_files([])

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Accept dropped files and images anywhere on the window."""
        self.image_panel.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Load a file or image dropped anywhere on the window."""
        self.image_panel.dropEvent(event)

    # ---- configuration and model state -----------------------------------------------------
    def current_config(self) -> ExperimentConfig:
        """The configuration in the controls, with the current image; raises ConfigError."""
        loaded = self.image_panel.loaded
        image = loaded.source if loaded is not None and os.path.isfile(loaded.source) else None
        return self.controls.config(image)

    def _on_controls_changed(self) -> None:
        problem = self.controls.problem()
        if problem is None and self.image_panel.loaded is None:
            problem = "Open an image first."
        self.run_panel.set_problem(problem)
        self.run_action.setEnabled(problem is None)
        self.model_state.controls_changed()

    # ---- running ---------------------------------------------------------------------------
    def start_run(self) -> None:
        """Start a run with the current settings (cancelling one in progress first)."""
        try:
            config = self.current_config()
        except ConfigError as exc:
            self.run_panel.set_problem(error_sentence(exc))
            return
        if self.image_panel.loaded is None:
            self.run_panel.set_problem("Open an image first.")
            return
        self.settings.set_config(config)
        self.lab.jobs.cancel()
        self.lab.tabs.setCurrentIndex(0)
        self.results.set_stale(True)
        self.results.banner.show_message(f"Running {n_passes(config.passes)}…", f"Settings: {config.summary()}")
        self.runner.start(config, self.image_panel.loaded)

    def cancel_run(self) -> None:
        """Cancel the run or demonstration in progress (it stops after the current batch of passes)."""
        if self.lab.jobs.busy:
            self.run_panel.show_idle("Cancelling after this batch…")
            self.lab.jobs.cancel()
        if self.runner.busy:
            self.run_panel.show_idle("Cancelling after this batch…")
            self.runner.cancel()

    def show_result(self, result: RunResult) -> None:
        """Show a finished run in every panel."""
        self.results.set_stale(False)
        self.results.show_result(result)
        size = result.image.get("model_input_size")
        if size and self.image_panel.loaded is not None:
            self.image_panel.set_model_view(input_size=(int(size[0]), int(size[1])), interpolation=result.config.interpolation)
        self.run_panel.show_idle(f"Done: {n_passes(result.passes)} in {result.timings.get('total_seconds', 0):.3g} s", 1, 1)
        self.statusBar().showMessage(f"Finished: {result.name}", 10_000)
        self.lab.record(result)
        if result.environment.get("model"):
            self.model_state.model_used(result.environment["model"])

    def _restore_results(self, banner_title: str, banner_text: str) -> None:
        self.results.set_stale(False)
        if self.results.result is not None:
            self.results.show_result(self.results.result)
            self.statusBar().showMessage(f"{banner_title} The results shown are from the previous run.", 10_000)
        else:
            self.results.banner.show_message(banner_title, banner_text)

    def _on_run_cancelled(self) -> None:
        self.run_panel.show_idle("Cancelled")
        self._restore_results("The run was cancelled.", "Press Run to start again.")

    def _on_run_failed(self, exc: BaseException, details: str) -> None:
        self.run_panel.show_idle("Failed")
        self._restore_results("The run failed.", error_sentence(exc))
        if isinstance(exc, WeightsUnavailableError) and self.controls.model.choice.currentIndex() == IMAGENET:
            self.model_state.weights_missing(str(exc))
            return
        self.show_error("The run failed", error_sentence(exc), details)

    def _on_busy_changed(self, busy: bool) -> None:
        busy = busy or self.lab.jobs.busy
        self.run_panel.set_busy(busy)
        self.cancel_action.setEnabled(busy)

    def show_error(self, title: str, message: str, details: str = "") -> None:
        """Show an error dialog; the window keeps working."""
        if not self._closed:
            self.error_box = show_error(self, title, message, details, "The window still works: change the settings or the image and try again.")

    # ---- palette, closing ------------------------------------------------------------------
    def changeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Follow the system's light or dark palette."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.ThemeChange):
            self.results.refresh_theme()
            self.run_panel.refresh_theme()
            self.prompt.refresh_theme()
        super().changeEvent(event)

    def shutdown(self) -> None:
        """Cancel work, wait for the worker threads, and save the settings; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.runner.shutdown()
        self.lab.shutdown()
        self.model_state.shutdown()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.store.setValue("expanded_groups", ",".join(self.controls.expanded_groups()))
        try:
            self.settings.set_config(self.controls.config())
        except ConfigError:
            pass
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Closing mid-run cancels the run and waits for it, so nothing is left running."""
        self.shutdown()
        super().closeEvent(event)
