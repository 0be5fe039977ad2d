"""The window's pipeline controls: loading as your code does it, the call path, training mode and batch neighbours,
the model's view following the loader, and the Checkup card first in the gallery."""

from __future__ import annotations

import numpy as np

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.input.loaders import opencv_input
from vggcompare.core.resources import sample_path
from vggcompare.render.qimages import qimage_to_array


def test_loading_and_call_controls_make_the_config_and_show_it_back(qtbot, window, tmp_path):
    controls = window.controls
    loading, calls = controls.loading_settings, controls.call_settings
    assert "loading" in controls.groups and "calls" in controls.groups
    loading.loader.setCurrentIndex(loading.loader.findData("opencv"))
    methods = [loading.interpolation.itemData(i) for i in range(loading.interpolation.count())]
    assert methods == ["bilinear", "nearest", "bicubic", "area", "lanczos4"]
    assert loading.bgr.isEnabled() and not loading.dct.isEnabled() and not loading.antialias.isEnabled()
    loading.bgr.setChecked(True)
    calls.call.setCurrentIndex(calls.call.findData("eager"))
    calls.training.setChecked(True)
    calls.neighbours.setCurrentIndex(calls.neighbours.findData("folder"))
    (tmp_path / ("a" + sample_path("cat").suffix)).write_bytes(sample_path("cat").read_bytes())
    calls.folder.setText(str(tmp_path))
    qtbot.waitUntil(lambda: calls.checking is None, timeout=10_000)  # the folder's check, a file job
    cfg = controls.config(image="x.png")
    assert (cfg.loader, cfg.interpolation, cfg.call, cfg.training_mode) == ("opencv", "bilinear", "eager", True)
    assert "opencv-bgr" in cfg.pitfalls and cfg.batch_neighbours == str(tmp_path)
    other = ExperimentConfig(loader="tf-dataset", interpolation="area", dct_method="INTEGER_ACCURATE", antialias=True,
                             batch_neighbours="samples")
    controls.set_config(other)
    back = controls.config()
    assert (back.loader, back.interpolation, back.dct_method, back.antialias, back.batch_neighbours, back.call) == \
        ("tf-dataset", "area", "INTEGER_ACCURATE", True, "samples", "compiled")
    assert not loading.bgr.isEnabled() and "opencv-bgr" not in back.pitfalls


def test_what_the_model_sees_follows_the_loader(window):
    panel = window.image_panel
    panel.set_model_view(input_size=(32, 32), interpolation="bilinear", loader="opencv", switches=("opencv-bgr",))
    shown = qimage_to_array(panel.model_input.pixmap().toImage())
    expected = opencv_input(panel.loaded, (32, 32), "bilinear", True)[0].astype(np.uint8)
    factor = shown.shape[0] // 32
    assert np.array_equal(shown[::factor, ::factor][:32, :32, :3], expected)
    assert "cv2.imread without cvtColor" in panel.input_caption.text()
    panel.set_model_view(loader="tf-dataset")
    assert "load_img's view" in panel.input_caption.text() and "engine" in panel.input_caption.text()


def test_the_checkup_demonstration_ends_on_its_ranked_table(qtbot, window, gui_model):
    """The checkup as a demonstration (presenter mode's path; the gallery's card opens the Checkup tab)."""
    gallery = window.tabs.gallery
    assert list(gallery.cards)[0] == "checkup"
    window.controls.set_config(ExperimentConfig(model=gui_model["model"], labels=gui_model["labels"], preprocess="none"))
    with qtbot.waitSignal(window.session.preset_ready, timeout=180_000):
        window.start_preset("checkup")
    view = window.tabs.preset_view
    table = view.table
    assert table.rowCount() > 15
    causes = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert causes[0].startswith("reference") and any(c.startswith("loader opencv") for c in causes)
    assert any(c.startswith("threads: 1 thread (new process)") for c in causes)  # run in a new Python process
    changes = [float(table.item(r, 1).text()) for r in range(1, table.rowCount())]
    assert changes == sorted(changes, reverse=True)  # ranked by the largest probability change


def test_the_pitfall_switches_follow_their_rules_and_say_why(window):
    """The BGR swap needs caffe preprocessing and the load-img switches need the load-img loader (core.option_rules)."""
    from vggcompare.core.option_rules import why_not

    settings = window.controls.preprocess_settings
    box = settings.pitfalls["no-bgr-swap"]
    settings.mode.setCurrentIndex(settings.mode.findData("tf"))
    sentence = why_not("pitfalls=no-bgr-swap", {"effective_preprocess": "tf"})
    assert not box.isEnabled() and box.toolTip().startswith(f"Not available: {sentence[:1].upper()}{sentence[1:]}.")
    settings.mode.setCurrentIndex(settings.mode.findData("caffe"))
    assert box.isEnabled() and box.toolTip() == settings.tips["no-bgr-swap"]
    loading = window.controls.loading_settings
    loading.loader.setCurrentIndex(loading.loader.findData("opencv"))
    assert not settings.pitfalls["apply-exif"].isEnabled() and "load-img loader" in settings.pitfalls["apply-exif"].toolTip()
    loading.loader.setCurrentIndex(loading.loader.findData("load-img"))
    assert settings.pitfalls["apply-exif"].isEnabled()
