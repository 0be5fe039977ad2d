"""History, comparison, demonstrations, repeats and exports in the window, through the session controller."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from vggcompare.core.resources import sample_path
from vggcompare.gui.window import exports
from vggcompare.gui.window.tabs import COMPARE_TAB, DEMOS_TAB

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


@pytest.fixture
def lab_window(qtbot, settings, tmp_path, monkeypatch, open_image):
    """A window whose history lives in a fresh folder."""
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path / "data"))
    from vggcompare.gui.window.main_window import MainWindow

    win = MainWindow(settings, restore=False)
    qtbot.addWidget(win)
    open_image(win, sample_path("cat"))
    win.show()
    return win


def run(qtbot, window, config):
    window.controls.set_config(config)
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS) as blocker:
        window.start_run()
    qtbot.waitUntil(lambda: any(e.result is blocker.args[0] for e in window.history_panel.entries()), timeout=TIMEOUT_MS)
    return blocker.args[0]


def test_finished_runs_are_saved_and_come_back_after_a_restart(qtbot, lab_window, tiny_config, settings, tmp_path):
    first = run(qtbot, lab_window, tiny_config)
    files = list((tmp_path / "data" / "history").glob("*.json"))
    assert len(files) == 1
    (tmp_path / "data" / "history" / "broken.json").write_text("{ not json")
    lab_window.close()
    from vggcompare.gui.window.main_window import MainWindow

    again = MainWindow(settings, restore=False)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: "saved run(s)" in again.history_panel.status.text(), timeout=30_000)
    entries = again.history_panel.entries()
    assert len(entries) == 1 and "1 damaged file(s) skipped" in again.history_panel.status.text()
    again.history_panel.table.selectRow(0)
    with qtbot.waitSignal(again.session.result_ready, timeout=10_000) as blocker:
        again.history_panel.open_button.click()  # the file is read off the GUI thread, then shown
    assert np.array_equal(blocker.args[0].probabilities, first.probabilities)
    assert again.results.result is blocker.args[0]


def test_comparing_two_runs_shows_the_core_verdict_and_the_differing_settings(qtbot, lab_window, tiny_config):
    run(qtbot, lab_window, tiny_config)
    run(qtbot, lab_window, tiny_config.replace(seed=6))
    a, b = (e.result for e in lab_window.history_panel.entries())
    with qtbot.waitSignal(lab_window.session.comparison_ready, timeout=10_000):
        lab_window.session.compare(a, b)  # the numbers are computed off the GUI thread
    view = lab_window.tabs.compare_view
    assert lab_window.tabs.currentIndex() == COMPARE_TAB
    assert "Settings that differ: seed." in view.banner.verdict.text()
    assert view.table.item(0, 0).text() == "seed" and view.table.item(0, 0).font().bold()


def test_repeat_reproduces_a_seeded_run_bit_for_bit(qtbot, lab_window, tiny_config):
    run(qtbot, lab_window, tiny_config)
    with qtbot.waitSignal(lab_window.session.comparison_ready, timeout=TIMEOUT_MS) as blocker:
        lab_window.repeat(False)
    original, again, _a, b_name, comparison = blocker.args
    assert comparison.numbers.bit_identical
    assert b_name == "the repeat" and np.array_equal(original.probabilities, again.probabilities)
    assert "The repeat reproduces the original bit for bit." in lab_window.tabs.compare_view.banner.verdict.text()
    qtbot.waitUntil(lambda: len(lab_window.history_panel.entries()) == 2, timeout=TIMEOUT_MS)  # the repeat is saved too


def test_a_demonstration_runs_and_ends_on_its_table(qtbot, lab_window, tiny_config):
    lab_window.controls.set_config(tiny_config.replace(passes=3))
    gallery = lab_window.tabs.gallery
    assert set(gallery.cards) >= {"popular-1", "popular-2", "popular-3", "matrix", "pitfalls", "numerics"}
    card = gallery.cards["popular-2"]
    assert card.run_button.isEnabled() and "1 run, 2 passes in all" in card.cost.text()
    with qtbot.waitSignal(lab_window.session.preset_ready, timeout=TIMEOUT_MS):
        card.run_button.click()
    view = lab_window.tabs.preset_view
    assert lab_window.tabs.currentIndex() == DEMOS_TAB and view.isVisible()
    assert "bit-identical" in view.banner.verdict.text()
    assert view.table.rowCount() == 2 and "tiny.keras" in view.model.text()


def test_exports_read_back(qtbot, lab_window, tiny_config, tmp_path):
    result = run(qtbot, lab_window, tiny_config)
    one = exports.save_png(lab_window.results.top5, tmp_path / "top5.png", 1)
    two = exports.save_png(lab_window.results.top5, tmp_path / "top5@2x.png", 2)
    a, b = QImage(str(one)), QImage(str(two))
    assert b.width() == 2 * a.width() and b.height() == 2 * a.height() and a.width() > 100
    with pytest.raises(FileExistsError):
        exports.save_png(lab_window.results.top5, one, 1)
    exports.copy_to_clipboard(lab_window.results.banner)
    assert not QApplication.clipboard().pixmap().isNull()
    path = exports.EXPORTERS["csv-stats"][3](result, tmp_path / "stats.csv")
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert len(rows) == 10 and rows[0]["label"] == "tabby cat"


def test_opening_a_damaged_result_file_says_so_and_the_window_works(qtbot, lab_window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    with qtbot.waitSignal(lab_window.session.failed, timeout=10_000):
        lab_window.session.open_result_file(str(bad))
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes and "not a vggcompare result file" in boxes[0].text()
    for box in boxes:
        box.close()


def test_a_run_whose_passes_are_all_done_is_kept_even_if_cancelled_then(qtbot, lab_window, tiny_config, tmp_path):
    """Cancel pressed once the last pass is reported: the finished result is shown and saved, not dropped."""
    reports, cancelled = [], []

    def cancel_at_the_end(report):
        reports.append(report)
        if report.stage == "passes" and report.done == report.total:
            lab_window.cancel_run()

    lab_window.session.progress.connect(cancel_at_the_end)
    lab_window.session.cancelled.connect(lambda: cancelled.append(True))
    lab_window.controls.set_config(tiny_config)
    with qtbot.waitSignal(lab_window.session.result_ready, timeout=TIMEOUT_MS) as blocker:
        lab_window.start_run()
    assert blocker.args[0].passes == tiny_config.passes
    assert any(r.stage == "passes" and r.done == r.total for r in reports) and not cancelled
    qtbot.waitUntil(lambda: len(list((tmp_path / "data" / "history").glob("*.json"))) == 1, timeout=30_000)
