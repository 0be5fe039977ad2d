"""One plot of a result as a stand-alone figure: the window's own panel, on paper colours, without its controls.

Every figure is the same widget class the window shows, filled by the same code, so a figure
never differs from what the window drew. ``build_figure`` returns the laid-out widget;
:mod:`vggcompare.render.figures.save` writes it as SVG, PDF or PNG.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.storage.paths import shown_path
from vggcompare.render import theme
from vggcompare.render.figures import PLOTS
from vggcompare.render.figures.paper import lay_out, paper_palette, without_ligatures

__all__ = ["PLOTS", "DEFAULT_SIZE", "build_figure", "caption_lines", "plot_fonts"]
DEFAULT_SIZE = (1200, 700)


def plot_fonts(plot_widget, font) -> None:
    """Use ``font`` for a pyqtgraph plot's tick labels and axis titles (the scene does not inherit it).

    ``plot_widget`` is None when the panel shows a message instead of a plot (a bit-identical or 1-pass run).
    """
    if plot_widget is None:
        return
    item = plot_widget.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)


def caption_lines(result: RunResult, other: RunResult | None = None, full_paths: bool = False) -> list[str]:
    """The lines under a figure: image file name, model and settings (B's too for a difference)."""
    def one(r: RunResult) -> str:
        image = shown_path(r.config.image or r.image.source, full_paths)
        return f"{image} · {r.config.summary()}" if image else r.config.summary()
    return [one(result)] if other is None else [f"A: {one(result)}", f"B: {one(other)}"]


def _variance(parent: QWidget, result: RunResult, options: dict) -> QWidget:
    from vggcompare.render.plots.variance_plot import VariancePlot

    panel = VariancePlot(parent)
    panel.measure.setCurrentIndex(max(0, panel.measure.findData(options.get("measure", "variance"))))
    panel.log.setChecked(bool(options.get("log", False)))
    panel.sort.setChecked(bool(options.get("sort", False)))
    for control in (panel.measure, panel.log, panel.sort):
        control.hide()
    panel.result = result
    panel.refresh_theme()  # takes the paper colours and draws
    panel.note.setText(panel.note.text().replace(" Hover a point for its name.", ""))
    plot_fonts(panel.plot_widget, panel.font())
    if "min_height" in options:  # a report that fits it on one page lets the plot be shorter than on screen
        for widget in (panel.plot_widget, panel.message):  # the stack is as tall as its tallest page
            widget.setMinimumHeight(int(options["min_height"]))
    return panel


def _passes(parent: QWidget, result: RunResult, options: dict) -> QWidget:
    from vggcompare.render.plots.passes_plot import PassesPlot

    panel = PassesPlot(parent)
    panel.log.setChecked(bool(options.get("log", False)))
    panel.log.hide()
    panel.result = result
    panel.refresh_theme()
    plot_fonts(panel.plot_widget, panel.font())
    return panel


def _top5(parent: QWidget, result: RunResult, options: dict) -> QWidget:
    from vggcompare.render.plots.top5 import Top5Panel

    panel = Top5Panel(parent)
    panel.refresh_theme()
    panel.show_statistics(result.statistics, largest=options.get("largest"))
    return panel


def _inputs(parent: QWidget, result: RunResult, _options: dict) -> QWidget:
    from PySide6.QtCore import Qt

    from vggcompare.render.plots.inputs_strip import InputsStrip

    panel = InputsStrip(parent)
    panel.show_result(result)
    panel.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return panel


def _difference(parent: QWidget, result: RunResult, options: dict) -> QWidget:
    from vggcompare.core.analysis.compare import compare_results
    from vggcompare.render.plots.difference import DifferencePlot

    other = options["against"]
    panel = QWidget(parent)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel("<b>Difference of mean probabilities, B − A, per class</b>"))
    plot = DifferencePlot(font=panel.font())
    layout.addWidget(plot.widget, 1)
    comparison = options.get("comparison") or compare_results(result, other)  # a report hands in the one it computed
    plot.show(result.labels, comparison, panel.palette())
    plot_fonts(plot.widget, panel.font())
    panel.difference = plot  # keeps the Python object (and its labels) alive with the widget
    return panel


def _explanation(parent: QWidget, result: RunResult, options: dict) -> QWidget:
    from vggcompare.render.plots.maps_panel import MapsPanel

    panel = MapsPanel(parent)
    panel.opacity.setValue(int(options.get("opacity", 60)))
    panel.show_result(result)
    panel.opacity.parentWidget().hide()
    return panel


def _maps_compare(parent: QWidget, result: RunResult, options: dict) -> QWidget:
    """The two runs' mean maps and A − B (a report's; the comparison is handed in)."""
    from vggcompare.render.plots.maps_compare import MapsCompare

    panel = MapsCompare(parent)
    panel.show_maps(options["comparison"].maps)
    return panel


def _layers(parent: QWidget, result: RunResult, options: dict) -> QWidget:
    """'Through the network': the layer comparison handed in (computed by the core), with its sentence."""
    from vggcompare.render.plots.layer_plot import LayerPlot

    comparison = options["layers"]
    panel = QWidget(parent)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    unit = "block" if comparison.grouped else "layer"
    title = options.get("title", f"Through the network: relative difference of B against A at every {unit}")
    layout.addWidget(QLabel(f"<b>{html.escape(title)}</b>"))
    plot = LayerPlot(int(options.get("min_height", 220)))
    layout.addWidget(plot.widget, 1)
    plot.show(comparison, panel.palette())
    plot_fonts(plot.widget, panel.font())
    sentence = QLabel(html.escape(comparison.sentence()))
    sentence.setWordWrap(True)
    layout.addWidget(sentence)
    if comparison.notes:  # what was compared: layers matched to a runtime's tensors, blocks, fingerprints, …
        notes = QLabel("<br>".join(html.escape(_shortened(note)) for note in comparison.notes[:NOTES_SHOWN]))
        notes.setWordWrap(True)
        notes.setStyleSheet(f"color: {theme.colors(panel.palette()).css('muted')};")
        layout.addWidget(notes)
    panel.layers = plot  # keeps the Python object alive with the widget
    return panel


NOTES_SHOWN = 4  # the layer comparison's notes under its plot (a CSV or the report holds the layer table itself)


def _shortened(note: str, limit: int = 170) -> str:
    """A note cut at ``limit`` characters (at a word) with an ellipsis: a long list of layer names ends the line."""
    return note if len(note) <= limit else note[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


NO_MAPS = "this result has no explanation maps; run it with --explain gradcam or --explain occlusion"

_BUILDERS = {"layers": _layers, "maps-compare": _maps_compare, "explanation": _explanation, "top5": _top5, "variance": _variance, "passes": _passes, "inputs": _inputs, "difference": _difference}


def build_figure(kind: str, result: RunResult, width: int = DEFAULT_SIZE[0], height: int | None = DEFAULT_SIZE[1],
                 options: dict | None = None, full_paths: bool = False, caption: bool = True) -> QWidget:
    """The ``kind`` plot of ``result`` (one of PLOTS), laid out at ``width`` × ``height`` pixels on paper colours.

    ``options`` carries the window's choices (``measure``, ``log``, ``sort``) and, for ``difference``,
    ``against``: run B. ``height`` None takes the height the figure needs at that width. The caption
    names the image by file name unless ``full_paths``.
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown plot {kind!r}; choose one of {', '.join(PLOTS)}")
    options = dict(options or {})
    if kind == "explanation" and result.explanation is None:
        raise ValueError(NO_MAPS)
    if kind == "layers" and options.get("layers") is None:
        raise ValueError("the layer plot compares two runs layer by layer: give the other run (--against OTHER.json)")
    if kind == "difference" and options.get("against") is None:
        raise ValueError("the difference plot compares two runs: give the other run (--against OTHER.json)")
    figure = QWidget()
    figure.setPalette(paper_palette())
    font = without_ligatures(figure.font())
    font.setPixelSize(max(12, round(width / 80)))
    figure.setFont(font)
    layout = QVBoxLayout(figure)
    layout.setContentsMargins(*(round(width / 60),) * 4)
    panel = _BUILDERS[kind](figure, result, options)
    layout.addWidget(panel, 1)
    if caption:
        other = options.get("against") if kind in ("difference", "layers") else None
        note = QLabel("<br>".join(html.escape(line) for line in caption_lines(result, other, full_paths)))
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {theme.colors(figure.palette()).css('muted')};")
        layout.addWidget(note)
    figure.panel = panel
    return lay_out(figure, width, height)
