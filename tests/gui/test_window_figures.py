"""The window's figures and reports: Export → Figure, right-click on a plot, and the two boxes."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from poppler import need_poppler, pdf_text, rendered_pages
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.resources import sample_path
from vggcompare.core.passes.engine import run_experiment
from vggcompare.gui.window import exports
from vggcompare.gui.window import figure_menu as context

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def runs(gui_model, tmp_path_factory):
    """Two runs of the cat photo kept in a folder whose name must not be shown."""
    folder = tmp_path_factory.mktemp("home") / "carol-private-folder"
    folder.mkdir()
    image = str(shutil.copy(sample_path("cat"), folder))
    c = ExperimentConfig(image=image, model=gui_model["model"], labels=gui_model["labels"], passes=5,
                         seeding="once", augment=AugmentConfig(enabled=True))
    return run_experiment(c), run_experiment(c.replace(seed=11))


def _svg_text(path) -> str:
    return " ".join(" ".join(e.itertext()) for e in ET.parse(path).getroot().iter() if e.tag.endswith("text"))


def saved(qtbot, window, path) -> None:
    """The figure is written by a file job: wait until the window says it is saved."""
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == f"Saved {path}", timeout=10_000)
    window.statusBar().clearMessage()


def test_export_figure_names_the_file_unless_full_paths_is_ticked(qtbot, window, runs, tmp_path, monkeypatch):
    window.session.show_result(runs[0])
    monkeypatch.setattr(context, "ask_figure_path", lambda _p, kind: (str(tmp_path / f"{kind}.svg"), 1))
    figures = window.exports.figures
    figures.save("passes")
    saved(qtbot, window, tmp_path / "passes.svg")
    assert "cat.png" in _svg_text(tmp_path / "passes.svg") and "carol-private-folder" not in _svg_text(tmp_path / "passes.svg")
    figures.full_paths.setChecked(True)
    figures.save("passes")
    saved(qtbot, window, tmp_path / "passes.svg")
    assert "carol-private-folder" in _svg_text(tmp_path / "passes.svg")


def test_a_figure_that_cannot_be_written_is_one_sentence(qtbot, window, runs, tmp_path, monkeypatch):
    window.session.show_result(runs[0])
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setattr(context, "ask_figure_path", lambda _p, kind: (str(tmp_path / "a-file" / f"{kind}.svg"), 1))
    shown = []
    monkeypatch.setattr(window, "show_error", lambda title, message, details="": shown.append((title, message)))
    window.exports.figures.save("top5")
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    (title, message), = shown
    assert title == "The figure was not saved" and message.count(". ") == 0 and "a-file" in message


def test_the_boxes_are_remembered(window, settings):
    window.exports.figures.include_runs.setChecked(True)
    assert str(settings.store.value("export/include_every_run")).lower() == "true"


def compare_and_wait(qtbot, window, runs) -> None:
    """Compare two runs in the window; the numbers come from a file job, so wait for them."""
    with qtbot.waitSignal(window.session.comparison_ready, timeout=10_000):
        window.session.compare(*runs)


def test_difference_figure_needs_a_comparison_then_saves_it(qtbot, window, runs, tmp_path, monkeypatch):
    monkeypatch.setattr(context, "ask_figure_path", lambda _p, kind: (str(tmp_path / f"{kind}.pdf"), 1))
    window.exports.figures.save("difference")
    assert not (tmp_path / "difference.pdf").exists() and "two runs compared" in window.statusBar().currentMessage()
    compare_and_wait(qtbot, window, runs)
    window.exports.figures.save("difference")
    saved(qtbot, window, tmp_path / "difference.pdf")
    assert (tmp_path / "difference.pdf").read_bytes().startswith(b"%PDF")


def test_right_click_on_a_plot_offers_save_figure(window, runs, monkeypatch):
    window.session.show_result(runs[0])
    window.results.finish_drawing()  # the plots are built as the result is drawn
    shown = []
    monkeypatch.setattr(context, "popup", lambda menu, _where: shown.append([a.text() for a in menu.actions()]))
    viewport = window.results.variance.plot_widget.viewport()
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(20, 20), viewport.mapToGlobal(QPoint(20, 20))))
    assert shown == [["Save figure as…"]]


def test_pdf_reports_from_the_window_are_one_page_without_folders(qtbot, window, runs, tmp_path, monkeypatch):
    need_poppler()
    window.session.show_result(runs[0])
    compare_and_wait(qtbot, window, runs)
    for kind in ("run", "comparison"):
        monkeypatch.setattr(exports, "ask_save_path", lambda *_a, k=kind: str(tmp_path / f"{k}.pdf"))
        window.exports.export_pdf(kind)
        pdf = tmp_path / f"{kind}.pdf"
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() == f"Saved {pdf}", timeout=30_000)  # written off the GUI thread
        assert len(rendered_pages(pdf, tmp_path)) == 1
        assert "cat.png" in pdf_text(pdf) and "carol-private-folder" not in pdf_text(pdf)


def test_a_screenshot_of_the_window_shows_no_folder(qtbot, window, runs, open_image):
    from PySide6.QtWidgets import QLabel

    open_image(window, runs[0].config.image)
    window.session.show_result(runs[0])
    compare_and_wait(qtbot, window, runs)
    shown = [window.windowTitle()] + [label.text() for label in window.findChildren(QLabel) if label.isVisibleTo(window)]
    assert any("cat.png" in text for text in shown)
    assert not [text for text in shown if "carol-private-folder" in text]


def test_plots_built_after_the_first_paint_get_the_menu_too(qtbot, window, monkeypatch):
    results = window.results
    assert results.variance.plot_widget is None and results.passes.plot_widget is None  # not needed to paint the window
    with qtbot.waitSignal(results.plots_ready, timeout=20_000):
        results.prepare_plots()  # what the window does once it is on screen: pyqtgraph loaded in pieces
    assert results.plot_loader.error == ""
    shown = []
    monkeypatch.setattr(context, "popup", lambda menu, _where: shown.append([(a.text(), a.isEnabled()) for a in menu.actions()]))
    for panel in (results.variance, results.passes):
        assert panel.stack.currentWidget() is panel.message  # still the message until a run
        viewport = panel.plot_widget.viewport()
        QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), viewport.mapToGlobal(QPoint(5, 5))))
    assert shown == [[("Save figure as…", False)]] * 2  # offered, and greyed while there is nothing to save
