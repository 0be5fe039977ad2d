"""The model choice: ImageNet VGG19 (cached or from a file), random weights, or the user's own model."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.model.weights import WEIGHTS_FILE, WEIGHTS_SIZE_TEXT
from vggcompare.gui.controls.fields import FileField, combo

IMAGENET, IMAGENET_FILE, RANDOM, CUSTOM = range(4)
CHOICES = (
    ("ImageNet VGG19", f"VGG19 trained on ImageNet. If its weights ({WEIGHTS_SIZE_TEXT}) are not cached yet, the window offers to download them."),
    ("ImageNet VGG19 from a weights file", f"VGG19 with ImageNet weights read from a file you choose (a copy of {WEIGHTS_FILE})."),
    ("VGG19 with random weights", "VGG19 with freshly drawn random weights: needs no download; the classes it picks mean nothing."),
    ("Your own Keras model", "A .keras or .h5 image classifier of your own, loaded in safe mode, with an optional labels file."),
)


def _missing(path: str, empty_text: str) -> str | None:
    """Why ``path`` cannot be used (empty, missing, a folder), or None."""
    if not path:
        return empty_text
    if not os.path.exists(path):
        return f"The file {path} does not exist."
    if not os.path.isfile(path):
        return f"{path} is a folder, not a file."
    return None


class ModelControls(QWidget):
    """Picks the model; ``apply_to`` writes the choice into a configuration."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = combo()
        for i, (text, tip) in enumerate(CHOICES):
            self.choice.addItem(text)
            self.choice.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.choice.setToolTip("Which network the image goes through. Hover over an entry for details.")
        self.weights = FileField("Choose the VGG19 ImageNet weights", "Keras weights (*.h5 *.hdf5);;All files (*)", WEIGHTS_FILE)
        self.weights.setToolTip(f"A local copy of {WEIGHTS_FILE}: VGG19's ImageNet weights with the classifier top ({WEIGHTS_SIZE_TEXT}).")
        self.reinit = QCheckBox("New random weights for every pass")
        self.reinit.setToolTip(
            "Draw a new set of random weights before every pass (one pass per forward call). "
            "Off: one set of random weights for the whole run."
        )
        self.model_file = FileField("Choose a Keras model", "Keras models (*.keras *.h5 *.hdf5);;All files (*)", "model.keras")
        self.model_file.setToolTip("Your image classifier: one RGB image input with a fixed size, one class-score output.")
        self.labels = FileField("Choose a labels file", "Labels (*.txt *.json);;All files (*)", "optional: one class name per line")
        self.labels.setToolTip(
            "Class names for your model: a text file with one name per line, or a JSON list. "
            "Without it, 1000-class models use the ImageNet names and others 'class 0', 'class 1', …"
        )
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)  # drawn in the palette's secondary text colour
        self.form = QFormLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Weights file", self.weights)
        self.form.addRow("Model file", self.model_file)
        self.form.addRow("Labels file", self.labels)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choice)
        layout.addLayout(self.form)
        layout.addWidget(self.reinit)
        layout.addWidget(self.hint)
        self.choice.currentIndexChanged.connect(self._update_visibility)
        for w in (self.weights, self.model_file, self.labels):
            w.changed.connect(lambda _p: self.changed.emit())
        self.reinit.toggled.connect(lambda _b: self.changed.emit())
        self._update_visibility()

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with model, weights, labels and new-weights-per-pass set from the controls."""
        i = self.choice.currentIndex()
        changes = dict(model="vgg19", weights=None, labels=None, reinit_weights=False)
        if i == IMAGENET_FILE:
            changes["weights"] = self.weights.path() or None
        elif i == RANDOM:
            changes.update(model="vgg19-random", reinit_weights=self.reinit.isChecked())
        elif i == CUSTOM:
            changes.update(model=self.model_file.path(), labels=self.labels.path() or None)
        return config.replace(**changes)

    def problem(self) -> str | None:
        """A sentence saying what is missing before a run can start, or None."""
        i = self.choice.currentIndex()
        if i == IMAGENET_FILE:
            return _missing(self.weights.path(), "Choose the ImageNet weights file (or pick another model).")
        if i == CUSTOM:
            return _missing(self.model_file.path(), "Choose your model file (.keras or .h5).") or (
                _missing(self.labels.path(), "") if self.labels.path() else None
            )
        return None

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the model settings of ``config``."""
        if config.model == "vgg19":
            index = IMAGENET_FILE if config.weights else IMAGENET
        elif config.model == "vgg19-random":
            index = RANDOM
        else:
            index = CUSTOM
        self.weights.set_path(config.weights)
        self.model_file.set_path(config.model if index == CUSTOM else "")
        self.labels.set_path(config.labels)
        self.reinit.setChecked(config.reinit_weights)
        self.choice.setCurrentIndex(index)
        self._update_visibility()

    def set_start_folder(self, folder: str) -> None:
        """The folder the Browse dialogs open in."""
        for field in (self.weights, self.model_file, self.labels):
            field.start_folder = folder

    def _update_visibility(self) -> None:
        i = self.choice.currentIndex()
        self.form.setRowVisible(0, i == IMAGENET_FILE)
        self.form.setRowVisible(1, i == CUSTOM)
        self.form.setRowVisible(2, i == CUSTOM)
        self.reinit.setVisible(i == RANDOM)
        self.hint.setText(CHOICES[i][1])
        self.changed.emit()
