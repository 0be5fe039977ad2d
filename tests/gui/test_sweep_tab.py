"""The "Many images" tab runs a sweep through the session's job runner and opens a row in the compare view."""

from __future__ import annotations

import shutil

import pytest

from vggcompare.core.resources import sample_path, sweep_samples_folder
from vggcompare.gui.window.tabs import COMPARE_TAB

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


def test_a_sweep_fills_the_table_chart_and_rows_and_a_row_opens_its_comparison(qtbot, settings, tmp_path, monkeypatch,
                                                                                open_image, tiny_config):
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path / "data"))
    from vggcompare.gui.window.main_window import MainWindow

    window = MainWindow(settings, restore=False)
    qtbot.addWidget(window)
    open_image(window, sample_path("cat"))
    window.show()
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("cat.jpg", "coffee.jpg", "rocket.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    (folder / "broken.jpg").write_bytes(b"not a picture")
    window.controls.set_config(tiny_config.replace(augment=tiny_config.augment.__class__(), dropout=None))
    assert window.tabs.tabText(window.tabs.count() - 1) == "Many images" and not window.sweep_view.built  # built when opened
    window.tabs.setCurrentIndex(window.tabs.count() - 1)
    view = window.sweep_view.view
    view.folder.setText(str(folder))
    view.preset.setCurrentIndex(view.preset.findData("pitfalls"))
    with qtbot.waitSignal(view.sweeps.finished, timeout=TIMEOUT_MS) as done:
        view.run_button.click()
    outcome = done.args[0]
    assert outcome.summary["images_with_errors"] == 1 and outcome.summary["complete"]
    assert view.variants.rowCount() == len(outcome.summary["variants"]) == 8  # no BGR swap: the tiny model takes no caffe input
    assert view.variants.item(0, 0).text() == "VGG's preprocessing (caffe) on tiny.keras"  # another architecture's mode
    assert view.chart.summary is outcome.summary and view.headline.text() == outcome.summary["headline"]
    qtbot.waitUntil(lambda: view.rows.rowCount() > 0, timeout=10_000)  # rows.csv is read off the GUI thread
    assert "Done:" in view.status.text() and view.run_button.isEnabled()
    image, variant = view.rows.item(0, 0).text(), view.rows.item(0, 1).text()
    with qtbot.waitSignal(window.session.comparison_ready, timeout=TIMEOUT_MS) as shown:
        view.rows.cellDoubleClicked.emit(0, 0)
    a, b, a_name, b_name, _comparison = shown.args
    assert (a_name, b_name) == ("reference (none, nearest)", variant) and a.name.startswith(image)
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == COMPARE_TAB, timeout=10_000)
    window.close()
