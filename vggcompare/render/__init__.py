"""What both the CLI and the window draw, offscreen or on screen, with PySide6 and pyqtgraph.

It sits below :mod:`vggcompare.cli` and :mod:`vggcompare.gui` (as pyqtgraph's ``exporters`` sit below its
widgets) and never imports either; the core never imports it.

- ``theme``, ``numbers``, ``qimages``: colours and fonts from the palette, label and tick formatting,
  conversions between arrays, Pillow pictures and Qt images.
- ``plots/``: the plot widgets and items the window shows and the figures draw (variance, passes,
  top 5, inputs, maps, difference, bars), on the compact axis of ``plots/plotting.py``.
- ``figures/``: a plot of a result built as a stand-alone figure on paper colours, written as SVG, PDF or PNG.
- ``report/``: the PDF reports (a run, a comparison, a preset, a checkup) on shared pages.
- ``sweep_report.py``: a sweep's PDF report and its flip chart.
- ``qt_compat.py``: a guard against a crash in the installed Qt binding, applied on import.
"""

from vggcompare.render.qt_compat import guard_none_refcount

guard_none_refcount()
