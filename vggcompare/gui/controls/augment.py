"""The augmentation group: which engine runs the augmentation, and its ranges in that engine's own units.

``generator`` is Keras' legacy ImageDataGenerator (degrees, fractions of the size, shear in degrees);
``layers`` is Keras 3's preprocessing layers (RandomRotation's fraction of a turn, RandomShear's
x_factor). Switching the engine loads that engine's defaults. A setting in a form the boxes cannot
show (a list of shifts, whole pixels, a [lo, hi] zoom) is kept as it is until its box is edited.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QWidget

from vggcompare.core.config import FILL_MODES, AugmentConfig, ExperimentConfig
from vggcompare.core.input.keras_layers import LAYERS_DEFAULTS
from vggcompare.gui.controls.fields import combo, float_box

FILL_TEXT = {"nearest": "nearest edge pixel", "constant": "black", "reflect": "mirror image", "wrap": "wrap around"}
ENGINE_TEXT = {"generator": "ImageDataGenerator (legacy Keras, bit for bit)", "layers": "Keras 3 preprocessing layers"}
ENGINE_TIPS = {
    "generator": "Keras' legacy ImageDataGenerator exactly as it behaves, seed for seed: pass i is the batch "
                 "flow(x, batch_size=1, seed=S) draws after np.random.seed(S + i). Note its known swap: "
                 "height_shift_range moves the picture sideways, width_shift_range up and down.",
    "layers": "Keras 3's RandomFlip, RandomRotation, RandomTranslation, RandomShear and RandomZoom layers, built after "
              "keras.utils.set_random_seed(S) and called once per pass, as a plain keras.Sequential does.",
}
# Per engine: (range, step, decimals, suffix, tooltip) of the rotation and shear boxes.
ROTATION = {"generator": ((0, 180), 1, 1, "°", "rotation_range: a random angle up to this many degrees either way."),
            "layers": ((0, 1), 0.01, 3, " of a turn", "RandomRotation(factor): up to factor × 360° either way.")}
SHEAR = {"generator": ((0, 80), 0.1, 2, "°", "shear_range in degrees (Keras has used degrees since 2017: 0.2 means 0.2°)."),
         "layers": ((0, 1), 0.01, 3, "", "RandomShear(x_factor): a horizontal shear of up to this share of the width.")}
FORMS = ("width_shift", "height_shift", "zoom")


class AugmentSettings(QWidget):
    """The engine and the ranges of the random augmentation (the on/off switch is elsewhere)."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(4, 0, 0, 4)
        self.engine = combo()
        for name, text in ENGINE_TEXT.items():
            self.engine.addItem(text, name)
        self.rotation = float_box(0, 180, 20, 1, 1, "± ", "°")
        self.width_shift = float_box(0, 100, 20, 1, 1, "± ", " % of width")
        self.height_shift = float_box(0, 100, 20, 1, 1, "± ", " % of height")
        self.shear = float_box(0, 80, 0.2, 0.1, 2, "± ")
        self.zoom = float_box(0, 95, 20, 1, 1, "± ", " %", "Zoom: factors between 1 − z and 1 + z.")
        self.flip = QCheckBox("Flip left–right half of the time")
        self.flip.setToolTip("Each pass mirrors the image left to right with probability one half.")
        self.fill = combo()
        for mode in FILL_MODES:
            self.fill.addItem(f"{mode} ({FILL_TEXT[mode]})", mode)
        self.fill.setToolTip("How the corners uncovered by rotating or shifting are filled.")
        self.swap_note = QLabel()
        self.swap_note.setWordWrap(True)
        for label, w in (("Engine", self.engine), ("Rotation", self.rotation), ("Width shift", self.width_shift),
                         ("Height shift", self.height_shift), ("Shear", self.shear), ("Zoom", self.zoom), ("", self.flip),
                         ("Fill corners with", self.fill), ("", self.swap_note)):
            form.addRow(label, w)
        self._kept: dict[str, object] = {}  # list forms the boxes cannot show, kept until edited
        self._base = AugmentConfig()
        self._show(self._base)
        for name in ("rotation", "shear", *FORMS):
            getattr(self, name).valueChanged.connect(lambda *_a, n=name: self._edited(n))
        self.flip.toggled.connect(lambda *_a: self.changed.emit())
        self.fill.currentIndexChanged.connect(lambda *_a: self.changed.emit())
        self.engine.currentIndexChanged.connect(self._engine_chosen)

    def _edited(self, name: str) -> None:
        self._kept.pop(name, None)
        self.changed.emit()

    def _units(self, engine: str) -> None:
        for box, table in ((self.rotation, ROTATION), (self.shear, SHEAR)):
            (low, high), step, decimals, suffix, tip = table[engine]
            box.blockSignals(True)
            box.setDecimals(decimals)
            box.setRange(low, high)
            box.setSingleStep(step)
            box.setSuffix(suffix)
            box.setToolTip(tip)
            box.blockSignals(False)
        self.engine.setToolTip(ENGINE_TIPS[engine])
        generator = engine == "generator"
        self.width_shift.setToolTip("width_shift_range as a share of the width. Keras applies it up and down."
                                    if generator else "RandomTranslation width_factor: sideways, up to this share of the width.")
        self.height_shift.setToolTip("height_shift_range as a share of the height. Keras applies it sideways."
                                     if generator else "RandomTranslation height_factor: up and down, up to this share of the height.")
        self.swap_note.setText("<small>As in Keras, height shift moves the picture sideways and width shift up and down "
                               "(keras-team/keras#17398).</small>" if generator else "")

    def _engine_chosen(self) -> None:
        engine = self.engine.currentData()
        self._units(engine)
        defaults = AugmentConfig() if engine == "generator" else LAYERS_DEFAULTS
        self._show(defaults)
        self.changed.emit()

    def _show(self, a: AugmentConfig) -> None:
        widgets = (self.engine, self.rotation, self.width_shift, self.height_shift, self.shear, self.zoom, self.flip, self.fill)
        for w in widgets:
            w.blockSignals(True)
        self._base = a
        self._kept = {n: getattr(a, n) for n in FORMS if isinstance(getattr(a, n), tuple) or getattr(a, n) >= 1}
        self.engine.setCurrentIndex(max(0, self.engine.findData(a.engine)))
        self._units(a.engine)
        self.rotation.setValue(a.rotation)
        self.shear.setValue(a.shear)
        for name in FORMS:
            value = getattr(a, name)
            shown = max(abs(v) for v in value) if isinstance(value, tuple) else value
            getattr(self, name).setValue(shown * 100 if shown < 1 else 0)  # pixels or a list: kept, not shown
        self.flip.setChecked(a.horizontal_flip)
        self.fill.setCurrentIndex(max(0, self.fill.findData(a.fill_mode)))
        for w in widgets:
            w.blockSignals(False)

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with this engine and these ranges (cval, rescale and the order as last shown)."""
        values = {name: self._kept.get(name, getattr(self, name).value() / 100) for name in FORMS}
        return config.replace(augment=dict(
            engine=self.engine.currentData(), rotation=self.rotation.value(), shear=self.shear.value(),
            horizontal_flip=self.flip.isChecked(), fill_mode=self.fill.currentData(), cval=self._base.cval,
            rescale=self._base.rescale, preprocess_first=self._base.preprocess_first, **values))

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the engine and the augmentation ranges of ``config``."""
        self._show(dataclasses.replace(config.augment))
