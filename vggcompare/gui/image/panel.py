"""The picked image and, beside it, the model input as the model sees it."""

from __future__ import annotations

import html
import os

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QWidget,
)

from vggcompare.core.errors import ImageError
from vggcompare.core.input.images import LoadedImage, image_from_array
from vggcompare.core.input.model_view import LOADING_SWITCHES, model_input
from vggcompare.core.resources import sample_paths
from vggcompare.render.qimages import model_input_pixmap, pil_to_pixmap, qimage_to_array

BOX = 224  # pixels each picture gets on screen
LOADING_WORDS = {"apply-exif": "EXIF orientation applied", "alpha-on-white": "transparent pixels on white"}
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.webp *.tif *.tiff *.bmp *.ico *.ppm *.tga *.avif);;All files (*)"


def _picture_label() -> QLabel:
    label = QLabel()
    label.setFixedSize(BOX, BOX)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFrameShape(QLabel.Shape.StyledPanel)
    return label


def _caption() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
    label.setFixedWidth(BOX)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ImagePanel(QWidget):
    """Open, drop, paste or pick a sample; shows the picture and the model's input."""

    open_requested = Signal(str)  # a file path to load (the session loads it off the GUI thread)
    image_made = Signal(object)  # a LoadedImage made from pasted or dropped pixels
    load_failed = Signal(str, str)  # message, details
    recent_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded: LoadedImage | None = None
        self.input_size = (224, 224)
        self.interpolation = "nearest"
        self.switches: tuple[str, ...] = ()  # loading switches (apply-exif, alpha-on-white) the model's view follows
        self.loader = "load-img"  # the loader the view follows: load-img and opencv here; tf-dataset runs in the engine
        self.start_folder = ""
        self.picture = _picture_label()
        self.model_input = _picture_label()
        self.picture_caption, self.input_caption = _caption(), _caption()
        self.open_button = QToolButton(text="Open…", toolTip="Open an image file (Ctrl+O). You can also drop a file on the window.")
        self.paste_button = QToolButton(text="Paste", toolTip="Use the image on the clipboard (Ctrl+V).")
        self.recent_button = QToolButton(text="Recent", toolTip="Images you opened recently.")
        self.recent_menu = QMenu(self)
        self.recent_button.setMenu(self.recent_menu)
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.open_button.clicked.connect(self.open_dialog)
        self.paste_button.clicked.connect(self.paste)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.open_button, self.paste_button, self.recent_button):
            buttons.addWidget(b)
        buttons.addSpacing(8)
        buttons.addWidget(QLabel("Samples:"))
        self.sample_buttons: dict[str, QToolButton] = {}
        for name, path in sample_paths().items():
            b = QToolButton(toolTip=f"Bundled sample photo: {name}")
            b.setIcon(QIcon(str(path)))
            b.setIconSize(QSize(36, 36))
            b.clicked.connect(lambda _c=False, p=str(path): self.load_path(p))
            self.sample_buttons[name] = b
            buttons.addWidget(b)
        buttons.addStretch(1)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(4)
        grid.addLayout(buttons, 0, 0, 1, 2)
        grid.addWidget(self.picture, 1, 0)
        grid.addWidget(self.model_input, 1, 1)
        grid.addWidget(self.picture_caption, 2, 0)
        grid.addWidget(self.input_caption, 2, 1)
        grid.setRowStretch(3, 1)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.setAcceptDrops(True)
        self.set_recent_files([])
        self._show_empty()

    # ---- loading -------------------------------------------------------------------------
    def load_path(self, path: str) -> bool:
        """Ask for an image file to be loaded; the session loads it and the panel shows it (or the error)."""
        self.open_requested.emit(path)
        return True

    def set_image(self, loaded: LoadedImage) -> None:
        """Offer an image made here (pasted or dropped pixels) to the session."""
        self.image_made.emit(loaded)

    def show_image(self, loaded: LoadedImage) -> None:
        """Show the session's image and what the model sees of it."""
        self.loaded = loaded
        self.picture.setPixmap(pil_to_pixmap(loaded.image, BOX))
        w, h = loaded.original_size
        name = loaded.source.replace("\\", "/").rsplit("/", 1)[-1]
        notes = "".join(f"<br><i>{html.escape(n)}</i>" for n in loaded.notes)
        kind = f", {loaded.format}" if loaded.format else ""
        self.picture_caption.setText(f"<b>{html.escape(name)}</b><br>{w} × {h} px{kind}{notes}")
        self.picture.setToolTip(loaded.source)
        self._update_model_input()

    def open_dialog(self) -> None:
        """Ask for an image file and load it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", self.start_folder, IMAGE_FILTER)
        if path:
            self.load_path(path)

    def paste(self) -> bool:
        """Load the image (or image file) on the clipboard."""
        return self.load_mime(QApplication.clipboard().mimeData(), "<clipboard>")

    def load_mime(self, mime: QMimeData | None, name: str) -> bool:
        """Load from dropped or pasted data: an image, or a local file URL or path."""
        if mime is not None and mime.hasUrls():
            files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if files:
                return self.load_path(files[0])
        if mime is not None and mime.hasImage():
            image = mime.imageData()
            if image is not None and not image.isNull():
                try:
                    self.set_image(image_from_array(qimage_to_array(image), name=name))
                    return True
                except ImageError as exc:
                    self.load_failed.emit(str(exc), f"{type(exc).__name__}: {exc}")
                    return False
        if mime is not None and mime.hasText() and os.path.isfile(mime.text().strip()):
            return self.load_path(mime.text().strip())
        what = "The clipboard holds no image and no image file." if name == "<clipboard>" else "What was dropped is neither an image nor an image file."
        self.load_failed.emit(what, f"Formats offered: {', '.join(mime.formats()) if mime else 'none'}")
        return False

    # ---- the model's view ----------------------------------------------------------------
    def set_model_view(self, input_size: tuple[int, int] | None = None, interpolation: str | None = None,
                       switches: tuple[str, ...] | None = None, loader: str | None = None) -> None:
        """Update the model input picture for a new input size, interpolation, set of loading switches or loader."""
        changed = False
        if loader is not None and loader != self.loader:
            self.loader, changed = loader, True
        kinds = (*LOADING_SWITCHES, "opencv-bgr")
        if switches is not None and tuple(dict.fromkeys(s for s in switches if s in kinds)) != self.switches:
            self.switches, changed = tuple(dict.fromkeys(s for s in switches if s in kinds)), True
        if input_size is not None and tuple(input_size) != self.input_size:
            self.input_size, changed = tuple(input_size), True
        if interpolation is not None and interpolation != self.interpolation:
            self.interpolation, changed = interpolation, True
        if changed and self.loaded is not None:
            self._update_model_input()

    def _update_model_input(self) -> None:
        h, w = self.input_size
        how, pixels = "", None
        if self.loader == "opencv":  # OpenCV's own calls, here in the window (it is not TensorFlow)
            from vggcompare.core.input.loaders import opencv_input

            try:
                pixels = opencv_input(self.loaded, (h, w), self.interpolation, "opencv-bgr" in self.switches)[0]
                how = ", cv2.imread" + (" without cvtColor (BGR)" if "opencv-bgr" in self.switches else "")
            except (ImageError, KeyError, TypeError):
                how = "; OpenCV cannot read this file, so this is load_img's view"
        elif self.loader == "tf-dataset":
            how = ("; this is load_img's view: TensorFlow decodes and resizes in the engine, and the run's input "
                   "thumbnails show what it gave")
        if pixels is None:
            interpolation = self.interpolation if self.loader == "load-img" else "nearest"
            pixels = model_input(self.loaded, (h, w), interpolation, self.switches)
            how = f", {interpolation} resize" + "".join(f", {LOADING_WORDS[s]}" for s in self.switches if s in LOADING_WORDS) + how
        else:
            how = f", {self.interpolation} resize{how}"
        pixmap, factor = model_input_pixmap(pixels, BOX)
        self.model_input.setPixmap(pixmap)
        scale = "" if factor == 1 else (f", shown {factor}× larger" if factor > 1 else ", shown smaller")
        self.input_caption.setText(f"<b>What the model sees</b><br>{w} × {h} px{how}{scale}")

    def _show_empty(self) -> None:
        self.picture.setText("Open, drop or paste\nan image")
        self.input_caption.setText("<b>What the model sees</b>")

    # ---- recent files, drag and drop -----------------------------------------------------
    def set_recent_files(self, paths: list[str]) -> None:
        """Fill the Recent menu."""
        self.recent_menu.clear()
        for path in paths:
            action = self.recent_menu.addAction(os.path.basename(path))
            action.setToolTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.load_path(p))
        if not paths:
            self.recent_menu.addAction("No recent images").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self.recent_cleared.emit)
        self.recent_button.setEnabled(True)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Accept files and images."""
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Load the dropped file or image."""
        event.acceptProposedAction()
        self.load_mime(event.mimeData(), "<dropped image>")
