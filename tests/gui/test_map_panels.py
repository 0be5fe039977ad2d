"""The map panels: the Result tab's mean and std maps and the compare view's A, B and A − B, shown when a
result has maps and hidden when not; the opacity slider; a bit-identical run's one map; and the window
offering occlusion when Grad-CAM cannot explain the model."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from vggcompare.core.analysis.compare import compare_results
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.resources import sample_path
from vggcompare.core.passes.engine import run_experiment

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def runs(tmp_path_factory, photo):
    """Three runs of a small conv model: augmented with Grad-CAM maps that move, bit-identical with occlusion maps,
    and without maps. Class 2's maps have a shape (test_explain.py: a random model's ReLU leaves some classes' empty)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3, activation="relu"), layers.GlobalAveragePooling2D(),
                              layers.Dense(16, activation="relu"), layers.Dense(10, activation="softmax")])
    path = tmp_path_factory.mktemp("maps") / "cam.keras"
    model.save(path)
    base = ExperimentConfig(image=photo, model=str(path), passes=4, seeding="once", seed=7)
    moving = run_experiment(base.replace(explain="gradcam", explain_class="2", augment={"enabled": True}))
    assert not moving.explanation.identical and float(moving.explanation.std.max()) > 0.05
    return {
        "moving": moving,
        "identical": run_experiment(base.replace(explain="occlusion")),
        "plain": run_experiment(base),
    }


def _image(label) -> QImage:
    pixmap = label.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    return pixmap.toImage()


@pytest.fixture
def results_view(qtbot):
    from vggcompare.gui.results import ResultsView

    view = ResultsView()
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_result_tab_shows_the_mean_and_std_maps_only_when_the_result_has_maps(results_view, runs):
    view = results_view
    view.show_result(runs["moving"])
    view.finish_drawing()
    panel = view.maps
    assert panel.isVisible() and "Where the model looked" in panel.title.text() and "Grad-CAM" in panel.title.text()
    assert "Mean map</b> of 4 passes" in panel.mean_caption.text()
    assert not _image(panel.mean_view).isNull() and not _image(panel.std_view).isNull() and panel.std_bar.isVisible()
    assert panel.mean_bar.high == pytest.approx(float(runs["moving"].explanation.mean.max()), rel=1e-3)
    view.show_result(runs["plain"])
    view.finish_drawing()
    assert not panel.isVisible() and panel.explanation is None


def test_the_opacity_slider_changes_the_overlay_and_only_it(results_view, runs):
    view = results_view
    view.show_result(runs["moving"])
    view.finish_drawing()
    panel = view.maps
    panel.opacity.setValue(60)
    before, std_before = _image(panel.mean_view), _image(panel.std_view)
    panel.opacity.setValue(10)
    faint = _image(panel.mean_view)
    assert faint != before and _image(panel.std_view) == std_before
    panel.opacity.setValue(60)
    assert _image(panel.mean_view) == before  # the same opacity draws the same picture


def _settled(qtbot, view) -> None:
    """Let the event loop draw every pending step of the shown result."""
    qtbot.waitUntil(lambda: not view.drawing, timeout=10_000)


def _thumbnail_maps(strip) -> list:
    """The maps under an inputs strip's pass thumbnails, card by card (the labels with a picture and a tooltip)."""
    from PySide6.QtWidgets import QLabel

    return [label for card in strip.cards for label in card.findChildren(QLabel)
            if label.toolTip() and label.pixmap() is not None and not label.pixmap().isNull()]


def _drawn_at_once(qtbot, result):
    """The maps panel and the inputs strip of ``result``, each drawn in one call."""
    from vggcompare.render.plots.inputs_strip import InputsStrip
    from vggcompare.render.plots.maps_panel import MapsPanel

    panel, strip = MapsPanel(), InputsStrip()
    for widget in (panel, strip):
        qtbot.addWidget(widget)
    panel.show_result(result)
    strip.show_result(result)
    return panel, strip


def test_maps_drawn_over_event_loop_turns_end_as_the_same_pictures_as_drawn_at_once(qtbot, results_view, runs):
    view, result = results_view, runs["moving"]
    view.show_result(result)
    assert view.drawing and not _thumbnail_maps(view.inputs)  # the maps come on later turns
    _settled(qtbot, view)
    panel, strip = _drawn_at_once(qtbot, result)
    assert view.maps.isVisible() and view.maps.title.text() == panel.title.text()
    assert _image(view.maps.mean_view) == _image(panel.mean_view) and _image(view.maps.std_view) == _image(panel.std_view)
    e = result.explanation
    maps = _thumbnail_maps(view.inputs)
    assert [m.toolTip() for m in maps] == [f"{e.title}, pass {t.pass_index + 1}" for t in result.thumbnails]
    assert len(maps) == len(result.thumbnails) >= 3  # more than one step's worth of cards
    assert [_image(m) for m in maps] == [_image(m) for m in _thumbnail_maps(strip)]
    assert view.inputs.scroll.height() == strip.scroll.height() > 0


def test_a_newer_result_arriving_mid_drawing_shows_only_its_own_maps(qtbot, results_view, runs):
    view, older, newer = results_view, runs["moving"], runs["identical"]
    e, (panel, _strip) = newer.explanation, _drawn_at_once(qtbot, newer)
    view.show_result(older)
    _settled(qtbot, view)
    view.show_result(newer)
    view.draw_next()  # the newer maps panel's words: no map of the older run stays under them
    assert view.maps.title.text() == panel.title.text()
    assert view.maps.mean_view.pixmap().isNull() and view.maps.std_view.pixmap().isNull()
    view.show_result(runs["plain"])  # no thumbnail maps
    _settled(qtbot, view)
    view.show_result(older)
    while view.drawing and not _thumbnail_maps(view.inputs):
        view.draw_next()
    assert view.drawing and _thumbnail_maps(view.inputs)  # the older run's first thumbnail maps are up, more are pending
    view.show_result(newer)
    view.draw_next()  # the older run's pending steps are dropped: the newer run's first step comes next
    assert view.maps.title.text() == panel.title.text()
    _settled(qtbot, view)
    assert [m.toolTip() for m in _thumbnail_maps(view.inputs)] == [f"{e.title}, pass {t.pass_index + 1}" for t in newer.thumbnails]
    assert len(view.inputs.cards) == len(newer.thumbnails) and e.title != older.explanation.title
    assert _image(view.maps.mean_view) == _image(panel.mean_view) and "same map" in view.maps.std_view.text()
    view.show_result(older)
    view.draw_next()
    view.show_result(runs["plain"])  # a run without maps replaces one half drawn
    _settled(qtbot, view)
    assert not view.maps.isVisible() and _thumbnail_maps(view.inputs) == [] and len(view.inputs.cards) == len(runs["plain"].thumbnails)


@pytest.mark.parametrize("drawn", ["at once", "over event-loop turns"])
def test_a_bit_identical_run_shows_one_map_and_says_so(qtbot, results_view, runs, drawn):
    view = results_view
    view.show_result(runs["identical"])
    if drawn == "at once":
        view.finish_drawing()
    else:
        _settled(qtbot, view)
    panel = view.maps
    assert panel.isVisible() and runs["identical"].explanation.identical
    assert not _image(panel.mean_view).isNull()
    assert panel.std_view.pixmap().isNull() and "same map" in panel.std_view.text() and not panel.std_bar.isVisible()
    assert "nowhere" in panel.std_caption.text()


def test_the_compare_view_shows_a_b_and_their_difference_on_one_scale_or_says_why_not(qtbot, runs):
    from vggcompare.gui.compare.compare_view import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    a, b = runs["moving"], runs["identical"]
    view.show_pair(a, b, compare_results(a, b))
    maps = view.maps
    assert maps.isVisible() and all(v.isVisible() and not _image(v).isNull() for v in maps.views)
    scale = compare_results(a, b).maps.scale
    assert (maps.bar.low, maps.bar.high) == (-scale, scale) and "one colour scale" in maps.title.text()
    assert "the difference mixes two questions" in maps.title.text()  # Grad-CAM against occlusion: the sentence says so
    view.show_pair(a, runs["plain"], compare_results(a, runs["plain"]))
    assert maps.isVisible() and "Only run A made explanation maps" in maps.title.text()
    assert not any(v.isVisible() for v in maps.views)
    view.show_pair(runs["plain"], runs["plain"], compare_results(runs["plain"], runs["plain"]))
    assert not maps.isVisible()


def test_a_model_without_a_conv_layer_is_offered_occlusion_and_the_rerun_makes_maps(qtbot, settings, tmp_path, monkeypatch,
                                                                                     open_image, probe_model):
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path / "data"))
    from PySide6.QtWidgets import QMessageBox

    from vggcompare.gui.window.main_window import MainWindow

    window = MainWindow(settings, restore=False)
    qtbot.addWidget(window)
    open_image(window, sample_path("cat"))
    window.show()
    window.controls.set_config(ExperimentConfig(model=probe_model[0], passes=2, explain="gradcam"))
    assert window.controls.config().explain == "gradcam"
    with qtbot.waitSignal(window.session.failed, timeout=TIMEOUT_MS) as failed:
        window.start_run()
    assert str(failed.args[1]).startswith("Grad-CAM needs a convolutional layer; occlusion works")
    box = window.error_box
    offered = [b for b in box.buttons() if b.text() == "Run with occlusion"]
    assert len(offered) == 1 and box.buttonRole(offered[0]) == QMessageBox.ButtonRole.AcceptRole
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS) as done:
        offered[0].click()
    result = done.args[0]
    assert result.config.explain == "occlusion" and result.explanation is not None
    assert window.controls.config().explain == "occlusion"
    qtbot.waitUntil(lambda: window.results.maps.isVisible(), timeout=10_000)
    window.close()


def test_the_maps_settings_round_trip_and_off_leaves_no_explain_field(qtbot):
    from vggcompare.core.passes.explain import DEFAULT_EXPLAINED
    from vggcompare.gui.controls import explain as controls
    from vggcompare.gui.controls.panel import ControlsPanel

    assert controls.DEFAULT_EXPLAINED == DEFAULT_EXPLAINED
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    assert panel.config().explain is None and not panel.explain_settings.target.isEnabled()
    panel.set_config(ExperimentConfig(explain="occlusion", explain_class="tabby", explain_passes=3))
    got = panel.config()
    assert (got.explain, got.explain_class, got.explain_passes) == ("occlusion", "tabby", 3)
    panel.explain_settings.use(None)
    got = panel.config()
    assert (got.explain, got.explain_class, got.explain_passes) == (None, None, None)


def test_a_plots_paint_gets_an_event_loop_turn_of_its_own(qtbot, results_view, runs):
    """Qt paints in the turn after a change, before that turn's timers: the step after a plot (and the first step after
    the banner and top 5) must come a turn after that paint, not in it, or both hold the GUI thread at once."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    view = results_view
    view.prepare_plots()
    qtbot.waitUntil(lambda: view.variance.plot_widget is not None and view.passes.plot_widget is not None, timeout=20_000)
    log, turn = [], [0]

    class Paints(QObject):
        def eventFilter(self, watched, event):  # noqa: N802
            if event.type() == QEvent.Type.UpdateRequest:
                log.append(("paint", turn[0]))
            return False

    spy = Paints()
    view.window().installEventFilter(spy)
    view.show_result(runs["moving"])
    log.append(("shown", 0))

    def logged(step):
        def run():
            log.append(("plot" if getattr(step, "painted_alone", False) else "step", turn[0]))
            step()
        run.painted_alone = getattr(step, "painted_alone", False)
        return run

    view._staged = [logged(step) for step in view._staged]
    while view.drawing and turn[0] < 5_000:
        turn[0] += 1
        QApplication.processEvents()
    assert not view.drawing
    kinds = [k for k, _ in log]
    assert kinds.count("plot") == 2
    for i, (kind, _) in enumerate(log):
        if kind in ("plot", "shown") and any(k in ("step", "plot") for k in kinds[i + 1:]):
            j = next(j for j in range(i + 1, len(log)) if log[j][0] in ("step", "plot"))
            paints = [t for k, t in log[i + 1 : j] if k == "paint"]
            assert paints and paints[0] < log[j][1], (log[i], log[i + 1 : j + 1])  # the first paint had its own turn
    view.window().removeEventFilter(spy)


def test_the_compact_axis_draws_what_pyqtgraphs_recorded_axis_draws(qtbot):
    """The axis draws straight onto the painter instead of replaying a QPicture: the same pixels."""
    import pyqtgraph as pg

    from vggcompare.render.plots import plotting

    class Recorded(plotting.CompactAxis):
        paint = pg.AxisItem.paint

    images = []
    for axis in (plotting.CompactAxis, Recorded):
        widget = pg.PlotWidget(axisItems={"left": axis("left"), "bottom": axis("bottom")})
        qtbot.addWidget(widget)
        widget.getPlotItem().showGrid(x=False, y=True, alpha=0.25)
        widget.plot([0, 250, 500, 1000], [0.0, 0.004, 0.0011, 0.0083], pen=None, symbol="o")
        widget.resize(600, 300)
        widget.show()
        qtbot.waitExposed(widget)
        images.append(widget.grab().toImage())
    assert images[0] == images[1]
