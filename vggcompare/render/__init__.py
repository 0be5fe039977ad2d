"""What both the CLI and the window draw, offscreen or on screen, with PySide6 and pyqtgraph.

It sits below :mod:`vggcompare.cli` and :mod:`vggcompare.gui` (as pyqtgraph's ``exporters`` sit below its
widgets) and never imports either; the core never imports it. From the top down:

- ``report/``: the PDF reports (a run, a comparison, a preset, a checkup, a sweep), laid out on
  ``report/page.py``'s pages, with ``report/blocks.py``'s tables and text.
- ``figures/``: a plot built as a stand-alone figure on paper colours (``figures/paper.py``), written as
  SVG, PDF or PNG (``figures/save.py``); ``figures/build.py`` makes any plot of a result into one.
- ``plots/``: the plot widgets and items the window shows and the figures and reports draw: variance,
  passes, top 5, inputs, maps, the difference of two runs, bars, a sweep's flip chart; pyqtgraph plots
  are made by ``plots/plotting.py`` (compact axis, palette colours).
- ``theme.py`` (colours and fonts from the palette), ``numbers.py`` (label and tick formatting),
  ``qimages.py`` (arrays and Pillow pictures to Qt images), ``qt_compat.py`` (a guard against a crash in
  the installed Qt binding, applied on import).

Each level imports only the levels below it (an import-linter layers contract checks it). New drawing goes
where it belongs: a plot widget in ``plots/``, a file written from it in ``figures/``, a PDF page in ``report/``.
"""

from vggcompare.render.qt_compat import guard_none_refcount

guard_none_refcount()
