"""Plot widgets set up the same way everywhere: compact axes, no menus, palette colours.

Importing this module imports pyqtgraph (about half a second) and sets its options for every plot;
the window does it in pieces after its first paint (:mod:`vggcompare.gui.results.plot_loader`).
"""

from __future__ import annotations

import pyqtgraph as pg

from vggcompare.render import theme
from vggcompare.render.numbers import power_label, tick_labels

pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")


class CompactAxis(pg.AxisItem):
    """An axis whose ticks read 0.001 or 2.5e-7 instead of long zero runs or SI prefixes.

    It draws straight onto the painter. pyqtgraph's axis records its lines and labels in a QPicture and
    replays that on every paint; replaying the text took about 10 ms per axis per paint here (Intel Xeon,
    offscreen), most of a plot's paint after each new result. The draw specs are kept in the same
    ``picture`` slot, so pyqtgraph's own invalidation (it sets ``picture = None``) still applies.
    """

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        # major and minor ticks only: the third level (e.g. 35 faint lines at 0.0002 on a 0-0.008 axis) drew a
        # full-width grid line each, about 60% of a plot's paint, and is hardly visible at the grid's alpha
        self.setStyle(maxTickLevel=1)

    def paint(self, p, opt, widget):  # noqa: D102 - pyqtgraph's signature
        p.save()
        try:
            if self.style["tickFont"]:
                p.setFont(self.style["tickFont"])
            if self.picture is None:
                self.picture = self.generateDrawSpecs(p)
            if self.picture is not None:
                self.drawPicture(p, *self.picture)
        finally:
            p.restore()

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph naming
        """Compact labels in linear mode; powers of ten in log mode."""
        if self.logMode:
            span = abs(self.range[1] - self.range[0]) if getattr(self, "range", None) else 10.0
            if span > 1.5:  # several decades: label the powers of ten only, so labels never crowd
                return [power_label(v) if abs(v - round(v)) < 1e-6 else "" for v in values]
            return [power_label(v) for v in values]
        return tick_labels([v * scale for v in values], spacing * scale)


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
