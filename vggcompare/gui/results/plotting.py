"""Plot widgets set up the same way everywhere: compact axes, no menus, palette colours."""

from __future__ import annotations

import pyqtgraph as pg

from vggcompare.gui import theme
from vggcompare.gui.results.numbers import CompactAxis


def make_plot_widget(min_height: int = 200) -> pg.PlotWidget:
    """A PlotWidget with compact tick labels, a light grid and no context menus.

    pyqtgraph creates its context menus without a parent; here they are parented to the widget,
    so they are deleted with it instead of lingering as top-level windows.
    """
    widget = pg.PlotWidget(axisItems={"left": CompactAxis("left"), "bottom": CompactAxis("bottom")})
    widget.setMinimumHeight(min_height)
    plot = widget.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.showGrid(x=False, y=True, alpha=0.25)
    for menu in (plot.ctrlMenu, plot.getViewBox().menu):
        if menu is not None and menu.parent() is None:
            menu.setParent(widget, menu.windowFlags())
    apply_plot_theme(widget, widget.palette())  # styled from the start, never pyqtgraph's black canvas
    return widget


def apply_plot_theme(widget: pg.PlotWidget, palette) -> None:
    """Colour the background, axes and labels of ``widget`` from ``palette``."""
    c = theme.colors(palette)
    widget.setBackground(c.base)
    plot = widget.getPlotItem()
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(c.muted))
        axis.setTextPen(pg.mkPen(c.text))
        axis.label.setDefaultTextColor(c.text)
