"""Exported runtimes layer by layer: their intermediate tensors matched to the Keras layers by name and shape, the
output alone (with the sentence saying why) where no tensor can be matched, and int8 tensors dequantized."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from vggcompare.core.model.runtimes.intermediates import Candidate, dequantized, layout, map_tensors, scopes


# --- matching names, without a runtime ----------------------------------------------------------------------------

def test_tensorflow_scope_suffixes_and_fused_names_map_to_the_latest_layer_whose_shape_fits():
    layers = [("conv2d", (30, 30, 8)), ("batch_normalization", (30, 30, 8)), ("re_lu", (30, 30, 8)),
              ("conv2d_1", (28, 28, 16)), ("re_lu_1", (28, 28, 16)), ("gap", (16,)), ("dense", (10,))]
    tensors = [Candidate("functional_1/conv2d_1/convolution", (8, 3, 3, 3)),  # a weight: no batch, no fit
               Candidate("functional_1/re_lu_1/Relu;functional_1/conv2d_1/convolution", (1, 30, 30, 8)),
               Candidate("functional_1/re_lu_1_2/Relu;functional_1/conv2d_1_2/convolution", (1, 28, 28, 16)),
               Candidate("functional_1/gap_1/Mean", (1, 16)),
               Candidate("functional_1/dense_1/MatMul", (1, 10)),  # the logits, before the softmax
               Candidate("StatefulPartitionedCall_1:0", (1, 10))]
    found = map_tensors(tensors, "StatefulPartitionedCall_1:0", layers)
    assert {layers[k][0]: tensors[c].name for k, (c, _fit) in found.items()} == {
        "re_lu": tensors[1].name, "re_lu_1": tensors[2].name, "gap": tensors[3].name, "dense": tensors[5].name}


def test_channels_first_tensors_fit_only_where_the_runtime_transposes():
    assert layout((1, 16, 28, 28), (28, 28, 16), channels_first=True) == "nchw"
    assert layout((1, 16, 28, 28), (28, 28, 16), channels_first=False) == ""
    assert layout((1, 28, 28, 16), (28, 28, 16), channels_first=True) == "same"
    assert scopes("functional_1/base_1/conv_1/Conv2D:0;x/Relu") == [["functional_1", "base_1", "conv_1"], ["x"]]
    nested = map_tensors([Candidate("functional_1/base_1/conv_1/BiasAdd:0", (1, 4, 30, 30))], "out",
                         [("base/conv", (30, 30, 4)), ("head", (10,))], channels_first=True)
    assert nested == {0: (0, "nchw")}
    assert map_tensors([Candidate("functional_1/convx_1/BiasAdd", (1, 30, 30, 4))], "out", [("conv", (30, 30, 4))]) == {}


def test_int8_tensors_are_dequantized_with_their_own_scale_and_zero_point():
    q = np.array([[-128, -3, 0, 127]], np.int8)
    detail = {"quantization": (0.5, -3), "quantization_parameters": {"scales": np.array([0.5]), "zero_points": np.array([-3])}}
    np.testing.assert_array_equal(dequantized(q, detail), [[-62.5, 0.0, 1.5, 65.0]])
    per_channel = {"quantization": (0.0, 0), "quantization_parameters": {
        "scales": np.array([1.0, 2.0]), "zero_points": np.array([0, 1]), "quantized_dimension": 1}}
    np.testing.assert_array_equal(dequantized(np.array([[4, 4]], np.int8), per_channel), [[4.0, 6.0]])
    assert dequantized(np.array([1.5], np.float32), detail).tolist() == [1.5]


def test_a_runtimes_partial_trace_survives_a_result_file_and_lines_up_by_name():
    from vggcompare.core.analysis.layers import LayerTrace, compare_layers

    rng = np.random.default_rng(1)
    keras_arrays = [rng.normal(size=(6, 6, 4)).astype(np.float32) for _ in KERAS_NAMES]
    keras_trace = LayerTrace(list(KERAS_NAMES), ["Conv2D", "BatchNormalization", "ReLU", "GlobalAveragePooling2D", "Dense"],
                             keras_arrays)
    runtime = LayerTrace(["relu", "gap", "dense"], ["ReLU", "GlobalAveragePooling2D", "Dense"],
                         [keras_arrays[2], keras_arrays[3], keras_arrays[4] * np.float32(1.01)],
                         notes=["TFLite (…): 3 of 5 Keras layers matched"], partial=True)
    stored = LayerTrace.from_dict(runtime.to_dict())
    assert stored.partial and not LayerTrace.from_dict(keras_trace.to_dict()).partial
    for other in (runtime, stored):
        cmp = compare_layers(keras_trace, other)
        assert [r.name for r in cmp.rows] == ["relu", "gap", "dense"] and cmp.enters_at.name == "dense"
        assert not cmp.outputs_only and not any(n.startswith("Layers only in") for n in cmp.notes)
    output_only = LayerTrace(["output"], ["Output"], [keras_arrays[4]], partial=True)
    cmp = compare_layers(output_only, keras_trace)  # the runtime as A: its one row takes B's last name
    assert [r.name for r in cmp.rows] == ["dense"] and cmp.outputs_only and cmp.enters_text() == "output only: identical"
    assert cmp.sentence() == "Only the outputs are compared (dense): bit-identical."


# --- the runtimes on a small probe --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rt_probe(tmp_path_factory):
    """Conv2D(16, 5) → BatchNorm (moving statistics away from 0 and 1) → ReLU → GAP → Dense(10, softmax), its own
    weights; the convolution has 1200 weights, so dynamic-range int8 quantizes it."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras
    from keras import layers

    keras.utils.set_random_seed(11)
    inputs = keras.Input((32, 32, 3))
    x = layers.Conv2D(16, 5, name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inputs, layers.Dense(10, activation="softmax", name="dense")(x))
    model.get_layer("bn").moving_mean.assign(np.linspace(-1, 1, 16).astype(np.float32))
    model.get_layer("bn").moving_variance.assign(np.full(16, 50.0, np.float32))
    path = tmp_path_factory.mktemp("runtime_layers") / "probe.keras"
    model.save(path)
    return str(path)


KERAS_NAMES = ["conv", "bn", "relu", "gap", "dense"]


def _config(model, photo, **kw):
    from vggcompare.core.config import ExperimentConfig

    return ExperimentConfig(model=model, image=photo, passes=1, seeding="once", preprocess="none", **kw)


def _study(rt_probe, photo, **changes):
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.layers import compare_by_layer

    ref = _config(rt_probe, photo)
    return drive(compare_by_layer(ref, ref.replace(**changes)))


@pytest.mark.parametrize("runtime", ["tflite", "onnxruntime"])
def test_a_float32_export_maps_named_layers_and_differs_by_round_off_at_each(rt_probe, photo, runtime):
    study = _study(rt_probe, photo, runtime=runtime)
    cmp, trace = study.comparison, study.b.layers
    names = [r.name for r in cmp.rows]
    assert trace.partial and {"relu", "gap", "dense"} <= set(names) and names == [n for n in KERAS_NAMES if n in names]
    assert all(not r.above for r in cmp.rows), [(r.name, r.relative, r.bound) for r in cmp.rows]
    assert cmp.enters_at is None
    matched = next(n for n in cmp.notes if "Keras layers matched to a tensor by name and shape" in n)
    assert f"{len(names)} of {len(KERAS_NAMES)}" in matched
    for left_out in set(KERAS_NAMES) - set(names):
        assert left_out in matched and "no tensor of" in matched
    assert not any(n.startswith("Layers only in") for n in cmp.notes)  # the runtime's note says it, counted
    assert any("the plain call's output" in n for n in cmp.notes)  # instrumented against plain, measured here
    plain, instrumented = study.b.probabilities[0], trace.arrays[-1]
    assert np.array_equal(plain, instrumented) == any("bit for bit" in n for n in cmp.notes)


@pytest.mark.parametrize("runtime", ["tflite-int8-dynamic", "tflite-float16"])
def test_reduced_precision_exports_enter_at_a_mapped_layer(rt_probe, photo, runtime):
    cmp = _study(rt_probe, photo, runtime=runtime).comparison
    assert cmp.enters_at is not None and cmp.enters_at.name in ("relu", "gap", "dense")
    assert cmp.output.relative < 0.1  # quantized, not misread


def test_full_integer_int8_tensors_are_dequantized_before_comparing(rt_probe, photo):
    study = _study(rt_probe, photo, runtime="tflite-int8", calibration=str(Path(photo).parent))
    cmp = study.comparison
    relu = next(r for r in cmp.rows if r.name == "relu")
    assert relu.above and relu.relative < 0.2 and relu.cosine > 0.98  # int8 steps, on the float32 scale


def test_a_savedmodel_compares_its_output_only_and_says_why(rt_probe, photo):
    cmp = _study(rt_probe, photo, runtime="savedmodel").comparison
    assert [r.name for r in cmp.rows] == ["dense"] and cmp.outputs_only
    assert cmp.sentence().startswith("Only the outputs are compared (dense): ")
    assert cmp.enters_text() in ("output only: identical", "output only: round-off")
    assert any(n == "Only the outputs are compared: a SavedModel exposes only its serving signature's output, not its "
                    "layers' tensors." for n in cmp.notes)


def test_tensors_whose_names_carry_no_layer_fall_back_to_the_output_with_a_sentence(rt_probe, photo, tmp_path):
    from vggcompare.core.job_driver import drive
    from vggcompare.core.model.runtimes.served import open_file
    from vggcompare.core.model.runtimes.intermediates import runtime_layers
    from vggcompare.core.passes.engine import run_passes

    served_run = drive(run_passes(_config(rt_probe, photo, runtime="tflite"), layers="trace"))
    own = tmp_path / "app.tflite"
    shutil.copyfile(_export(served_run), own)
    served = open_file(str(own), "tflite", _config(str(own), photo))
    batch = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32)
    found = runtime_layers(served, [("stem", (28, 28, 16)), ("head", (10,))], batch)
    assert found.outputs_only and found.names == ["head"]
    assert found.notes == ["Only the outputs are compared: none of app.tflite's tensor names carries a Keras layer's "
                           "name with that layer's output shape."]
    np.testing.assert_array_equal(found.arrays[0], served.forward(batch)[0])
    # the user's own file, run without its Keras model: its output against the Keras model's last layer
    study = _study(rt_probe, photo, model=str(own), runtime="tflite")
    assert [r.name for r in study.comparison.rows] == ["dense"] and not study.comparison.rows[0].above
    assert any("app.tflite is your own file, run without the Keras model it came from" in n for n in study.comparison.notes)
    # with the Keras model it came from, its tensors are matched to that model's layer names
    study = _study(rt_probe, photo, model=str(own), runtime="tflite", reference_model=rt_probe)
    names = [r.name for r in study.comparison.rows]
    assert {"relu", "gap", "dense"} <= set(names) and not any(r.above for r in study.comparison.rows)


def _export(result) -> str:
    from vggcompare.core.model.runtimes.export import exports_dir

    return str(exports_dir() / result.environment.to_dict()["export_file"])


def test_compare_layers_of_a_runtime_file_made_here(rt_probe, photo, tmp_path, capsys):
    from vggcompare.cli import main

    files = {}
    for runtime in ("keras", "tflite-int8-dynamic"):
        files[runtime] = str(tmp_path / f"{runtime}.json")
        assert main(["run", photo, "--model", rt_probe, "--passes", "1", "--seeding", "once", "--preprocess", "none",
                     "--runtime", runtime, "--layers", "--out", files[runtime], "--quiet"]) == 0
    assert "layers read from the runtime's tensors (fingerprints stored with --out)" in capsys.readouterr().out
    assert main(["compare", files["keras"], files["tflite-int8-dynamic"], "--layers", "--allow-model"]) == 0
    text = capsys.readouterr().out
    assert "Enters at " in text and "Keras layers matched to a tensor by name and shape" in text


def test_the_checkups_runtime_rows_say_where_they_enter(rt_probe, photo, monkeypatch):
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies import checkup
    from vggcompare.core.studies.checkup_causes import runtime_causes

    monkeypatch.setattr(checkup, "causes_for", lambda ref, _image: [
        c for c in runtime_causes(ref) if c.key in ("runtime tflite", "runtime tflite-int8-dynamic", "runtime savedmodel")])
    result = drive(checkup.run_checkup(_config(rt_probe, photo), new_processes=False, layers=True))
    rows = {r.cause: r for r in result.rows}
    assert rows["runtime tflite"].enters_at.startswith(("round-off only", "identical"))
    assert rows["runtime tflite-int8-dynamic"].layer_comparison().enters_at.name in ("relu", "gap", "dense")
    saved = rows["runtime savedmodel"].layer_comparison()
    assert [r.name for r in saved.rows] == ["dense"] and any("Only the outputs" in n for n in saved.notes)
    assert saved.outputs_only and rows["runtime savedmodel"].enters_at.startswith("output only: ")


def test_a_run_of_several_passes_reads_the_runtimes_layers_for_the_image_alone(rt_probe, photo):
    from vggcompare.core.job_driver import drive
    from vggcompare.core.passes.engine import run_passes

    result = drive(run_passes(_config(rt_probe, photo, runtime="tflite").replace(passes=3), layers="trace"))
    trace = result.layers
    assert trace.partial and "relu" in trace.names and trace.arrays[trace.names.index("relu")].shape == (28, 28, 16)
    assert "The runtime's layers come from the image alone (the plain call ran 3 rows at once)." in trace.notes
    np.testing.assert_allclose(trace.arrays[-1], result.probabilities[0], rtol=1e-5, atol=1e-7)


def test_the_runtimes_demonstration_says_where_each_export_enters(rt_probe, photo):
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.presets.run import run_preset

    outcome = drive(run_preset("runtimes", _config(rt_probe, photo)))
    column = outcome.columns.index("enters at")
    cells = {row[0]: row[column] for row in outcome.rows}
    from vggcompare.core.runtime_rules import TITLES

    assert cells[TITLES["savedmodel"]].startswith("output only: ")
    assert cells[TITLES["tflite"]].startswith(("round-off only", "identical"))
    assert cells[TITLES["tflite-int8-dynamic"]].split(" (")[0] in ("relu", "gap", "dense")


def test_a_runtime_that_cannot_keep_its_tensors_compares_the_output_and_says_why(rt_probe, photo, monkeypatch):
    from vggcompare.core.model.runtimes import intermediates

    def fails(*_args, **_kwargs):
        raise RuntimeError("[ONNXRuntimeError] : 1 : FAIL : Type Error: a made-up refusal\nsecond line")

    monkeypatch.setattr(intermediates, "onnx_tensors", fails)
    cmp = _study(rt_probe, photo, runtime="onnxruntime").comparison
    assert cmp.outputs_only and [r.name for r in cmp.rows] == ["dense"] and not cmp.rows[0].above
    assert any(n.startswith("Only the outputs are compared: the runtime could not keep ") and
               n.endswith("intermediate tensors ([ONNXRuntimeError] : 1 : FAIL : Type Error: a made-up refusal).")
               for n in cmp.notes)


def test_a_nested_base_models_export_maps_its_inner_layers(photo, tmp_path):
    import keras
    from keras import layers

    keras.utils.set_random_seed(4)
    base_in = keras.Input((32, 32, 3))
    x = layers.ReLU(name="relu")(layers.BatchNormalization(name="bn")(layers.Conv2D(16, 5, name="conv")(base_in)))
    base = keras.Model(base_in, layers.GlobalAveragePooling2D(name="gap")(x), name="base")
    outer_in = keras.Input((32, 32, 3))
    path = tmp_path / "nested.keras"
    keras.Model(outer_in, layers.Dense(10, activation="softmax", name="head")(base(outer_in))).save(path)
    cmp = _study(str(path), photo, runtime="tflite").comparison
    assert {"base/relu", "base/gap", "head"} <= {r.name for r in cmp.rows} and not any(r.above for r in cmp.rows)
