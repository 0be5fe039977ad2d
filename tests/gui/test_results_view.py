"""The Result tab's view on its own: plots built only when needed, and a running state that moves nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject

from vggcompare.gui.results import ResultsView

pytestmark = pytest.mark.gui


class Resizes(QObject):
    """Records the Resize events of the widgets it watches."""

    def __init__(self, widgets) -> None:
        super().__init__()
        self.seen: list = []
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.Resize:
            self.seen.append((type(obj).__name__, event.size()))
        return False


@pytest.fixture
def view(qtbot):
    v = ResultsView()
    qtbot.addWidget(v)
    v.resize(1200, 800)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_the_empty_view_has_messages_and_no_plot_yet(view):
    for panel in (view.variance, view.passes):
        assert panel.plot_widget is None and panel.stack.currentWidget() is panel.message
        assert "appears here after a run" in panel.message.text()


def test_a_result_builds_and_fills_the_plots(view, make_result):
    view.show_result(make_result(spread=0.01, passes=12))
    view.finish_drawing()
    for panel in (view.variance, view.passes):
        assert panel.plot_widget is not None and panel.stack.currentWidget() is panel.plot_widget
    assert view.passes.curves[0].getData()[1].size == 12


def test_a_new_run_marks_the_plots_as_the_previous_run_without_resizing_them(qtbot, view, make_result):
    view.show_result(make_result(spread=0.01, passes=12))
    view.finish_drawing()
    qtbot.wait(50)  # let the layout settle
    titles = [view.variance.title.text(), view.passes.title.text()]
    resizes = Resizes([view.variance.plot_widget, view.passes.plot_widget])
    view.set_stale(True)
    qtbot.wait(50)
    assert resizes.seen == []  # a resize would repaint every point of both plots
    assert [view.variance.title.text(), view.passes.title.text()] == titles
    for panel in (view.variance, view.passes):
        assert panel.previous_note.isVisible() and "previous run" in panel.previous_note.textItem.toPlainText()
    assert not view.top5.isEnabled()
    view.set_stale(False)
    qtbot.wait(50)
    assert resizes.seen == [] and not view.variance.previous_note.isVisible() and view.top5.isEnabled()


def test_nothing_is_marked_before_the_first_result(view):
    view.set_stale(True)
    assert view.variance.previous_note is None and view.passes.previous_note is None


def test_the_plot_loader_imports_on_the_gui_thread_then_runs_each_step_on_its_own_turn(qtbot, tmp_path, monkeypatch):
    """PySide6 makes its classes lazily, which crashed the window when pyqtgraph was imported on a thread."""
    import sys

    from PySide6.QtCore import QTimer

    from vggcompare.gui.results.plot_loader import PlotLoader

    (tmp_path / "loader_probe.py").write_text("import threading\nON_MAIN_THREAD = threading.current_thread() is threading.main_thread()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    done: list = []

    def first() -> None:
        done.append("variance")
        QTimer.singleShot(0, lambda: done.append("a turn of the event loop"))

    loader = PlotLoader([first, lambda: done.append("passes")], module="loader_probe")
    loader.start()
    assert done == [] and "loader_probe" not in sys.modules  # nothing happens before the event loop runs
    with qtbot.waitSignal(loader.finished, timeout=20_000):
        pass
    import loader_probe

    assert loader.error == "" and loader_probe.ON_MAIN_THREAD
    assert done == ["variance", "a turn of the event loop", "passes"]


def test_a_failed_import_is_recorded_and_builds_nothing(qtbot):
    from vggcompare.gui.results.plot_loader import PlotLoader

    done: list = []
    loader = PlotLoader([lambda: done.append("built")], module="vggcompare_no_such_module")
    with qtbot.waitSignal(loader.finished, timeout=10_000):
        loader.start()
    assert "ModuleNotFoundError" in loader.error and done == []


def test_a_failing_step_is_recorded_and_the_loader_still_finishes(qtbot):
    """The window starts its engine when the loader finishes: one bad step must not stop that."""
    from vggcompare.gui.results.plot_loader import PlotLoader

    done: list = []
    loader = PlotLoader([lambda: 1 / 0, lambda: done.append("passes")], module="json")
    with qtbot.waitSignal(loader.finished, timeout=20_000):
        loader.start()
    assert loader.error.startswith("ZeroDivisionError") and done == ["passes"]


def test_a_message_shown_instead_of_a_plot_is_greyed_during_a_new_run(view, make_result):
    view.show_result(make_result(spread=0.0, passes=4))  # bit-identical: the spread panel shows words
    view.finish_drawing()
    assert view.variance.stack.currentWidget() is view.variance.message
    view.set_stale(True)
    assert not view.variance.message.isEnabled()
    view.set_stale(False)
    assert view.variance.message.isEnabled()


def test_point_labels_keep_their_items_and_show_only_the_newest_words(qtbot):
    import pyqtgraph as pg
    from PySide6.QtGui import QColor

    from vggcompare.render.plots.plot_labels import PointLabels

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    labels = PointLabels(plot, widget.font())

    def shown() -> list[str]:
        return sorted(i.toPlainText() for i in plot.items if isinstance(i, pg.TextItem))

    labels.set_labels([("1 cat", 0.0, 1.0), ("2 dog", 1.0, 0.5), ("3 fish", 2.0, 0.2)], QColor("blue"), QColor("white"))
    first = list(labels.items)
    assert shown() == ["1 cat", "2 dog", "3 fish"]
    labels.set_labels([("1 tabby", 0.0, 0.9), ("2 lynx", 2.0, 0.1)], QColor("red"), QColor("black"))
    assert shown() == ["1 tabby", "2 lynx"]  # no label of the earlier call is left
    assert labels.items == first[:2] and labels.points == [(0.0, 0.9), (2.0, 0.1)]
    assert labels.items[0].textItem.defaultTextColor() == QColor("red") and labels.items[1].fill.color().red() == 0
    labels.set_labels([("1 a", 0.0, 0.9), ("2 b", 1.0, 0.5), ("3 c", 2.0, 0.1), ("4 d", 3.0, 0.0)], QColor("red"), QColor("white"))
    assert shown() == ["1 a", "2 b", "3 c", "4 d"] and labels.items[:2] == first[:2]
