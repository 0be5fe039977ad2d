"""The main window: layout and menus. Views ask the session controller; the controller's signals fill the views."""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QMainWindow

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.resources import is_bundled_sample
from vggcompare.core.storage.history import History
from vggcompare.gui.history.panel import HistoryPanel
from vggcompare.gui.controls.panel import ControlsPanel
from vggcompare.gui.common.dialogs import error_sentence, show_error
from vggcompare.gui.window.export_actions import ExportActions
from vggcompare.gui.image.panel import ImagePanel
from vggcompare.gui.window.menus import build_menus
from vggcompare.gui.window.model_wiring import attach_model_status, follow_controls
from vggcompare.gui.controls.advanced import connect_bfloat16_note
from vggcompare.gui.window import reproduce_actions
from vggcompare.gui.window.presenter import Presenter
from vggcompare.gui.window.run_guard import may_run
from vggcompare.gui.results import ResultsView
from vggcompare.gui.controls.run_panel import RunPanel
from vggcompare.gui.session.controller import SessionController
from vggcompare.gui.common.settings import WindowSettings
from vggcompare.gui.sweep.tab import add_sweep_tab
from vggcompare.gui.image.weights_prompt import WeightsPrompt
from vggcompare.gui.window.layout import two_columns
from vggcompare.gui.demos.fallback import DemoModel
from vggcompare.gui.window.tabs import CHECKUP_TAB, DEMOS_TAB, RESULT_TAB, WindowTabs
from vggcompare.gui.checkup.tab import add_checkup_tab

TITLE = "vggcompare"


class MainWindow(QMainWindow):
    """Pick an image, switch causes on and off, run N passes, read the verdict, top-5 and spread."""

    def __init__(self, settings: WindowSettings | None = None, restore: bool = True, history: History | None = None) -> None:
        super().__init__()
        self.settings = settings or WindowSettings()
        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)
        self.session = SessionController(history, self)
        self.controls, self.run_panel, self.image_panel = ControlsPanel(), RunPanel(), ImagePanel()
        self.prompt = WeightsPrompt()
        self.prompt.setVisible(False)
        self.results = ResultsView(self.image_panel)
        self.history_panel = HistoryPanel(self.session.history_files)
        self.tabs = WindowTabs(self.results, self.history_panel)
        self.checkup_tab = add_checkup_tab(self, CHECKUP_TAB)
        self.sweep_view = add_sweep_tab(self)
        self.model_state = attach_model_status(self)
        self.statusBar().addPermanentWidget(self.model_state.label, 1)
        self.exports = ExportActions(self)
        connect_bfloat16_note(self.controls.numerics_settings, self.session.model)
        self.demo_model = DemoModel(self.session.model, self)  # demonstrations on EfficientNet-Lite0 without VGG19's weights
        self._closed = False
        self.splitter, self.results_area = two_columns(self.controls, self.run_panel, self.prompt, self.tabs)
        self.setCentralWidget(self.splitter)
        build_menus(self)
        self._connect_views()
        self._connect_session()
        self.resize(1600, 1000)
        if restore:
            self._restore()
        self._on_controls_changed()
        QTimer.singleShot(0, self.session.load_history)  # on a thread, once the event loop runs

    # ---- wiring ----------------------------------------------------------------------------
    def _connect_views(self) -> None:
        s, tabs = self.session, self.tabs
        self.run_panel.run.clicked.connect(self.start_run)
        self.run_panel.cancel.clicked.connect(self.cancel_run)
        self.controls.changed.connect(self._on_controls_changed)
        self.image_panel.open_requested.connect(s.load_image)
        self.image_panel.image_made.connect(s.set_image)
        self.image_panel.load_failed.connect(lambda msg, details: self.show_error("The image cannot be used", msg, details))
        self.image_panel.recent_cleared.connect(self._clear_recent)
        self.history_panel.open_requested.connect(s.open_entry)
        self.history_panel.compare_requested.connect(s.compare_entries)
        self.history_panel.warning.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        tabs.gallery.run_requested.connect(self.start_demo)
        self.demo_model.changed.connect(self.update_estimates)

    def _connect_session(self) -> None:
        s = self.session
        s.image_changed.connect(self._on_image_changed)
        s.image_failed.connect(lambda msg, details: self.show_error("The image cannot be used", msg, details))
        s.entry_saved.connect(self.history_panel.list_entry)
        s.history_loaded.connect(self.history_panel.populate)
        self.presenter = Presenter(self)
        self.reproducer = reproduce_actions.attach(self)  # Compare → Reproduce on this machine

    def _restore(self) -> None:
        config = self.settings.config()
        if config is not None:
            self.controls.set_config(config)
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        groups = self.settings.store.value("expanded_groups", "")
        self.controls.set_expanded_groups(groups.split(",") if groups else [])
        folder = self.settings.last_folder()
        self.image_panel.start_folder = self.prompt.last_folder = folder
        self.controls.model.set_start_folder(folder)
        self.image_panel.set_recent_files(self.settings.recent_files())

    def start_background_work(self) -> None:
        """Load the plotting library, then start the engine and prepare the model (call once the window is shown).

        The plots come first (about 0.3 s, in small pieces on this thread): while the engine process starts,
        it takes a core, and the one long piece (pyqtgraph's own modules, ~45 ms) took up to 90 ms then.
        A run asked for meanwhile starts the engine itself.
        """
        self.results.plots_ready.connect(self.model_state.start, Qt.ConnectionType.SingleShotConnection)
        self.results.prepare_plots()

    # ---- images ----------------------------------------------------------------------------
    def load_image(self, path: str) -> bool:
        """Ask the session to load an image file (off the GUI thread)."""
        return self.image_panel.load_path(path)

    def _on_image_changed(self, loaded: LoadedImage) -> None:
        self.image_panel.show_image(loaded)
        self.setWindowTitle(f"{os.path.basename(loaded.source)} — {TITLE}")
        if os.path.isfile(loaded.source) and not is_bundled_sample(loaded.source):
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

    # ---- configuration ---------------------------------------------------------------------
    def current_config(self) -> ExperimentConfig:
        """The configuration in the controls, with the session's image; raises ConfigError."""
        loaded = self.session.image
        return self.controls.config(loaded.source if loaded is not None and os.path.isfile(loaded.source) else None)

    def _on_controls_changed(self) -> None:
        problem = self.controls.problem()
        if problem is None and self.session.image is None:
            problem = "Open an image first."
        self.run_panel.set_problem(problem)
        for action in [self.run_action, self.checkup_action, *self.demo_actions]:
            action.setEnabled(problem is None)
        self.tabs.gallery.set_enabled(problem is None)
        follow_controls(self)
        self.update_estimates()

    def update_estimates(self) -> None:
        """Show each demonstration card's cost for the current settings and the last measured time per pass."""
        try:
            config = self.current_config() if self.session.image is not None else None
        except ConfigError:
            config = None
        config, note = self.demo_model.config_for(config)
        self.tabs.gallery.set_note(note)
        result = self.session.result
        per_pass = result.timings.seconds_per_pass if result is not None else None
        self.tabs.gallery.update_estimates(config, per_pass or None, self.session.image)

    # ---- running ---------------------------------------------------------------------------
    def _guarded(self, action):
        try:
            return action()
        except ConfigError as exc:
            self.run_panel.set_problem(error_sentence(exc))  # and None: nothing started

    def start_run(self) -> None:
        """Start a run with the current settings (a run in progress is cancelled first)."""
        def go() -> None:
            config = self.current_config()
            if not may_run(self):
                return
            self.settings.set_config(config)
            self.tabs.setCurrentIndex(RESULT_TAB)  # before the run starts: its banner is on this tab
            self.session.run(config)
        self._guarded(go)

    def start_demo(self, name: str) -> None:
        """A demonstration's card or menu entry: the checkup runs on its own tab, the others as demonstrations."""
        if name == "checkup":
            self.start_checkup()
        else:
            self.start_preset(name)

    def start_preset(self, name: str):
        """Run a demonstration with the current model and image; its job handle, or None when it did not start."""
        def go():
            config = self.demo_model.config_for(self.current_config())[0]
            if not may_run(self):
                return None
            self.tabs.setCurrentIndex(DEMOS_TAB)
            return self.session.run_preset(name, config)
        return self._guarded(go)

    def start_checkup(self) -> None:
        """Check every cause on the open image with the chosen model and pipeline, on the Checkup tab (one click)."""
        def go() -> None:
            config = self.current_config()
            if not may_run(self):
                return
            self.settings.set_config(config)
            self.tabs.setCurrentIndex(CHECKUP_TAB)  # builds its view, which then hears the rows
            self.checkup_tab.checkups.start(config)
        self._guarded(go)

    def repeat(self, fresh_process: bool) -> None:
        """Repeat the shown run and compare."""
        try:
            if may_run(self):
                self.session.repeat(fresh_process)
        except ConfigError as exc:
            self.statusBar().showMessage(error_sentence(exc), 10_000)

    def cancel_run(self) -> None:
        """Cancel what the Run panel shows: a run, checkup, demonstration, repeat, reproduction or a sweep row's rerun."""
        self.session.cancel()
        self.checkup_tab.checkups.cancel()
        self.reproducer.cancel()
        self.sweep_view.sweeps.cancel_row()

    def show_error(self, title: str, message: str, details: str = "") -> None:
        """Show an error dialog; the window keeps working."""
        if not self._closed:  # over presenter mode when it is on, not hidden behind it
            parent = view if (view := getattr(self, "present_view", None)) is not None and view.active else self
            self.error_box = show_error(parent, title, message, details, "The window still works: change the settings or the image and try again.")

    # ---- palette, closing ------------------------------------------------------------------
    def changeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Follow the system's light or dark palette."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.ThemeChange):
            self.results.refresh_theme()
            self.run_panel.refresh_theme()
            self.prompt.refresh_theme()
        super().changeEvent(event)

    def shutdown(self) -> None:
        """Cancel work, wait for file jobs, and save the settings; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.model_state.shutdown()
        self.session.shutdown()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.store.setValue("expanded_groups", ",".join(self.controls.expanded_groups()))
        try:
            self.settings.set_config(self.controls.config())
        except ConfigError:
            pass
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Closing mid-run cancels the run; a run whose passes are done is still saved by the engine."""
        self.shutdown()
        super().closeEvent(event)
