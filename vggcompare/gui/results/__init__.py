"""Widgets that show one run's result: verdict, top-5, variance and passes plots, inputs."""

from vggcompare.gui.results.view import ResultsView

__all__ = ["ResultsView"]
