"""The window's group "Where the model is served": the runtime combo and the TFLite settings give the configuration,
and a configuration shows in them again."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vggcompare.core.analysis.records import Environment, ImageFacts
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.runtime_rules import RUNTIMES
from vggcompare.render.report.blocks import settings_pairs

pytestmark = pytest.mark.gui


def test_each_runtime_and_the_tflite_settings_round_trip_through_the_group(window, tmp_path):
    controls, serving = window.controls, window.controls.serving_settings
    assert controls.groups["serving"].title == "Where the model is served"
    assert [serving.runtime.itemData(i) for i in range(serving.runtime.count())] == list(RUNTIMES)
    assert not serving.xnnpack.isEnabled() and not serving.calibration.isEnabled()  # Keras: no interpreter settings
    assert serving.xnnpack.toolTip().startswith("The XNNPACK delegate and the interpreter's thread count are TFLite settings")
    for runtime in RUNTIMES:
        serving.runtime.setCurrentIndex(serving.runtime.findData(runtime))
        assert controls.config(image="x.png").runtime == runtime
    serving.xnnpack.setChecked(False)
    serving.threads.setValue(2)
    serving.calibration.setText(str(tmp_path))
    serving.runtime.setCurrentIndex(serving.runtime.findData("tflite-int8"))
    cfg = controls.config(image="x.png")
    assert (cfg.runtime, cfg.tflite_xnnpack, cfg.tflite_threads, cfg.calibration) == ("tflite-int8", False, 2, str(tmp_path))
    assert "served by tflite-int8" in cfg.summary()
    pairs = dict(settings_pairs(SimpleNamespace(config=cfg, image=ImageFacts(), environment=Environment(export_sha256="ab" * 32))))
    assert pairs["served by"] == "tflite-int8, XNNPACK off, 2 threads (export abababababab)"
    controls.set_config(ExperimentConfig())
    assert serving.runtime.currentData() == "keras" and controls.config(image="x.png").runtime == "keras"
    controls.set_config(cfg)
    assert controls.config(image="x.png") == cfg.replace(image="x.png")
    serving.runtime.setCurrentIndex(serving.runtime.findData("onnxruntime"))
    assert controls.config(image="x.png").tflite_threads is None  # TFLite's settings go with a TFLite runtime


def test_a_users_own_exported_file_is_served_by_its_own_runtime(window, tmp_path):
    own = tmp_path / "app.tflite"
    own.write_bytes(b"TFL3")  # the window only names the file; the engine opens it
    window.controls.set_config(ExperimentConfig(model=str(own), runtime="tflite"))
    cfg = window.controls.config(image="x.png")
    assert (cfg.model, cfg.runtime) == (str(own), "tflite")
    serving = window.controls.serving_settings
    serving.runtime.setCurrentIndex(serving.runtime.findData("onnxruntime"))  # the file's suffix decides, not the combo
    assert window.controls.config(image="x.png").runtime == "tflite"


def test_the_gallery_card_of_the_runtimes_demonstration_counts_its_exports():
    from vggcompare.gui.demos.gallery import estimate

    text = estimate("runtimes", ExperimentConfig(model="vgg19-random"), 0.1)
    assert text.startswith("7 runs, 7 passes in all, and 6 exports made the first time; about ")
