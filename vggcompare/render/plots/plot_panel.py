"""A panel that shows a message until it has something to plot, and builds its pyqtgraph plot only then.

The first screen shows every plot's message ("… appears here after a run"), so neither pyqtgraph nor
the plots are needed to paint it: the window loads pyqtgraph in small pieces after its first paint
(:mod:`vggcompare.gui.results.plot_loader`) and builds the plots on later event-loop turns, or at the
latest when the first result arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from vggcompare.render import theme

if TYPE_CHECKING:
    import pyqtgraph as pg


class PlotPanel(QWidget):
    """A message or a plot in one place. Subclasses fill the plot in ``build_plot(widget)``."""

    plot_built = Signal(object)  # the new pg.PlotWidget, once

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget: pg.PlotWidget | None = None
        self.plot = None  # its PlotItem, once built
        self.previous_note = None  # "previous run" drawn over the plot while a new run goes
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(200)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)

    def ensure_plot(self) -> pg.PlotWidget:
        """The plot widget, built now if it was not yet (imports pyqtgraph if nothing has)."""
        if self.plot_widget is None:
            from vggcompare.render.plots.plotting import make_plot_widget

            widget = make_plot_widget()  # themed from the start
            self.plot_widget, self.plot = widget, widget.getPlotItem()
            self.build_plot(widget)
            self.stack.addWidget(widget)
            self.plot_built.emit(widget)
        return self.plot_widget

    def build_plot(self, widget: pg.PlotWidget) -> None:
        """Add this panel's items to the new ``widget``."""
        raise NotImplementedError

    def show_plot(self) -> None:
        """Show the plot instead of the message (building it if needed)."""
        self.stack.setCurrentWidget(self.ensure_plot())

    def show_message(self, text: str, big: bool = False) -> None:
        """Show ``text`` in the plot's place (larger and bold when it is the finding itself)."""
        self.message.setText(text)
        self.message.setFont(theme.scaled_font(self.font(), 1.35 if big else 1.0, bold=big))
        self.stack.setCurrentWidget(self.message)

    def set_previous(self, previous: bool) -> None:
        """Say over the plot (not in its title, which would move the layout) that it shows the previous run;
        a message shown instead of the plot is greyed."""
        self.message.setEnabled(not previous)
        if self.previous_note is None:
            if not previous or self.plot_widget is None:
                return
            import pyqtgraph as pg

            c = theme.colors(self.palette())
            fill = QColor(c.base)
            fill.setAlpha(230)
            self.previous_note = pg.TextItem("previous run", color=c.muted, fill=pg.mkBrush(fill),
                                             anchor=(0, 0))
            self.previous_note.setParentItem(self.plot.getViewBox())  # fixed to the plot's corner, not to data
            self.previous_note.setPos(6, 4)
            self.previous_note.setZValue(20)
        self.previous_note.setVisible(previous)

    def theme_plot(self) -> None:
        """Recolour the message box, and the plot if it is built, for the current palette."""
        c = theme.colors(self.palette())
        self.message.setStyleSheet(f"background: {c.css('base')}; border: 1px solid {c.css('track')}; padding: 12px;")
        if self.plot_widget is not None:
            from vggcompare.render.plots.plotting import apply_plot_theme

            apply_plot_theme(self.plot_widget, self.palette())
        if self.previous_note is not None:  # made again in the new colours when next needed
            shown, old = self.previous_note.isVisible(), self.previous_note
            if old.scene() is not None:
                old.scene().removeItem(old)
            self.previous_note = None
            self.set_previous(shown)
