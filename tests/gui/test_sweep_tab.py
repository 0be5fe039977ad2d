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
    _a_bar_opens_its_flipped_images_and_one_opens_its_pair(qtbot, window, view, outcome.summary)
    window.close()


def _a_bar_opens_its_flipped_images_and_one_opens_its_pair(qtbot, window, view, summary):
    from PySide6.QtCore import QPoint, Qt

    from vggcompare.core.analysis.sweep_flips import worst_variant

    window.tabs.setCurrentIndex(window.tabs.count() - 1)
    worst = worst_variant(summary)
    flipped = next(v for v in summary["variants"] if v["variant"] == worst)["top1_changed"]
    assert flipped > 0, "the tiny model's top-1 flips under some pitfall"
    assert view.flips.isHidden()
    ys = [y for y in range(view.chart.height()) if view.chart.variant_at(y) == worst]
    assert ys and view.chart.variant_at(0) is None  # the title line is no bar
    qtbot.mouseClick(view.chart, Qt.MouseButton.LeftButton, pos=QPoint(view.chart.width() // 2, ys[len(ys) // 2]))
    qtbot.waitUntil(lambda: view.flips.isVisible(), timeout=10_000)  # read off the GUI thread
    grid = view.flips.list
    assert view.flips.variant == worst and grid.count() == flipped and f"'{worst}'" in view.flips.title.text()
    first = grid.item(0)
    assert not first.icon().isNull() and "→" in first.text() and "change" in first.text()
    changes = [float(grid.item(k).text().rsplit("change ", 1)[1]) for k in range(grid.count())]
    assert changes == sorted(changes, reverse=True)  # largest change first
    assert "No maps computed" in view.flips.note.text()
    image, variant = first.data(Qt.ItemDataRole.UserRole)
    assert variant == worst
    assert view.flips.maps.currentData() == "gradcam"  # the pair's runs make maps unless told not to
    with qtbot.waitSignal(window.session.comparison_ready, timeout=TIMEOUT_MS) as shown:
        grid.itemDoubleClicked.emit(first)
    a, b, _a_name, b_name, comparison = shown.args
    assert b_name == worst and a.name.startswith(image)
    assert a.explanation is not None and b.explanation is not None and comparison.maps.difference is not None
    qtbot.waitUntil(lambda: window.tabs.compare_view.maps.isVisible(), timeout=10_000)  # both maps and A − B
    window.tabs.setCurrentIndex(window.tabs.count() - 1)
    view.flips.close_grid()
    assert view.flips.isHidden()


def test_the_grid_shows_both_maps_on_one_scale_when_the_sweep_computed_them(qtbot):
    import numpy as np
    from PySide6.QtCore import QSize

    from vggcompare.core.analysis.sweep_flips import FlippedImage
    from vggcompare.core.input.images import encode_png
    from vggcompare.gui.sweep.flip_grid import THUMB, FlipGrid

    grid = FlipGrid()
    qtbot.addWidget(grid)
    grey = encode_png(np.full((40, 40, 3), 128, np.uint8))
    plain = FlippedImage(0, "a.jpg", "v", "cat", 0.9, "dog", 0.6, 0.5, "cat", grey)
    dark_bright = FlippedImage(1, "b.jpg", "v", "cat", 0.8, "dog", 0.7, 0.4, "cat", grey,
                               reference_map=np.zeros((8, 8), np.float16), variant_map=np.full((8, 8), 2, np.float16),
                               map_method="occlusion", map_classes=("cat", "dog"))
    grid.show_flips("v", [plain])
    assert "No maps computed" in grid.note.text() and grid.list.iconSize() == QSize(THUMB, THUMB)
    grid.show_flips("v", [dark_bright, plain])
    assert "mean occlusion map of the reference (left) and of the variant (right)" in grid.note.text()
    assert "0 (dark) to 2 (bright)" in grid.note.text()  # one scale: both maps together
    icon = grid.list.item(0).icon().pixmap(grid.list.iconSize()).toImage()
    assert icon.width() > 1.9 * icon.height()
    left, right = icon.pixelColor(icon.width() // 4, icon.height() // 2), icon.pixelColor(3 * icon.width() // 4, icon.height() // 2)
    assert left.lightness() < 100 < 150 < right.lightness()  # the reference's 0 is dark, the variant's 2 the scale's top
    single = grid.list.item(1).icon().pixmap(QSize(THUMB, THUMB)).toImage()
    assert abs(single.width() - single.height()) <= 1  # an image without maps keeps its one picture


def test_a_rows_rerun_carries_the_trust_given_to_the_sweep_started_in_this_session():
    from unittest.mock import MagicMock

    from vggcompare.core.config import ExperimentConfig
    from vggcompare.gui.session.sweep_session import SweepSession

    session = MagicMock()
    submitted = []
    session.runner.submit.side_effect = lambda job, _settings, _kind: submitted.append(job) or MagicMock()
    sweeps = SweepSession(session)
    sweeps.start("photos", "pitfalls", ExperimentConfig(model="served", trust_model=True), out_dir="out")
    sweeps._rerun("out", "cat.jpg", "bilinear", settings=None)
    assert submitted[-1].kwargs["trust_model"] is True
    sweeps._rerun("another sweep", "cat.jpg", "bilinear", settings=None)  # a table never records the trust
    assert submitted[-1].kwargs["trust_model"] is False
    sweeps.start("photos", "pitfalls", ExperimentConfig(model="served"), out_dir="out")
    sweeps._rerun("out", "cat.jpg", "bilinear", settings=None)
    assert submitted[-1].kwargs["trust_model"] is False
