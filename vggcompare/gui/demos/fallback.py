"""Which model the demonstrations run: the chosen one, or EfficientNet-Lite0 when ImageNet VGG19's weights are missing.

The controls are never changed: only a demonstration started from the gallery runs on the real model
that needs no download, and every card says so while that holds.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vggcompare.core.catalog import LITE0
from vggcompare.core.config import ExperimentConfig
from vggcompare.gui.session.model_session import READY, WEIGHTS_MISSING

NOTE = ("Runs on EfficientNet-Lite0 (real ImageNet weights, no download): the ImageNet VGG19 weights are not on "
        "this computer.")


class DemoModel(QObject):
    """Follows the model checks; ``config_for`` gives a demonstration's configuration and the cards' note."""

    changed = Signal()

    def __init__(self, model_session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vgg19_missing = False
        model_session.state_changed.connect(self._on_state)
        self._session = model_session

    def _on_state(self, state: str, _sentence: str) -> None:
        if state == WEIGHTS_MISSING and not self.vgg19_missing and self._session.missing_model == "vgg19":
            self.vgg19_missing = True
            self.changed.emit()
        elif state == READY and self.vgg19_missing and self._session.ready_model == ("vgg19", None):
            self.vgg19_missing = False  # the weights were downloaded or put in the cache
            self.changed.emit()

    def config_for(self, config: ExperimentConfig | None) -> tuple[ExperimentConfig | None, str]:
        """(the configuration a demonstration runs, the note its card shows: '' when it is the chosen model)."""
        if config is not None and self.vgg19_missing and config.model == "vgg19" and config.weights is None:
            return config.replace(model=LITE0), NOTE
        return config, ""
