"""Keeps the status bar's model line and the weights prompt in step with the chosen model and the model session."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from vggcompare.core.catalog import lookup
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.gui.common.dialogs import error_sentence
from vggcompare.gui.image.weights_prompt import WeightsPrompt
from vggcompare.gui.session.model_session import LOADING, READY, WEIGHTS_MISSING, ModelSession

CHECK_DELAY_MS = 400  # settle time after the last change before the model is prepared again


class ModelStatus(QObject):
    """Asks the engine to prepare the chosen model ahead of the run, and says in the status bar what state it is in.

    It reads no controls: the window tells it the chosen model (``controls_changed``) and gives it ``config``,
    a callable returning the current configuration or raising ConfigError. The prompt's choices that change
    the controls (random weights, a weights file, EfficientNet-Lite0) are wired to the controls by the window.
    Checks start only after ``start()`` (once the window is shown), so the engine starts after the first paint.
    """

    def __init__(self, model: ModelSession, prompt: WeightsPrompt, config: Callable[[], ExperimentConfig],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.prompt, self.config = prompt, config
        self.checker = model
        self.label = QLabel("Model: not loaded yet")
        self.enabled = False
        self._closed = False
        self._chosen: str | None = None  # the chosen model when the prompt can be about it (vgg19 or a built-in one)
        self._prompted: str | None = None  # the model the weights prompt was shown for
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS, timeout=self.check)
        self.checker.state_changed.connect(self._on_state)
        prompt.downloaded.connect(lambda _path: self.check(force=True))
        prompt.download_requested.connect(self._download)
        prompt.cancel_requested.connect(model.cancel_download)
        model.download_progress.connect(prompt.show_download_progress)
        model.download_finished.connect(prompt.show_download_finished)

    def start(self) -> None:
        """Begin background checks, starting with the current model."""
        self.enabled = True
        self.check()

    def controls_changed(self, prompt_model: str | None) -> None:
        """Follow a change of the controls (``prompt_model``: ``vgg19``, a built-in model or None): the prompt, a new check soon."""
        self._chosen = prompt_model
        if prompt_model is None or prompt_model != self._prompted:  # the prompt is about another model than the one chosen now
            self.prompt.setVisible(False)
        if self.enabled:
            self._timer.start()

    def check(self, force: bool = False) -> None:
        """Prepare the configured model now (unless it is the one already prepared)."""
        if not self.enabled or self._closed:
            return
        try:
            config = self.config()
        except ConfigError as exc:
            self.label.setText(f"Model: {error_sentence(exc)}")
            return
        self.checker.check(config, force=force)

    def weights_missing(self, sentence: str) -> bool:
        """A run found the ImageNet weights missing: offer the ways on; False when the chosen model has no prompt."""
        if self._chosen is None:
            return False
        self._show_prompt(sentence)
        self.label.setText(f"ImageNet weights unavailable: {sentence}")
        return True

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
        if state == WEIGHTS_MISSING and self._chosen is not None:
            self._show_prompt(sentence)
        elif state in (READY, LOADING):
            self.prompt.setVisible(False)

    def _show_prompt(self, sentence: str) -> None:
        self._prompted = self._chosen
        if self._chosen not in (None, "vgg19"):
            entry = lookup(self._chosen)[0]
            self.prompt.show_reason(sentence, entry.constructor, entry.size_text)
        else:
            self.prompt.show_reason(sentence)

    def _download(self) -> None:
        try:
            config = self.config()
        except ConfigError:
            config = None
        self.checker.download(config if self._chosen not in (None, "vgg19") else None)
