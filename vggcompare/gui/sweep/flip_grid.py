"""The images behind a flip rate: a grid of the images whose top-1 flipped under one variant.

It shows what :func:`vggcompare.core.analysis.sweep_flips.flipped_images` returned, in its order (largest
change first), with the reference's and the variant's mean maps when the sweep computed them; a
double-click asks for the pair in the compare view.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
import numpy as np
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget,
)

from vggcompare.core.analysis.verdict import fmt
from vggcompare.render.plots.heatmap import map_range, two_maps

THUMB = 120
NO_MAPS = ("No maps computed: this sweep ran without --explain, so the grid shows the pictures only. A double-click runs "
           "the image's reference and variant again for the compare view, with the maps chosen here: both maps and A − B.")
MAPS_NOTE = ("Each image shows the sweep's mean {method} map of the reference (left) and of the variant (right), each for "
             "its own top-1, over the picture, on one colour scale for the whole grid: {low:.3g} (dark) to {high:.3g} (bright).")
OPACITY = 0.6
METHOD_NAMES = {"gradcam": "Grad-CAM", "occlusion": "occlusion"}
MAPS = (("Grad-CAM maps", "gradcam"), ("occlusion maps (any model)", "occlusion"), ("no maps", None))


def caption(flip) -> str:
    """A thumbnail's text: the image, reference → variant top-1 with probabilities, and the largest change."""
    ref_p = "" if flip.reference_top1_probability is None else f" {fmt(flip.reference_top1_probability)}"
    return (f"{flip.image}\n{flip.reference_top1_label}{ref_p}\n→ {flip.top1_label} {fmt(flip.top1_probability)}\n"
            f"change {fmt(flip.largest_change)}")


class FlipGrid(QWidget):
    """The grid of flipped images of one variant; hidden until a bar is clicked."""

    open_pair = Signal(str, str, object)  # image, variant, the maps' method (or None): double-clicked
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.variant: str | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold")
        self.note = QLabel(NO_MAPS)
        self.note.setWordWrap(True)
        self.maps = QComboBox()
        for text, method in MAPS:
            self.maps.addItem(text, method)
        self.maps.setToolTip("The explanation maps the pair's two runs make for the compare view")
        close = QPushButton("Close")
        close.clicked.connect(self.close_grid)
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 60, THUMB + 80))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(THUMB + 100)
        self.list.itemDoubleClicked.connect(self._open)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(QLabel("Compare with"))
        head.addWidget(self.maps)
        head.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addWidget(self.list)
        self.hide()

    def show_flips(self, variant: str, flips: list) -> None:
        """Fill the grid with ``flips`` (core FlippedImage, already sorted) and show it."""
        self.variant = variant
        self.list.clear()
        mapped = [f for f in flips if f.has_maps]
        scale = map_range(np.concatenate([np.stack([f.reference_map, f.variant_map]).reshape(-1) for f in mapped])) if mapped else None
        wide = THUMB * 2 + 4 if mapped else THUMB
        self.list.setIconSize(QSize(wide, THUMB))
        self.list.setGridSize(QSize(wide + 60, THUMB + 80))
        self.note.setText(MAPS_NOTE.format(method=METHOD_NAMES.get(mapped[0].map_method, mapped[0].map_method), low=scale[0],
                                           high=scale[1]) if mapped else NO_MAPS)
        if flips:
            self.title.setText(f"{len(flips)} image{'s' if len(flips) != 1 else ''} whose top-1 flipped under "
                               f"'{variant}', largest change first (double-click one to compare its two runs):")
        else:
            self.title.setText(f"No image's top-1 flipped under '{variant}'.")
        for flip in flips:
            item = QListWidgetItem(caption(flip))
            pixmap = QPixmap()
            if flip.thumbnail and pixmap.loadFromData(flip.thumbnail):  # PNG bytes already in memory
                item.setIcon(QIcon(two_maps(pixmap.toImage(), flip.reference_map, flip.variant_map, scale, THUMB, OPACITY) if flip.has_maps else pixmap))
            item.setData(Qt.ItemDataRole.UserRole, (flip.image, flip.variant))
            item.setToolTip(f"{flip.image}: largest change {fmt(flip.largest_change)} ({flip.largest_change_label})")
            self.list.addItem(item)
        self.show()

    def close_grid(self) -> None:
        """Hide the grid."""
        self.hide()
        self.closed.emit()

    def _open(self, item: QListWidgetItem) -> None:
        self.open_pair.emit(*item.data(Qt.ItemDataRole.UserRole), self.maps.currentData())
