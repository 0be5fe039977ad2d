"""The Result tab: one run's verdict, top-5, variance and passes plots, inputs and maps (the plots from :mod:`vggcompare.render.plots`)."""

from vggcompare.gui.results.view import ResultsView

__all__ = ["ResultsView"]
