"""The user's own pipeline in the controls: how the code loads the file (loader, resize, antialias, JPEG decoder,
OpenCV's BGR order) and how it calls the model (call path, training mode and its part, batch neighbours)."""

from __future__ import annotations

import os

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLineEdit, QToolButton

from vggcompare.core.errors import ConfigError
from vggcompare.core.option_rules import why_not
from vggcompare.core.config import CALLS, DCT_METHODS, DEFAULT_INTERPOLATION, LOADER_INTERPOLATIONS, ExperimentConfig
from vggcompare.gui.controls.advanced import SettingsGroup
from vggcompare.gui.controls.fields import combo

LOADER_TEXT = {"load-img": "keras.utils.load_img (PIL)", "tf-dataset": "image_dataset_from_directory (TensorFlow)",
               "opencv": "OpenCV: cv2.imread + cv2.resize"}
CALL_TEXT = {"compiled": "compiled (tf.function / jax.jit)", "predict": "model.predict(x)", "eager": "model(x), eager",
             "xla": "XLA (jit_compile=True)"}
PART_TEXT = {"all": "Everything (BatchNorm, Dropout, augmentation)", "batchnorm": "BatchNorm's batch statistics only",
             "dropout": "Dropout only", "augmentation": "Augmentation layers only"}
PART_TIPS = {
    "all": "model(x, training=True): every BatchNorm layer normalises with this call's own batch mean and variance "
           "instead of its moving averages, every Dropout layer drops a random share of units, and the model's own "
           "augmentation layers (RandomFlip, RandomRotation, …) change the image at random.",
    "batchnorm": "Only the BatchNorm layers in training mode: they normalise with this call's batch statistics, "
                 "while Dropout and the augmentation layers stay off, as in code that calls a model without Dropout "
                 "with training=True.",
    "dropout": "Only the Dropout layers in training mode: they drop units on every call, while BatchNorm keeps its "
               "moving averages, as in Monte Carlo dropout code or a model whose BatchNorm layers are frozen "
               "(Keras runs a BatchNormalization with trainable=False in inference mode).",
    "augmentation": "Only the model's own augmentation layers (RandomFlip, RandomRotation, …) in training mode, "
                    "each pass with its own random transform, while BatchNorm and Dropout run as in inference.",
}
PART_TIP = "Which layers training=True switches, as your code does it.\n" + "\n".join(
    f"{PART_TEXT[name]}: {tip}" for name, tip in PART_TIPS.items())
_NEEDS_TRAINING = why_not("training_part", {"training_mode": False})  # the rule's sentence (core.option_rules)
PART_OFF = f"Not available: {_NEEDS_TRAINING[:1].upper()}{_NEEDS_TRAINING[1:]}: without training=True every layer runs in inference mode."
NEIGHBOUR_TEXT = {"none": "none: the image alone", "samples": "the 15 bundled photos", "folder": "a folder…"}


class _Group(SettingsGroup):
    def _emit(self, *_args) -> None:
        self.changed.emit()


class LoadingSettings(_Group):
    """Loading, as your code does it: which library decodes and resizes the file."""

    def __init__(self) -> None:
        super().__init__()
        self.loader = combo("Which library reads the file: each is its own call, with its own EXIF and alpha behaviour.")
        for name, text in LOADER_TEXT.items():
            self.loader.addItem(text, name)
        self.interpolation = combo("How the loader resizes the picture to the model's input size.")
        self.antialias = QCheckBox("Antialias (tf.image.resize(antialias=True))")
        self.dct = combo("JPEGs under TensorFlow: tf.io.decode_jpeg's dct_method. INTEGER_ACCURATE decodes as PIL does.")
        for name in DCT_METHODS:
            self.dct.addItem("TensorFlow's default" if name == "default" else name, name)
        self.bgr = QCheckBox("Pitfall: no cv2.cvtColor (the model gets BGR)")
        self.antialias.setToolTip("Smooth before shrinking, as tf.image.resize(..., antialias=True) does; "
                                  "image_dataset_from_directory does not.")
        self.bgr.setToolTip("The classic OpenCV mistake: cv2.imread gives BGR, and the code forgets cv2.cvtColor(..., COLOR_BGR2RGB).")
        self.form.addRow("Read with", self.loader)
        self.form.addRow("Resize with", self.interpolation)
        self.form.addRow("JPEG DCT", self.dct)
        self.form.addRow("", self.antialias)
        self.form.addRow("", self.bgr)
        self._fill_methods()
        self.loader.currentIndexChanged.connect(self._fill_methods)
        for signal in (self.loader.currentIndexChanged, self.interpolation.currentIndexChanged, self.dct.currentIndexChanged,
                       self.antialias.toggled, self.bgr.toggled):
            signal.connect(self._emit)

    def _fill_methods(self, *_args) -> None:
        """The chosen loader's own resize methods, its default first and chosen; the TensorFlow and OpenCV switches follow it."""
        loader = self.loader.currentData()
        with QSignalBlocker(self.interpolation):  # a new loader starts at its own default method
            self.interpolation.clear()
            for name in LOADER_INTERPOLATIONS[loader]:
                self.interpolation.addItem(name + (" (default)" if name == DEFAULT_INTERPOLATION[loader] else ""), name)
        for widget, option in ((self.dct, "dct_method"), (self.antialias, "antialias"), (self.bgr, "pitfalls=opencv-bgr")):
            on = not why_not(option, {"loader": loader})  # (core.option_rules)
            widget.setEnabled(on)
            if not on and isinstance(widget, QCheckBox):
                widget.setChecked(False)
        if loader != "tf-dataset":
            self.dct.setCurrentIndex(0)

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with this loader, resize method, decoder and the OpenCV pitfall."""
        pitfalls = tuple(p for p in config.pitfalls if p != "opencv-bgr") + (("opencv-bgr",) if self.bgr.isChecked() else ())
        return config.replace(loader=self.loader.currentData(), interpolation=self.interpolation.currentData(),
                              antialias=self.antialias.isChecked(), dct_method=self.dct.currentData(), pitfalls=pitfalls)

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the loading settings of ``config``."""
        self.loader.setCurrentIndex(max(0, self.loader.findData(config.loader)))
        self._fill_methods()
        self.interpolation.setCurrentIndex(max(0, self.interpolation.findData(config.interpolation)))
        self.dct.setCurrentIndex(max(0, self.dct.findData(config.dct_method)))
        self.antialias.setChecked(config.antialias)
        self.bgr.setChecked("opencv-bgr" in config.pitfalls)


class CallSettings(_Group):
    """How your code calls the model: the call path, training mode, and other images in the same call."""

    def __init__(self) -> None:
        super().__init__()
        self.checked: tuple[str, str | None] | None = None  # (folder, why it cannot serve or None): the last check's outcome
        self.checking: str | None = None  # the folder whose check runs now (a file job the window starts)
        self._choices = (0, 0)  # the choice before the current one, and the current one
        self.call = combo("The path your code takes to call the model.")
        for name in CALLS:
            self.call.addItem(CALL_TEXT[name], name)
        self.training = QCheckBox("Training mode (training=True)")
        self.training.setToolTip("BatchNorm uses the call's own batch statistics and Dropout is on, as model(x, training=True) does.")
        self.part = combo()
        for index, (name, text) in enumerate(PART_TEXT.items()):
            self.part.addItem(text, name)
            self.part.setItemData(index, PART_TIPS[name], Qt.ItemDataRole.ToolTipRole)
        self.neighbours = combo("Other images that share each forward call with this one (their outputs are discarded); "
                                "'Passes per call' under numerics sets the rows per call (16 when automatic).")
        for name, text in NEIGHBOUR_TEXT.items():
            self.neighbours.addItem(text, name)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("folder of images")
        self.browse = QToolButton()
        self.browse.setText("Browse…")
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        self.form.addRow("Call", self.call)
        self.form.addRow("", self.training)
        self.form.addRow("Training part", self.part)
        self.form.addRow("Batch neighbours", self.neighbours)
        self.form.addRow("", row)
        self.browse.clicked.connect(self._browse)
        self.neighbours.activated.connect(self._chosen)
        self.neighbours.currentIndexChanged.connect(self._follow)
        self.training.toggled.connect(self._follow)
        for signal in (self.call.currentIndexChanged, self.training.toggled, self.part.currentIndexChanged,
                       self.neighbours.currentIndexChanged, self.folder.textChanged):
            signal.connect(self._emit)
        self._follow()

    def _follow(self, *_args) -> None:
        """The training part follows training mode (disabled, with the reason, and back to everything without it);
        the folder box and Browse follow the folder choice."""
        training = not why_not("training_part", {"training_mode": self.training.isChecked()})
        self.part.setEnabled(training)
        self.part.setToolTip(PART_TIP if training else f"{PART_OFF}\n\n{PART_TIP}")
        if not training:
            self.part.setCurrentIndex(0)
        folder = self.neighbours.currentData() == "folder"
        self.folder.setEnabled(folder)
        self.browse.setEnabled(folder)
        if self.neighbours.currentIndex() != self._choices[1]:
            self._choices = (self._choices[1], self.neighbours.currentIndex())

    def _chosen(self, index: int) -> None:
        """The user picked "a folder…" with no folder yet: the dialog opens, and Cancel goes back to the choice before."""
        if self.neighbours.itemData(index) == "folder" and not self.folder.text().strip() and not self._browse():
            self.neighbours.setCurrentIndex(self._choices[0])

    def _browse(self) -> bool:
        """Ask for the folder; True when one was chosen (the same folder again is checked again)."""
        path = QFileDialog.getExistingDirectory(self, "Batch neighbours: a folder of images", self.folder.text())
        if not path:
            return False
        self.checked = None
        if path == self.folder.text():
            self.changed.emit()
        self.folder.setText(path)
        return True

    def folder_path(self) -> str | None:
        """The chosen batch-neighbours folder (absolute), '' when none is typed yet, or None when no folder is chosen."""
        if self.neighbours.currentData() != "folder":
            return None
        text = self.folder.text().strip()
        return os.path.abspath(os.path.expanduser(text)) if text else ""

    def folder_to_check(self) -> str | None:
        """The chosen folder when it was not checked yet and no check of it runs, else None."""
        path = self.folder_path()
        done = self.checked is not None and self.checked[0] == path
        return path if path and not done and path != self.checking else None

    def set_folder_check(self, path: str, problem: str | None) -> None:
        """A check of ``path`` ended: ``problem`` is why it cannot serve, or None; only the newest check counts."""
        if path == self.checking:
            self.checking, self.checked = None, (path, problem)
            self.changed.emit()

    def _folder_problem(self) -> str | None:
        path = self.folder_path()
        if path == "":
            return "choose the batch-neighbours folder (Browse…), or pick none or the bundled photos"
        if path is None or self.checked == (path, None):
            return None
        if self.checked is not None and self.checked[0] == path:
            return self.checked[1]
        return "the batch-neighbours folder is being checked"

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with this call path, training mode and its part, and batch neighbours.

        A folder of neighbours must have passed its check (a file job: see ``folder_to_check``); ConfigError says why not."""
        problem = self._folder_problem()
        if problem:
            raise ConfigError(problem)
        neighbours = self.folder_path() or self.neighbours.currentData()
        training = self.training.isChecked()
        return config.replace(call=self.call.currentData(), training_mode=training,
                              training_part=self.part.currentData() if training else "all", batch_neighbours=neighbours)

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the call settings of ``config``."""
        self.call.setCurrentIndex(max(0, self.call.findData(config.call)))
        self.training.setChecked(config.training_mode)
        self._follow()
        self.part.setCurrentIndex(max(0, self.part.findData(config.training_part)))
        spec = config.batch_neighbours
        self.neighbours.setCurrentIndex(self.neighbours.findData(spec if spec in ("none", "samples") else "folder"))
        self.folder.setText("" if spec in ("none", "samples") else spec)
        self._follow()
