"""Keeps the status bar's model line, the weights prompt and the model's input size in step with the controls."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from vggcompare.core.errors import ConfigError
from vggcompare.gui.controls.panel import ControlsPanel
from vggcompare.gui.common.dialogs import error_sentence
from vggcompare.gui.image.panel import ImagePanel
from vggcompare.core.catalog import LITE0, lookup
from vggcompare.gui.controls.model import BUILTIN, IMAGENET, IMAGENET_FILE, RANDOM
from vggcompare.gui.session.model_session import LOADING, READY, WEIGHTS_MISSING, ModelSession
from vggcompare.gui.common.settings import WindowSettings
from vggcompare.gui.image.weights_prompt import WeightsPrompt

CHECK_DELAY_MS = 400  # settle time after the last change before the model is prepared again


class ModelStatus(QObject):
    """Asks the engine to prepare the chosen model ahead of the run, and says in the status bar what state it is in.

    Checks start only after ``start()`` (once the window is shown), so the engine starts after the first paint.
    """

    def __init__(self, model: ModelSession, controls: ControlsPanel, prompt: WeightsPrompt, image_panel: ImagePanel,
                 settings: WindowSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controls, self.prompt, self.image_panel, self.settings = controls, prompt, image_panel, settings
        self.checker = model
        self.label = QLabel("Model: not loaded yet")
        self.enabled = False
        self._closed = False
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS, timeout=self.check)
        self.checker.state_changed.connect(self._on_state)
        self.checker.model_ready.connect(lambda info: self.image_panel.set_model_view(input_size=info.input_size))
        prompt.weights_file_chosen.connect(self._use_weights_file)
        prompt.use_random.connect(lambda: self.controls.model.choice.setCurrentIndex(RANDOM))
        prompt.use_lite0.connect(lambda: self.controls.model.choose_builtin(LITE0))
        prompt.downloaded.connect(lambda _path: self.check(force=True))
        prompt.download_requested.connect(model.download)
        prompt.cancel_requested.connect(model.cancel_download)
        model.download_progress.connect(prompt.show_download_progress)
        model.download_finished.connect(prompt.show_download_finished)

    def start(self) -> None:
        """Begin background checks, starting with the current model."""
        self.enabled = True
        self.check()

    def controls_changed(self) -> None:
        """Follow a change of the controls: the model's input picture, the prompt, a new check soon."""
        choice = self.controls.model.choice.currentIndex()
        preprocess = self.controls.preprocess_settings
        switches = tuple(name for name, box in preprocess.pitfalls.items() if box.isChecked())
        self.image_panel.set_model_view(interpolation=preprocess.interpolation.currentData(), switches=switches)
        if choice in (IMAGENET, IMAGENET_FILE, RANDOM) and self.controls.model.problem() is None:
            self.image_panel.set_model_view(input_size=(224, 224))
        elif choice == BUILTIN:
            self.image_panel.set_model_view(input_size=lookup(self.controls.model.builtin_name())[0].input_size)
        if choice != IMAGENET:
            self.prompt.setVisible(False)
        if self.enabled:
            self._timer.start()

    def check(self, force: bool = False) -> None:
        """Prepare the configured model now (unless it is the one already prepared)."""
        if not self.enabled or self._closed:
            return
        try:
            config = self.controls.config()
        except ConfigError as exc:
            self.label.setText(f"Model: {error_sentence(exc)}")
            return
        self.checker.check(config, force=force)

    def weights_missing(self, sentence: str) -> None:
        """A run found the ImageNet weights missing: offer the three ways on."""
        self.prompt.show_reason(sentence)
        self.label.setText(f"ImageNet weights unavailable: {sentence}")

    def model_used(self, description: str) -> None:
        """A run finished with this model, so it is ready."""
        self.checker.ran(description)

    def shutdown(self) -> None:
        """Stop checking; wait for a check or download in progress."""
        self._closed = True
        self._timer.stop()

    def _on_state(self, state: str, sentence: str) -> None:
        self.label.setText(sentence if state != WEIGHTS_MISSING else f"ImageNet weights unavailable: {sentence}")
        self.label.setToolTip(sentence)
        if state == WEIGHTS_MISSING and self.controls.model.choice.currentIndex() == IMAGENET:
            self.prompt.show_reason(sentence)
        elif state in (READY, LOADING):
            self.prompt.setVisible(False)

    def _use_weights_file(self, path: str) -> None:
        self.controls.model.weights.set_path(path)
        self.controls.model.choice.setCurrentIndex(IMAGENET_FILE)
        self.settings.set_last_folder(path)
