"""Where the model is served: each runtime's passes are that library's own call on the same array, bit for bit; exports
are cached under KERAS_HOME by model, converter and settings, rebuilt when damaged; options an export cannot take are
refused in one sentence, and a model a converter refuses is named with its op."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from vggcompare.cli import main
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ExportError
from vggcompare.core.input.images import load_image
from vggcompare.core.input.model_view import model_input
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.passes.environment import environment_line

EXPORTED = ("savedmodel", "tflite", "tflite-float16", "tflite-int8-dynamic", "tflite-int8", "onnxruntime")


def _export_path(result) -> Path:
    from vggcompare.core.model.runtimes.export import exports_dir

    return exports_dir() / result.environment.export_file


def _own_call(runtime: str, path: Path, x: np.ndarray) -> np.ndarray:
    """The library's own call on ``x``, written out here as a user's code writes it."""
    if runtime == "savedmodel":
        import tensorflow as tf

        loaded = tf.saved_model.load(str(path))
        return loaded.serve(tf.constant(x)).numpy()
    if runtime == "onnxruntime":
        import onnxruntime as ort

        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    inp = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(inp["index"], list(x.shape))
    interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    if inp["dtype"] == np.int8:  # full-integer int8: the app quantizes the input and dequantizes the output
        scale, zero = inp["quantization"]
        x = np.clip(np.round(x / np.float32(scale)) + zero, -128, 127).astype(np.int8)
    interpreter.set_tensor(inp["index"], x)
    interpreter.invoke()
    y = interpreter.get_tensor(out["index"])
    if out["dtype"] == np.int8:
        scale, zero = out["quantization"]
        y = (y.astype(np.float32) - np.float32(zero)) * np.float32(scale)
    return y


def test_each_runtime_is_its_librarys_own_call_bit_for_bit(probe_model, photo):
    path, model = probe_model
    picture = model_input(load_image(photo), (32, 32))
    x = np.stack([picture, picture[:, ::-1]])  # the photo and its mirror image
    cfg = ExperimentConfig(image=photo, model=path, passes=2, seeding="once", batch_size=2)
    keras_probs = run_experiment(cfg).probabilities
    for runtime in EXPORTED:
        result = run_experiment(cfg.replace(runtime=runtime))
        own = _own_call(runtime, _export_path(result), x)
        assert np.array_equal(result.probabilities[0], own[0]), runtime  # the passes are the library's own call
        assert not np.array_equal(own[0], own[1]), runtime  # the probe tells the photo from its mirror image here
        assert np.abs(result.probabilities - keras_probs).max() < 0.05, runtime
        env = result.environment
        assert env.runtime == runtime and len(env.export_sha256) == 64 and env.converter["converter"]
        assert any(n.startswith(f"Served by {runtime}: exported with ") for n in result.notes), result.notes
        assert f"served by {runtime} (" in environment_line(env) and env.export_sha256[:12] in environment_line(env)
    calibrated = run_experiment(cfg.replace(runtime="tflite-int8"))
    assert len(calibrated.environment.calibration_photos) == 15 and "brick.jpg" in calibrated.environment.calibration_photos
    assert any(n.startswith("Calibrated for int8 on 15 photos: ") for n in calibrated.notes)


def test_exports_are_cached_by_model_and_settings_and_rebuilt_when_damaged(probe_model, photo, tmp_path, monkeypatch):
    import keras

    from vggcompare.core.model import prepare
    from vggcompare.core.model.runtimes.export import exports_dir, model_fingerprint

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    prepare.clear_cache()
    assert not exports_dir().exists()  # a fresh KERAS_HOME starts empty
    path, model = probe_model
    cfg = ExperimentConfig(image=photo, model=path, passes=1, seeding="once", runtime="tflite")
    first = run_experiment(cfg)
    assert first.environment.export_made and any("exported in" in n for n in first.notes)
    prepare.clear_cache()
    second = run_experiment(cfg)
    assert not second.environment.export_made and any("reused the cached export" in n for n in second.notes)
    assert np.array_equal(first.probabilities, second.probabilities)
    file = _export_path(second)
    file.write_bytes(file.read_bytes()[:-40])  # a damaged export is made again, not trusted
    prepare.clear_cache()
    third = run_experiment(cfg)
    assert third.environment.export_made and any("damaged or altered" in n for n in third.notes)
    assert np.array_equal(first.probabilities, third.probabilities)
    # the key is the architecture and weights: the same model built again (other layer names) is the same model,
    # one more weightless Rescaling layer is another
    keras.utils.set_random_seed(3)
    again = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(
        10, activation="softmax", kernel_initializer=keras.initializers.RandomNormal(stddev=1e-5))])
    assert model_fingerprint(again) == model_fingerprint(model)
    rescaled = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1.0), *again.layers])
    assert model_fingerprint(rescaled) != model_fingerprint(model)


@pytest.mark.parametrize("changes, words", [
    ({"call": "predict"}, "--call is not applicable"),
    ({"precision": "bfloat16"}, "--precision bfloat16 is not applicable"),
    ({"training_mode": True}, "training mode is not applicable"),
    ({"dropout": 0.5}, "MC dropout is not applicable"),
    ({"explain": "gradcam"}, "Grad-CAM maps need the model's gradients"),
])
def test_options_an_export_cannot_take_are_refused_in_one_sentence(changes, words):
    from vggcompare.core.option_rules import why_not

    cfg = ExperimentConfig(model="vgg19-random", runtime="tflite", **changes)
    with pytest.raises(ConfigError, match=words) as refused:
        cfg.validate()
    option = next(iter(changes)) if "explain" not in changes else "explain=gradcam"
    assert why_not(option, cfg) == str(refused.value) and "\n" not in str(refused.value)  # one rule, one sentence
    ExperimentConfig(model="vgg19-random", **changes).validate()  # the same option on Keras is fine


def test_settings_and_files_and_the_command_line(tmp_path, capsys):
    with pytest.raises(ConfigError, match="TFLite settings"):
        ExperimentConfig(runtime="onnxruntime", tflite_xnnpack=False).validate()
    with pytest.raises(ConfigError, match="--runtime tflite-int8"):
        ExperimentConfig(runtime="tflite", calibration=str(tmp_path)).validate()
    with pytest.raises(ConfigError, match="an exported file runs in its own runtime: a .tflite file in tflite"):
        ExperimentConfig(model="app.tflite", runtime="onnxruntime").validate()
    cfg = ExperimentConfig(runtime="tflite-int8", tflite_threads=2, tflite_xnnpack=False)
    assert ExperimentConfig.from_dict(cfg.to_dict()) == cfg
    assert "runtime" not in ExperimentConfig().to_dict()  # the default writes what older versions read
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["run", "--runtime", "tflite-int8", "--calibration", str(empty), "--model", "vgg19-random", "x.png"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: the calibration folder") and "holds no image" in err[0]
    assert main(["run", "--runtime", "savedmodel", "--call", "eager", "--model", "vgg19-random", "x.png"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--call is not applicable" in err[0]


def test_a_model_a_converter_refuses_gets_one_sentence_naming_the_converter_and_op(photo):
    import keras
    import tensorflow as tf

    from vggcompare.core.model.runtimes import served

    class Textual(keras.layers.Layer):  # string ops: TFLite's builtins and ONNX have none of them
        def call(self, x):
            return tf.cast(tf.strings.length(tf.strings.as_string(x)), tf.float32)

    inp = keras.Input((4, 4, 3))
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(Textual()(inp))))
    for runtime, words in (("tflite", "tf.lite.TFLiteConverter.from_keras_model cannot convert the op tf.AsString"),
                           ("onnxruntime", "keras.Model.export (onnx) cannot convert the op StringLength")):
        with pytest.raises(ExportError) as caught:
            served.serve(model, ExperimentConfig(runtime=runtime), (4, 4))
        assert str(caught.value).startswith(words) and "\n" not in str(caught.value)


def test_a_users_own_tflite_file_runs_in_its_runtime(probe_model, photo, tmp_path, capsys):
    path, _model = probe_model
    cfg = ExperimentConfig(image=photo, model=path, passes=1, seeding="once", runtime="tflite")
    exported = run_experiment(cfg)
    own = tmp_path / "app.tflite"
    own.write_bytes(_export_path(exported).read_bytes())
    result = run_experiment(ExperimentConfig(image=photo, model=str(own), passes=1, seeding="once", runtime="tflite",
                                             reference_model=path))
    assert np.array_equal(result.probabilities, exported.probabilities)
    assert result.labels == [f"class {i}" for i in range(10)]
    assert any("your own file app.tflite" in n for n in result.notes)
    assert result.environment.export_file == str(own.resolve())
    # shown against the Keras model it came from: on the command line, and as a row of its checkup
    assert main(["run", photo, "--model", str(own), "--reference-model", path, "--passes", "1", "--seeding", "once", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Against the Keras model it came from (probe.keras): " in out and "same top-1; top-5 overlap 5/5" in out
    from vggcompare.core.studies.checkup_causes import causes_for

    causes = {c.key: c for c in causes_for(result.config, None)}
    assert causes["the Keras model it came from"].changes["model"] == path and not any(k.startswith("runtime ") for k in causes)


def test_the_checkup_has_one_row_per_runtime_with_its_export_time(probe_model, photo, monkeypatch):
    from sweep_helpers import drive

    from vggcompare.core.model.runtimes import savedmodel
    from vggcompare.core.studies.checkup import MEASURED, run_checkup
    from vggcompare.core.studies.checkup_causes import causes_for

    def refuses(_model, _path):
        raise RuntimeError("'tf.Fancy' op is neither a custom op nor a flex op")

    monkeypatch.setattr(savedmodel, "converter", lambda: {"converter": "keras.Model.export (tf_saved_model)", "keras": "refusing"})
    monkeypatch.setattr(savedmodel, "make", refuses)  # a converter that refuses the model: a row, not a crash
    path, _model = probe_model
    checkup = drive(run_checkup(ExperimentConfig(image=photo, model=path, seeding="once"), new_processes=False))[0]
    rows = {r.cause: r for r in checkup.rows}
    refused = rows["runtime savedmodel"]
    assert refused.status != MEASURED and refused.reason.startswith(
        "keras.Model.export (tf_saved_model) cannot convert the op tf.Fancy, so this runtime is not applicable")
    for runtime in EXPORTED[1:]:
        row = rows[f"runtime {runtime}"]
        assert row.status == MEASURED and row.export_seconds is not None and " s)" in row.setting, row
        assert row.sentence.startswith("Your ")
    measured = [r.largest_change for r in checkup.rows if r.status == MEASURED]
    assert measured == sorted(measured, reverse=True)  # ranked with the other causes
    # served by a runtime, the Keras-only causes say why not in the one sentence the configuration gives
    served = {c.key: c for c in causes_for(ExperimentConfig(model=path, runtime="tflite"), None)}
    assert "runtime keras" in served and "runtime tflite" not in served
    bf16 = ExperimentConfig(model=path, runtime="tflite").replace(**served["precision"].changes)
    with pytest.raises(ConfigError, match="--precision bfloat16 is not applicable"):
        bf16.validate()


def test_the_runtimes_demonstration_and_its_sweep_give_each_runtime_a_flip_rate(probe_model, photo, tmp_path):
    import json
    import shutil

    from sweep_helpers import drive

    from vggcompare.core.studies.presets.run import run_preset
    from vggcompare.core.studies.sweep.run import run_sweep

    path, _model = probe_model
    cfg = ExperimentConfig(image=photo, model=path, seeding="once")
    outcome = drive(run_preset("runtimes", cfg))[0]
    assert list(outcome.runs) == ["keras", *EXPORTED] and len(outcome.rows) == 7 and "exports changed the top-1" in outcome.headline
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(photo, folder / "a.png")
    shutil.copy(photo, folder / "b.png")
    drive(run_sweep(str(folder), str(tmp_path / "out"), cfg, preset="runtimes"))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["reference"] == "keras" and [v["variant"] for v in summary["variants"]] == list(EXPORTED)
    assert all(v["images"] == 2 and v["flip_rate"] is not None for v in summary["variants"])


def test_reproducing_a_served_result_rebuilds_its_export_or_names_the_missing_package(probe_model, photo, monkeypatch):
    import importlib.util

    from sweep_helpers import drive

    from vggcompare.core.studies.reproduce import reproduce_result

    path, _model = probe_model
    original = run_experiment(ExperimentConfig(image=photo, model=path, passes=2, seeding="once", runtime="onnxruntime"))
    again = drive(reproduce_result(original, allow_model=True))[0]
    assert again.comparison.numbers.bit_identical and again.new.environment.export_sha256 == original.environment.export_sha256
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    with pytest.raises(ConfigError, match=r"served by onnxruntime.*needs onnxruntime, which is not installed here"):
        drive(reproduce_result(original, allow_model=True))


def test_under_jax_each_runtime_says_how_its_export_works():
    from importlib.util import find_spec

    from vggcompare.core.model.runtimes.served import missing_package
    from vggcompare.core.runtime_rules import under_jax

    assert "jax2tf" in under_jax("savedmodel") and "jax2onnx" in under_jax("onnxruntime") and under_jax("tflite-int8") == under_jax("tflite")
    if find_spec("jax2onnx") is None:
        assert missing_package("onnxruntime", "jax") == "jax2onnx" and missing_package("onnxruntime") == ""


def test_efficientnet_lite0_through_dynamic_range_int8_is_the_interpreters_own_call():
    """The one test with real weights: Lite0's dynamic-range int8 export (one conversion of about 6 s)."""
    from vggcompare.core.resources import sweep_samples_folder

    brick = str(sweep_samples_folder() / "brick.jpg")
    cfg = ExperimentConfig(image=brick, model="efficientnet-lite0", passes=1, seeding="once")
    keras_probs = run_experiment(cfg).probabilities
    result = run_experiment(cfg.replace(runtime="tflite-int8-dynamic"))
    x = (model_input(load_image(brick), (224, 224)) - 127.0) / 128.0  # Lite0's preprocessing, (x − 127) / 128
    own = _own_call("tflite-int8-dynamic", _export_path(result), x[None].astype(np.float32))
    assert np.array_equal(result.probabilities, own)
    assert 1e-4 < np.abs(result.probabilities - keras_probs).max() < 0.5  # quantized weights move the answer, a little


def test_the_python_api_serves_the_callers_own_model_by_a_runtime(probe_model, photo):
    import vggcompare as vc

    _path, model = probe_model
    labels = [f"class {i}" for i in range(10)]
    keras_run = vc.run(model, photo, passes=2, labels=labels, progress=False)
    served = vc.run(model, photo, passes=2, labels=labels, runtime="onnxruntime", progress=False)
    assert served.config.runtime == "onnxruntime" and np.abs(served.probabilities - keras_run.probabilities).max() < 1e-5
    assert any(n.startswith("Served by onnxruntime: exported with model.export(path, format='onnx')") for n in served.notes)
    # the caller's model trained (its weights changed) between two runs: the second run serves the new weights
    import keras

    own = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(
        10, activation="softmax", kernel_initializer=keras.initializers.RandomNormal(stddev=1e-5))])  # a probe: no saturation
    before = vc.run(own, photo, passes=1, labels=labels, runtime="tflite", progress=False)
    own.layers[-1].kernel.assign(own.layers[-1].kernel * 3.0)
    after = vc.run(own, photo, passes=1, labels=labels, runtime="tflite", progress=False)
    keras_after = vc.run(own, photo, passes=1, labels=labels, progress=False)
    assert not np.allclose(before.probabilities, after.probabilities, atol=1e-4)
    assert np.abs(after.probabilities - keras_after.probabilities).max() < 1e-5


def test_a_users_own_onnx_file_of_scores_gets_one_softmax(tiny_models, photo, tmp_path):
    import contextlib
    import io

    import keras

    logits = keras.saving.load_model(tiny_models["logits"], safe_mode=True)
    own = tmp_path / "scores.onnx"
    logits(np.zeros((1, 32, 32, 3), np.float32))  # Keras' ONNX export needs a model that has been called
    with contextlib.redirect_stdout(io.StringIO()):
        logits.export(str(own), format="onnx", verbose=False)
    result = run_experiment(ExperimentConfig(image=photo, model=str(own), passes=1, seeding="once", runtime="onnxruntime"))
    scores = _own_call("onnxruntime", own, model_input(load_image(photo), (32, 32))[None])
    exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
    assert np.array_equal(result.probabilities, (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32))
    assert any("a softmax was applied" in n for n in result.notes)


def test_a_converter_that_refuses_the_model_is_an_error_row_in_a_sweep(probe_model, photo, tmp_path, monkeypatch):
    import shutil

    from sweep_helpers import drive

    from vggcompare.core.model import prepare
    from vggcompare.core.model.runtimes import onnx_runtime
    from vggcompare.core.storage.sweep_table import SweepTable
    from vggcompare.core.studies.sweep.run import run_sweep

    def refuses(_model, _path):
        raise RuntimeError("Unsupported ops: Counter({'StringLength': 1})")

    prepare.clear_cache()
    monkeypatch.setattr(onnx_runtime, "converter", lambda: {"converter": "keras.Model.export (onnx)", "tf2onnx": "refusing"})
    monkeypatch.setattr(onnx_runtime, "make", refuses)
    path, _model = probe_model
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(photo, folder / "a.png")
    drive(run_sweep(str(folder), str(tmp_path / "out"), ExperimentConfig(model=path, seeding="once"), preset="runtimes"))
    with SweepTable(tmp_path / "out") as table:
        rows = {r["variant"]: r for r in table.rows()}
    assert rows["onnxruntime"]["error"].startswith("keras.Model.export (onnx) cannot convert the op StringLength")
    assert not rows["tflite"]["error"] and rows["tflite"]["top1_changed"] is not None


def test_occlusion_maps_of_an_exported_model_go_through_its_runtime(tiny_models, photo):
    cfg = ExperimentConfig(image=photo, model=tiny_models["logits"], passes=1, seeding="once", explain="occlusion")
    served = run_experiment(cfg.replace(runtime="tflite"))
    keras_maps = run_experiment(cfg)
    assert served.explanation.target == "probability" and keras_maps.explanation.target == "logit"
    assert served.explanation.mean.shape == keras_maps.explanation.mean.shape and np.ptp(served.explanation.mean) > 0
