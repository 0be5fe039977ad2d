"""The Demonstrations gallery: one card per demonstration, with what it shows, its cost here, and Run."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.studies.presets.registry import PRESETS
from vggcompare.render.theme import colors

COLUMNS = 3
FRESH_PROCESS_S = 6.0  # a new Python process imports TensorFlow and builds the model again (measured 4–8 s here)


def _sentences(text: str, count: int = 2) -> str:
    parts = [p.strip() for p in text.replace("? ", "?|").replace(". ", ".|").split("|") if p.strip()]
    return " ".join(parts[:count])


def estimate(name: str, config: ExperimentConfig | None, seconds_per_pass: float | None, image=None) -> str:
    """'about 40 passes, ~12 s on this machine' from the preset's steps and a measured time per pass.

    ``image`` is the session's LoadedImage: the estimate reads no file.
    """
    if config is None:
        return "Open an image to see its cost."
    try:
        steps, _skipped = PRESETS[name].applicable(config, image)  # the steps that apply to this model
    except Exception:  # noqa: BLE001 - a preset that cannot be built for this model says so when run
        return ""
    passes = sum(step.config.passes for step in steps)
    fresh = sum(1 for step in steps if step.fresh_process)
    words = f"{len(steps)} run{'s' if len(steps) != 1 else ''}, {passes} pass{'es' if passes != 1 else ''} in all"
    exports = sum(1 for step in steps if step.config.runtime != "keras")
    if exports:  # each export is made once and cached (5–7 s each for EfficientNet-Lite0 on 2 cores)
        words += f", and {exports} export{'s' if exports != 1 else ''} made the first time"
    if seconds_per_pass is None:
        return f"{words}; the time is estimated after your first run."
    seconds = passes * seconds_per_pass + fresh * FRESH_PROCESS_S
    shown = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
    return f"{words}; about {shown} on this machine."


class DemoCard(QFrame):
    """A demonstration's title, two sentences, its estimated time and a Run button."""

    run_clicked = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        preset = PRESETS[name]
        self.name = name
        self.setObjectName("demoCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(f"<b>{preset.title}</b>")
        title.setWordWrap(True)
        text = QLabel(_sentences(preset.explanation))
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note = QLabel()  # which model the demonstration runs, when it is not the chosen one
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        self.cost = QLabel()
        self.cost.setWordWrap(True)
        self.cost.setStyleSheet("color: palette(placeholder-text);")
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip(preset.explanation)
        self.run_button.clicked.connect(lambda: self.run_clicked.emit(self.name))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(text, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.cost)
        layout.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignLeft)


class DemoGallery(QWidget):
    """Every demonstration as a card; Run asks for that demonstration."""

    run_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = {name: DemoCard(name) for name in PRESETS}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        for i, card in enumerate(self.cards.values()):
            card.run_clicked.connect(self.run_requested)
            grid.addWidget(card, i // COLUMNS, i % COLUMNS)
        self.setStyleSheet(card_style())

    def update_estimates(self, config: ExperimentConfig | None, seconds_per_pass: float | None, image=None) -> None:
        """Show each card's cost for ``config`` (on ``image``, a LoadedImage) at ``seconds_per_pass`` (measured by the last run)."""
        for name, card in self.cards.items():
            card.cost.setText(estimate(name, config, seconds_per_pass, image))

    def set_note(self, note: str) -> None:
        """Say on every card which model the demonstrations run ('' hides it: the chosen model)."""
        for card in self.cards.values():
            card.note.setText(f"<b>{note}</b>" if note else "")
            card.note.setVisible(bool(note))

    def set_enabled(self, enabled: bool) -> None:
        """Enable or disable the Run buttons (disabled while something runs or no image is open)."""
        for card in self.cards.values():
            card.run_button.setEnabled(enabled)


def card_style(palette: QPalette | None = None) -> str:
    """Style sheet for the gallery's cards: a light panel with a thin border, following the palette."""
    c = colors(palette)
    return (f"QFrame#demoCard {{ background: {c.css('base')}; border: 1px solid {c.css('track')}; border-radius: 6px; }}"
            f"QFrame#demoCard QLabel {{ background: transparent; border: none; }}")
