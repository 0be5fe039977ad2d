"""Where the model is served: Keras itself or one of its exports (SavedModel, TFLite, ONNX Runtime), with the TFLite
interpreter's settings and the calibration folder of full-integer int8. The window never imports TensorFlow: the
exports are made in the engine's process."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLineEdit, QToolButton

from vggcompare.core.config import MAX_THREADS, ExperimentConfig
from vggcompare.core.option_rules import why_not
from vggcompare.core.runtime_rules import RUNTIMES, TFLITE, TITLES, runtime_of_file
from vggcompare.gui.controls.advanced import SettingsGroup
from vggcompare.gui.controls.fields import combo, int_box

TITLE = "Where the model is served"


class ServingSettings(SettingsGroup):
    """The runtime the passes go through, and the TFLite interpreter's settings."""

    def __init__(self) -> None:
        super().__init__()
        self.runtime = combo("Keras runs the model itself; the others export it with the library's own call, cache the "
                             "export, and run every pass through that runtime's call.")
        for name in RUNTIMES:
            self.runtime.addItem(TITLES[name], name)
        self.xnnpack = QCheckBox("XNNPACK delegate (the interpreter's default)")
        self.xnnpack.setToolTip("Off: the op resolver BUILTIN_WITHOUT_DEFAULT_DELEGATES, as an app that turns the delegate off.")
        self.threads = int_box(0, MAX_THREADS, 0, tip="The interpreter's num_threads (0: its default).")
        self.threads.setSpecialValueText("default")
        self.calibration = QLineEdit()
        self.calibration.setPlaceholderText("the 15 bundled photos")
        self.calibration.setToolTip("Full-integer int8: the representative images the converter calibrates on.")
        self.browse = QToolButton()
        self.browse.setText("Browse…")
        row = QHBoxLayout()
        row.addWidget(self.calibration, 1)
        row.addWidget(self.browse)
        self.form.addRow("Served by", self.runtime)
        self.form.addRow("", self.xnnpack)
        self.form.addRow("Interpreter threads", self.threads)
        self.form.addRow("Calibration", row)
        self.xnnpack.setChecked(True)
        self.browse.clicked.connect(self._browse)
        self.runtime.currentIndexChanged.connect(self._follow)
        for signal in (self.runtime.currentIndexChanged, self.xnnpack.toggled, self.threads.valueChanged,
                       self.calibration.textChanged):
            signal.connect(lambda *_args: self.changed.emit())
        self._follow()

    def _follow(self, *_args) -> None:
        """The TFLite settings follow a TFLite runtime and the calibration folder full-integer int8 (their rules in
        core.option_rules); a disabled setting's tooltip says why."""
        runtime = self.runtime.currentData()
        for option, widgets in (("tflite_xnnpack", (self.xnnpack, self.threads)), ("calibration", (self.calibration, self.browse))):
            reason = why_not(option, {"runtime": runtime})
            for widget in widgets:
                widget.setEnabled(not reason)
                tip = widget.property("own_tip") if widget.property("own_tip") is not None else widget.toolTip()
                widget.setProperty("own_tip", tip)
                widget.setToolTip(tip if not reason else f"{reason[:1].upper()}{reason[1:]}.")

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Calibration: a folder of representative images", self.calibration.text())
        if path:
            self.calibration.setText(path)

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` served by the chosen runtime (a user's own exported file keeps its own)."""
        runtime = runtime_of_file(config.model) or self.runtime.currentData()
        tflite = runtime in TFLITE
        folder = self.calibration.text().strip()
        return config.replace(runtime=runtime, tflite_xnnpack=self.xnnpack.isChecked() if tflite else True,
                              tflite_threads=(self.threads.value() or None) if tflite else None,
                              calibration=os.path.abspath(os.path.expanduser(folder)) if folder and runtime == "tflite-int8" else None)

    def set_from(self, config: ExperimentConfig) -> None:
        """Show where ``config`` is served."""
        self.runtime.setCurrentIndex(max(0, self.runtime.findData(config.runtime)))
        self.xnnpack.setChecked(config.tflite_xnnpack)
        self.threads.setValue(config.tflite_threads or 0)
        self.calibration.setText(config.calibration or "")
        self._follow()
