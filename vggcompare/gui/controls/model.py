"""The model choice: ImageNet VGG19 (cached or from a file), random weights, another built-in model, or the user's own."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from vggcompare.core.catalog import LITE0, MODELS, PREPROCESS_WORDS, RANDOM_SUFFIX, lookup, model_label
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.model.trust import is_saved_model, program_form
from vggcompare.core.model.weights import WEIGHTS_FILE, WEIGHTS_SIZE_TEXT
from vggcompare.gui.controls.fields import FileField, combo

IMAGENET, IMAGENET_FILE, RANDOM, CUSTOM, BUILTIN = range(5)
CHOICES = (
    ("ImageNet VGG19", f"VGG19 trained on ImageNet. If its weights ({WEIGHTS_SIZE_TEXT}) are not cached yet, the window offers to download them."),
    ("ImageNet VGG19 from a weights file", f"VGG19 with ImageNet weights read from a file you choose (a copy of {WEIGHTS_FILE})."),
    ("VGG19 with random weights", "VGG19 with freshly drawn random weights: needs no download; the classes it picks mean nothing."),
    ("Your own Keras model", "A .keras or .h5 image classifier of your own, loaded in safe mode, or a SavedModel folder "
     "(which runs only if you trust it), with an optional labels file; or your own exported .tflite or .onnx file, "
     "run in its own runtime."),
    ("Another built-in model", "EfficientNet-Lite0 has real ImageNet weights and needs no download; the keras.applications "
     "models need their weights in Keras' cache, or random weights."),
)


def builtin_entries() -> list[tuple[str, str | None, str]]:
    """(family header or item text, model name or None for a header, tooltip), EfficientNet-Lite0 first, then by family."""
    rows: list[tuple[str, str | None, str]] = []
    family = None
    for entry in MODELS.values():
        if entry.name == "vgg19":
            continue  # the first three choices are VGG19's
        if entry.family != family:
            family = entry.family
            rows.append((f"— {family} —", None, ""))
        h, w = entry.input_size
        if entry.offline:
            text = f"{model_label(entry.name)} · real weights, no download"
        else:
            text = f"{model_label(entry.name)} · {h}×{w} · {entry.preprocess} · {entry.size_text}"
        tip = f"{h}×{w} input; preprocess_input: {PREPROCESS_WORDS[entry.preprocess]}; ImageNet weights: {entry.size_text}."
        rows.append((text, entry.name, tip))
    return rows


def _missing(path: str, empty_text: str, folders: bool = False) -> str | None:
    """Why ``path`` cannot be used (empty, missing, a folder), or None; ``folders``: a SavedModel folder is usable."""
    if not path:
        return empty_text
    if not os.path.exists(path):
        return f"The file {path} does not exist."
    if folders and is_saved_model(path):
        return None
    if not os.path.isfile(path):
        return f"{path} is a folder, not a file{' (nor a SavedModel folder)' if folders else ''}."
    return None


TRUST_TITLE = "Run this model as a program?"


def trust_question(name: str, form: str) -> str:
    """The confirmation's text: what the form is, why it needs the user's trust, and what saying yes means."""
    return (f"{name} is {form}. TensorFlow runs it as a program: when it is called it can read and write files and "
            "start processes, and there is no safe mode for it (TensorFlow's SECURITY.md).\n\n"
            "Run it only if you trust where it comes from. Do you trust this model?")


def ask_trust(parent: QWidget, name: str, form: str) -> bool:
    """Ask the user, in a dialog, whether they trust a model form that is a program."""
    answer = QMessageBox.question(parent, TRUST_TITLE, trust_question(name, form),
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


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
        self.model_file = FileField("Choose a Keras model", "Keras models (*.keras *.h5 *.hdf5);;Exported models: TFLite, ONNX (*.tflite *.onnx);;All files (*)",
                                    "model.keras, model.h5 or a SavedModel folder", folder_text="Folder…")
        self.model_file.setToolTip("Your image classifier: one RGB image input with a fixed size, one class-score output. "
                                   "Folder… picks a SavedModel folder (model.export or TF Serving).")
        self.keras2 = QCheckBox("Read the .h5 file with tf_keras (Keras 2)")
        self.keras2.setToolTip("Read the .h5 file as Keras 2 (tf.keras) did, with tf_keras, instead of Keras 3. tf_keras "
                               "has no safe mode for .h5 files, so it runs only if you trust the file.")
        self.trust = QPushButton("Trust this model…")
        self.trust.setToolTip("This model form runs as a TensorFlow program; say here whether you trust it.")
        self.confirm_trust = ask_trust  # (parent, name, form) -> bool; tests give their own answer
        self._trusted: set[tuple[str, bool]] = set()  # (path, read by tf_keras) the user said they trust
        self.labels = FileField("Choose a labels file", "Labels (*.txt *.json);;All files (*)", "optional: one class name per line")
        self.labels.setToolTip(
            "Class names for your model: a text file with one name per line, or a JSON list. "
            "Without it, 1000-class models use the ImageNet names and others 'class 0', 'class 1', …"
        )
        self.builtin = combo()
        for text, name, tip in builtin_entries():
            self.builtin.addItem(text, name)
            index = self.builtin.count() - 1
            if name is None:  # a family's header: shown, not choosable
                item = self.builtin.model().item(index) if isinstance(self.builtin.model(), QStandardItemModel) else None
                if item is not None:
                    item.setEnabled(False)
            else:
                self.builtin.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.builtin.setCurrentIndex(self.builtin.findData(LITE0))
        self.builtin.setToolTip("The built-in models, by family: input size, preprocessing and ImageNet download size.")
        self.builtin_random = QCheckBox("Random weights (no download)")
        self.builtin_random.setToolTip("Keras' random initialisation of the same network: every switch works, the classes mean nothing.")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)  # drawn in the palette's secondary text colour
        self.form = QFormLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Weights file", self.weights)
        self.form.addRow("Model file", self.model_file)
        self.form.addRow("Labels file", self.labels)
        self.form.addRow("Built-in model", self.builtin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choice)
        layout.addLayout(self.form)
        layout.addWidget(self.keras2)
        layout.addWidget(self.trust)
        layout.addWidget(self.reinit)
        layout.addWidget(self.builtin_random)
        layout.addWidget(self.hint)
        self.choice.currentIndexChanged.connect(self._update_visibility)
        for w in (self.weights, self.labels):
            w.changed.connect(lambda _p: self.changed.emit())
        self.reinit.toggled.connect(lambda _b: self.changed.emit())
        self.model_file.changed.connect(lambda _p: self._update_visibility())
        self.model_file.folder_chosen.connect(lambda _p: self.ask_for_trust())
        self.keras2.clicked.connect(lambda on: self.ask_for_trust() if on else None)  # the user's click, never set_from's
        self.keras2.toggled.connect(lambda _on: self._update_visibility())
        self.trust.clicked.connect(self.ask_for_trust)
        self.builtin.currentIndexChanged.connect(self._update_visibility)
        self.builtin_random.toggled.connect(lambda _b: self.changed.emit())
        self._update_visibility()

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with model, weights, labels and new-weights-per-pass set from the controls."""
        i = self.choice.currentIndex()
        changes = dict(model="vgg19", weights=None, labels=None, reinit_weights=False, h5_reader="keras", trust_model=False)
        if i == IMAGENET_FILE:
            changes["weights"] = self.weights.path() or None
        elif i == RANDOM:
            changes.update(model="vgg19-random", reinit_weights=self.reinit.isChecked())
        elif i == CUSTOM:
            path = self.model_file.path()
            reader = "tf-keras" if self._reads_h5() and self.keras2.isChecked() else "keras"
            changes.update(model=path, labels=self.labels.path() or None, h5_reader=reader,
                           trust_model=(path, reader == "tf-keras") in self._trusted)
            return config.replace(**changes)
        elif i == BUILTIN:
            changes["model"] = self.builtin_name()
        return config.replace(**changes)

    def builtin_name(self) -> str:
        """The built-in model chosen in the list, with ``-random`` when random weights are ticked."""
        name = self.builtin.currentData() or LITE0
        random = self.builtin_random.isChecked() and name != LITE0
        return name + RANDOM_SUFFIX if random else name

    def choose_builtin(self, name: str) -> None:
        """Select a built-in model (``resnet50`` or ``resnet50-random``): the user's click, never the window's own."""
        entry, random = lookup(name) or (MODELS[LITE0], False)
        self.builtin.setCurrentIndex(self.builtin.findData(entry.name))
        self.builtin_random.setChecked(random)
        self.choice.setCurrentIndex(BUILTIN)

    def prompt_model(self) -> str | None:
        """The chosen model when the weights prompt can be about it (``vgg19`` or a built-in model), else None."""
        i = self.choice.currentIndex()
        return "vgg19" if i == IMAGENET else self.builtin_name() if i == BUILTIN else None

    def input_size(self) -> tuple[int, int] | None:
        """The chosen model's input size when the choice alone tells it (VGG19 or a built-in model), else None."""
        i = self.choice.currentIndex()
        if i in (IMAGENET, IMAGENET_FILE, RANDOM) and self.problem() is None:
            return (224, 224)
        return lookup(self.builtin_name())[0].input_size if i == BUILTIN else None

    def use_random(self) -> None:
        """Switch to random weights: the built-in model's own, or VGG19's."""
        if self.choice.currentIndex() == BUILTIN:
            self.builtin_random.setChecked(True)
        else:
            self.choice.setCurrentIndex(RANDOM)

    def use_weights_file(self, path: str) -> None:
        """Switch to ImageNet VGG19 read from ``path``."""
        self.weights.set_path(path)
        self.choice.setCurrentIndex(IMAGENET_FILE)

    def problem(self) -> str | None:
        """A sentence saying what is missing before a run can start, or None."""
        i = self.choice.currentIndex()
        if i == IMAGENET_FILE:
            return _missing(self.weights.path(), "Choose the ImageNet weights file (or pick another model).")
        if i == CUSTOM:
            return _missing(self.model_file.path(), "Choose your model file (.keras or .h5) or a SavedModel folder.",
                            folders=True) or (_missing(self.labels.path(), "") if self.labels.path() else None
                                              ) or self._untrusted()
        return None

    def _reads_h5(self) -> bool:
        return self.model_file.path().lower().endswith((".h5", ".hdf5"))

    def _form(self) -> str:
        """What makes the chosen model file a program ('a SavedModel folder', …), or ''."""
        path = self.model_file.path()
        reader = "tf-keras" if self._reads_h5() and self.keras2.isChecked() else "keras"
        return program_form(path, reader) if path else ""

    def _untrusted(self) -> str | None:
        form = self._form()
        key = (self.model_file.path(), self._reads_h5() and self.keras2.isChecked())
        if form and key not in self._trusted:
            return f"{os.path.basename(os.path.normpath(key[0]))} is {form}: it runs only if you trust it (Trust this model…)."
        return None

    def ask_for_trust(self) -> None:
        """Ask, in a confirmation dialog, whether the user trusts the chosen model form that is a program."""
        form = self._form()
        if not form:
            return
        path = self.model_file.path()
        key = (path, self._reads_h5() and self.keras2.isChecked())
        if self.confirm_trust(self, os.path.basename(os.path.normpath(path)), form):
            self._trusted.add(key)
        else:
            self._trusted.discard(key)
        self._update_visibility()

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the model settings of ``config``."""
        if config.model == "vgg19":
            index = IMAGENET_FILE if config.weights else IMAGENET
        elif config.model == "vgg19-random":
            index = RANDOM
        elif lookup(config.model) is not None:
            index = BUILTIN
            entry, random = lookup(config.model)
            self.builtin.setCurrentIndex(self.builtin.findData(entry.name))
            self.builtin_random.setChecked(random)
        else:
            index = CUSTOM
        self.weights.set_path(config.weights)
        self.model_file.set_path(config.model if index == CUSTOM else "")
        self.keras2.setChecked(config.h5_reader == "tf-keras")
        if config.trust_model and index == CUSTOM:  # a configuration made in this session, with the user's trust
            self._trusted.add((config.model, config.h5_reader == "tf-keras"))
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
        self.keras2.setVisible(i == CUSTOM and self._reads_h5())
        self.trust.setVisible(i == CUSTOM and bool(self._form()))
        self.reinit.setVisible(i == RANDOM)
        self.form.setRowVisible(3, i == BUILTIN)
        lite = self.builtin.currentData() == LITE0
        self.builtin_random.setVisible(i == BUILTIN and not lite)
        self.hint.setText(CHOICES[i][1])
        self.changed.emit()
