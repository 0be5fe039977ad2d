"""PDF reports of a run, a comparison or a demonstration: the first page is the report.

Each report is laid out block by block on Qt's PDF writer (:mod:`.page`); plots are the window's
own widgets from :mod:`vggcompare.render.plots`, drawn as vector. Folders are hidden (file names
only) unless ``full_paths`` is asked for.
"""

from vggcompare.render.figures.paper import ensure_app
from vggcompare.render.report.compare_page import write_comparison_report
from vggcompare.render.report.preset_page import write_preset_report
from vggcompare.render.report.run_page import write_run_report

__all__ = ["ensure_app", "write_comparison_report", "write_preset_report", "write_run_report"]
