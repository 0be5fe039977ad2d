"""The verdict banner: a large headline from the core's numbers, and the core's verdict in words."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from vggcompare.core.analysis.result import RunResult
from vggcompare.render import theme
from vggcompare.render.numbers import fmt


def headline(result: RunResult) -> str:
    """One short line summarising what the passes did, read off the core's statistics."""
    s = result.statistics
    top = result.labels[s.top1_mode]
    if s.passes == 1:
        return f"1 pass: top-1 “{top}”"
    if s.all_bit_identical:
        return f"All {s.passes} passes identical, bit for bit"
    return f"The {s.passes} passes differ: top-1 “{top}” in {s.top1_mode_count} of {s.passes}, largest std {fmt(s.max_std)}"


class VerdictBanner(QFrame):
    """A tinted banner with an accent edge: headline, then the verdict, the run's notes (its loader, call path,
    training mode, what the engine changed), then the settings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VerdictBanner")
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setFont(theme.scaled_font(self.font(), 1.45, bold=True))
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setFont(theme.scaled_font(self.font(), 1.1))
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.settings = QLabel()
        self.settings.setWordWrap(True)
        for label in (self.headline, self.verdict, self.notes, self.settings):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        layout.addWidget(self.headline)
        layout.addWidget(self.verdict)
        layout.addWidget(self.notes)
        layout.addWidget(self.settings)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.refresh_theme()
        self.show_message("Press Run to send the image through the model", "")

    def show_message(self, title: str, text: str) -> None:
        """Show a headline and text that are not a verdict (before a run, while running)."""
        self.headline.setText(html.escape(title))
        self.verdict.setText(html.escape(text))
        self.verdict.setVisible(bool(text))
        self.notes.setVisible(False)
        self.settings.setVisible(False)
        self._keep_text_height()

    def show_result(self, result: RunResult) -> None:
        """Show the run's headline, the core's verdict and the settings it ran with."""
        self.headline.setText(html.escape(headline(result)))
        self.verdict.setText(html.escape(result.verdict))
        self.verdict.setVisible(True)
        muted = theme.colors(self.palette()).css("muted")
        notes = [n for n in result.notes if n not in result.verdict]  # a note the verdict already says is not repeated
        self.notes.setText("<br>".join(f"• {html.escape(n)}" for n in notes))
        self.notes.setVisible(bool(notes))
        self.settings.setText(f"<span style='color:{muted}'>Settings: {html.escape(result.config.summary())}</span>")
        self.settings.setVisible(True)
        self._keep_text_height()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """A new width wraps the text anew: keep the height it needs."""
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._keep_text_height)  # after this resize: one set inside it leaves the layout stale

    def _keep_text_height(self) -> None:
        """Never shorter than the wrapped text at this width: a squeezed window scrolls rather than cut the last note off."""
        needed = self.heightForWidth(self.width()) if self.width() > 0 else -1
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def refresh_theme(self) -> None:
        """Recolour for the current palette."""
        c = theme.colors(self.palette())
        self.setStyleSheet(
            f"#VerdictBanner {{ background: {c.css('banner')}; border: 1px solid {c.css('accent')};"
            f" border-left: 6px solid {c.css('accent')}; border-radius: 4px; }}"
            f"#VerdictBanner QLabel {{ background: transparent; border: none; }}"
        )
