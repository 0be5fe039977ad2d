"""The explanation settings: which maps the run makes (none, Grad-CAM, occlusion), for which class, of how many passes."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from vggcompare.core.config import MAX_EXPLAINED, ExperimentConfig
from vggcompare.gui.controls.advanced import SettingsGroup, _changed
from vggcompare.gui.controls.fields import combo, int_box

DEFAULT_EXPLAINED = 16  # core.passes.explain's (not imported here: that module loads the engine's)
METHOD_TEXT = {None: "Off", "gradcam": "Grad-CAM (last convolutional block)", "occlusion": "Occlusion (7×7 grid; any model)"}


class ExplainSettings(SettingsGroup):
    """Where the model looked: the maps' method, the class they explain and how many passes get one."""

    def __init__(self) -> None:
        super().__init__()
        self.method = combo()
        for value, text in METHOD_TEXT.items():
            self.method.addItem(text, value)
        self.method.setToolTip("Explanation maps of the first passes. Grad-CAM needs a convolutional layer; occlusion "
                               "needs only forward passes (49 more per explained pass), so it works on any model.")
        self.target = QLineEdit()
        self.target.setPlaceholderText("the top-1 of the mean")
        self.target.setToolTip("The class the maps explain: a label or a 0-based class number. Empty: the top-1 of the mean.")
        self.passes = int_box(1, MAX_EXPLAINED, DEFAULT_EXPLAINED, " passes", "How many of the first passes get a map.")
        self.form.addRow("Maps", self.method)
        self.form.addRow("Class", self.target)
        self.form.addRow("Explain the first", self.passes)
        self.method.currentIndexChanged.connect(_changed(self))
        self.method.currentIndexChanged.connect(self._update)
        self.target.textChanged.connect(_changed(self))
        self.passes.valueChanged.connect(_changed(self))
        self._update()

    def _update(self, *_args) -> None:
        on = self.method.currentData() is not None
        self.target.setEnabled(on)
        self.passes.setEnabled(on)

    def use(self, method: str | None) -> None:
        """Choose the maps' method (None: no maps)."""
        self.method.setCurrentIndex(max(0, self.method.findData(method)))

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with these explanation settings (none of them when the maps are off)."""
        method = self.method.currentData()
        if method is None:
            return config.replace(explain=None, explain_class=None, explain_passes=None)
        return config.replace(explain=method, explain_class=self.target.text().strip() or None,
                              explain_passes=None if self.passes.value() == DEFAULT_EXPLAINED else self.passes.value())

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the explanation settings of ``config``."""
        self.use(config.explain)
        self.target.setText(config.explain_class or "")
        self.passes.setValue(config.explain_passes or DEFAULT_EXPLAINED)
