"""The window opens ready to use, runs the tiny model, and fills every result panel."""

from __future__ import annotations

import html

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QCheckBox, QComboBox

from vggcompare.core.resources import sample_path

pytestmark = pytest.mark.gui
RUN_TIMEOUT_MS = 120_000


def run_and_wait(qtbot, window, config):
    """Put ``config`` in the controls, press Run, and return the RunResult."""
    window.controls.set_config(config)
    with qtbot.waitSignal(window.session.result_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.run_panel.run.click()
    qtbot.waitUntil(lambda: not window.session.busy)
    window.results.finish_drawing()  # the plots are drawn over the next event-loop turns; draw them now
    return blocker.args[0]


def test_window_opens_with_the_sample_loaded(window):
    panel = window.image_panel
    assert panel.loaded is not None and panel.loaded.source == str(sample_path("cat"))
    assert not panel.picture.pixmap().isNull()
    assert panel.model_input.pixmap().size().width() == 224  # VGG19's 224 × 224 input at 1:1
    assert "224 × 224" in panel.input_caption.text()
    assert window.run_panel.run.isEnabled() and not window.run_panel.cancel.isEnabled()
    assert "Press Run" in window.results.banner.headline.text()
    assert "cat.png" in window.windowTitle()


def test_run_with_tiny_model_fills_verdict_top5_plots_and_inputs(qtbot, window, tiny_config):
    result = run_and_wait(qtbot, window, tiny_config)
    stats = result.statistics
    view = window.results
    assert "The 12 passes differ" in view.banner.headline.text()
    assert view.banner.verdict.text() == html.escape(result.verdict)
    assert [view.top5.names[i].text() for i in range(5)] == [c.label for c in stats.top5]
    assert view.variance.stack.currentWidget() is view.variance.plot_widget
    assert view.variance.top.data.size == 5 and view.variance.others.data.size == 5
    assert len(view.variance.labels.items) == 5
    assert len(view.inputs.cards) == 8
    assert "TensorFlow" in view.environment.text() and "passes/s" in view.environment.text()
    curve_y = view.passes.curves[0].getData()[1]
    assert np.array_equal(curve_y, result.probabilities[:, stats.top5[0].index].astype(np.float64))
    assert "32 × 32" in window.image_panel.input_caption.text()  # the tiny model's input size


def test_identical_passes_say_so_instead_of_an_empty_plot(qtbot, window, tiny_config):
    # one pass per call guarantees identical passes on every CPU (rows of one call may round differently)
    config = tiny_config.replace(seeding="off", augment={"enabled": False}, dropout=None, batch_size=1)
    result = run_and_wait(qtbot, window, config)
    assert result.statistics.all_bit_identical
    variance = window.results.variance
    assert variance.stack.currentWidget() is variance.message
    assert variance.message.text() == "All 12 passes were bit-identical: every variance is exactly 0"
    assert window.results.banner.headline.text().startswith("All 12 passes identical")


def test_variance_plot_toggles_and_hover_text(qtbot, window, tiny_config):
    result = run_and_wait(qtbot, window, tiny_config)
    plot = window.results.variance
    plot.measure.setCurrentIndex(1)
    assert "standard deviation" in plot.plot.getAxis("left").labelText
    plot.log.setChecked(True)
    assert plot.plot.getAxis("left").logMode
    plot.sort.setChecked(True)
    ys = plot.curve.getData()[1]
    assert np.all(np.diff(ys) <= 0)  # sorted by spread, largest first
    k = result.statistics.top5[0].index
    tip = plot._tip(0, 0, k)
    assert result.labels[k] in tip and "mean probability" in tip and "std" in tip


def test_progress_signals_arrive_in_order(qtbot, window, tiny_config):
    events = []
    session = window.session
    session.busy_changed.connect(lambda busy: events.append(("busy", busy)))
    session.job_started.connect(lambda _h, _d: events.append(("started",)))
    session.progress.connect(lambda p: events.append(("progress", p.stage, p.done, p.total)))
    session.result_ready.connect(lambda _r: events.append(("succeeded",)))
    run_and_wait(qtbot, window, tiny_config.replace(passes=10, batch_size=3))
    assert events[:2] == [("busy", True), ("started",)]
    assert events[-2:] == [("succeeded",), ("busy", False)]
    progress = [e for e in events if e[0] == "progress"]
    assert progress[0][1] == "loading"
    dones = [e[2] for e in progress if e[1] == "passes"]
    assert dones == [0, 3, 6, 9, 10]
    assert window.run_panel.bar.value() == window.run_panel.bar.maximum()


def test_controls_have_plain_tooltips(window):
    boxes = window.controls.findChildren(QAbstractSpinBox) + window.controls.findChildren(QComboBox) + \
        window.controls.findChildren(QCheckBox)
    missing = [type(w).__name__ + ":" + (w.text() if hasattr(w, "text") else "") for w in boxes if not w.toolTip()]
    assert not missing


def test_paste_an_image_from_the_clipboard(window):
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(0x3366AA)
    QApplication.clipboard().setImage(image)
    assert window.image_panel.paste()
    loaded = window.image_panel.loaded
    assert loaded.source == "<clipboard>" and loaded.size == (40, 30)
    assert np.asarray(loaded.image)[0, 0].tolist() == [0x33, 0x66, 0xAA]
    QApplication.clipboard().clear()


def test_settings_persist_between_sessions(qtbot, settings, tiny_config, tmp_path, open_image):
    from vggcompare.gui.window.main_window import MainWindow

    first = MainWindow(settings, restore=True)
    qtbot.addWidget(first)
    first.controls.set_config(tiny_config)
    first.controls.set_expanded_groups(["numerics"])
    open_image(first, sample_path("coffee"))
    first.close()
    second = MainWindow(settings, restore=True)
    qtbot.addWidget(second)
    assert second.controls.config() == tiny_config.replace(image=None)
    assert second.controls.expanded_groups() == ["numerics"]
    assert settings.recent_files() == []  # bundled samples are not "recent files"
    picture = tmp_path / "mine.png"
    QImage(20, 20, QImage.Format.Format_RGB32).save(str(picture))
    open_image(second, picture)
    assert settings.recent_files() == [str(picture)]
    assert settings.last_folder() == str(tmp_path)


def test_dropping_a_file_loads_it(qtbot, window):
    from PySide6.QtCore import QMimeData, QUrl

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sample_path("rocket")))])
    with qtbot.waitSignal(window.session.image_changed, timeout=10_000):
        assert window.image_panel.load_mime(mime, "<dropped image>")
    assert window.image_panel.loaded.source == window.session.image.source == str(sample_path("rocket"))
    assert "rocket" in window.windowTitle()


def test_a_missing_model_file_is_named_and_run_is_disabled(window, tiny_config, tmp_path):
    window.controls.set_config(tiny_config.replace(model=str(tmp_path / "gone.keras")))
    assert not window.run_panel.run.isEnabled() and not window.run_action.isEnabled()
    assert "gone.keras does not exist" in window.run_panel.problem.text()
    window.controls.set_config(tiny_config)
    assert window.run_panel.run.isEnabled() and not window.run_panel.problem.isVisible()


def test_hovering_a_highlighted_point_shows_its_class(qtbot, window, tiny_config):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    result = run_and_wait(qtbot, window, tiny_config)
    plot = window.results.variance
    qtbot.wait(100)  # let the layout settle, so view coordinates map to the widget as drawn
    spot = plot.top.points()[0]
    k = int(spot.data())
    viewport = plot.plot_widget.viewport()
    target = QPointF(plot.plot_widget.mapFromScene(plot.plot.getViewBox().mapViewToScene(QPointF(spot.pos()))))

    def hovered() -> bool:
        return result.labels[k] in plot.plot.getViewBox().toolTip()

    for _attempt in range(10):  # pyqtgraph rate-limits mouse moves; on a busy machine one pair can be dropped
        for pos in (target + QPointF(40, 40), target):
            event = QMouseEvent(QEvent.Type.MouseMove, pos, QPointF(viewport.mapToGlobal(pos.toPoint())),
                                Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(viewport, event)
            qtbot.wait(120)
        if hovered():
            break
    qtbot.waitUntil(hovered, timeout=5000)
    assert "mean probability" in plot.plot.getViewBox().toolTip()


def test_help_explains_the_window_in_plain_words(window):
    from vggcompare.gui.common.dialogs import show_help

    box = show_help(window)
    assert "Top 5" in box.text() and "Run" in box.text()
    box.accept()


def test_the_seed_box_holds_every_seed_up_to_the_largest(window, tiny_config):
    from vggcompare.core.config import MAX_SEED

    window.controls.set_config(tiny_config.replace(seed=MAX_SEED))
    assert window.controls.config().seed == MAX_SEED == 2**32 - 1
    window.controls.set_config(tiny_config.replace(seed=0))
    assert window.controls.config().seed == 0


def test_the_advanced_groups_open_and_close(window):
    controls = window.controls
    group = controls.groups["numerics"]
    assert not group.isExpanded() and not group.content.isVisible()
    group.toggle.click()
    assert group.isExpanded() and group.content.isVisible() and group.toggle.text().startswith("▼")
    assert controls.expanded_groups() == ["numerics"]
    controls.set_expanded_groups([])
    assert not group.content.isVisible() and group.toggle.text().startswith("▶")
