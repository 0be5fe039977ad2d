"""Layer by layer: the comparison's numbers and its "enters at", the instrumented pass, earlier training-mode calls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vggcompare.core.analysis.layers import (EPS32, MAX_LAYERS, LayerTrace, compare_layers, fingerprint,
                                             roundoff_bound)


def _trace(arrays, names=None, kinds=None):
    names = names or [f"layer_{i}" for i in range(len(arrays))]
    return LayerTrace(names, kinds or ["Conv2D"] * len(arrays), [np.asarray(a, np.float32) for a in arrays])


def _arrays(seed=0, n=5, size=4096):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=size).astype(np.float32) for _ in range(n)]


def test_bit_identical_pair_is_zero_everywhere():
    base = _arrays()
    cmp = compare_layers(_trace(base), _trace([a.copy() for a in base]))
    assert cmp.first_difference is None and cmp.enters_at is None
    assert all(r.relative == 0 and r.max_abs == 0 and r.cosine == 1 for r in cmp.rows)
    assert cmp.sentence().startswith("Bit-identical at every layer")


def test_roundoff_differences_stay_below_the_bound_and_larger_ones_enter():
    base = _arrays()
    rounded = [a.copy() for a in base]
    rounded[1] = np.nextafter(rounded[1], np.inf)  # one ulp everywhere from layer 1 on: round-off
    cmp = compare_layers(_trace(base), _trace(rounded))
    assert cmp.first_difference.name == "layer_1" and cmp.enters_at is None
    assert "round-off" in cmp.sentence()
    moved = [a.copy() for a in base]
    moved[3] = moved[3] * (1 + 1e-3)
    moved[4] = moved[4] * (1 + 1e-2)
    cmp = compare_layers(_trace(base), _trace(moved))
    assert cmp.enters_at.name == "layer_3"
    assert cmp.growth == pytest.approx(10.0, rel=1e-3)
    assert cmp.rows[3].relative == pytest.approx(1e-3, rel=1e-3)


def test_bound_grows_with_the_layers_size():
    assert roundoff_bound(1) == pytest.approx(4 * EPS32)
    assert roundoff_bound(10_000) == pytest.approx(100 * roundoff_bound(1))


def test_fingerprints_round_trip_and_compare_like_the_arrays():
    base = _arrays(size=100_000)
    moved = [a.copy() for a in base]
    moved[2] = moved[2] + 0.05
    a, b = _trace(base), _trace(moved)
    from_a = LayerTrace.from_dict(a.to_dict())
    from_b = LayerTrace.from_dict(b.to_dict())
    assert from_a.arrays is None and [f.sha256 for f in from_a.fingerprints] == [fingerprint(x).sha256 for x in base]
    estimated = compare_layers(from_a, from_b)
    exact = compare_layers(a, b)
    assert estimated.estimated and estimated.enters_at.name == exact.enters_at.name == "layer_2"
    assert estimated.rows[2].relative == pytest.approx(exact.rows[2].relative, rel=0.3)
    assert estimated.rows[1].identical and not estimated.rows[2].identical


def test_different_architectures_are_refused_in_one_sentence():
    with pytest.raises(ValueError, match="same architecture"):
        compare_layers(_trace(_arrays(n=4)), _trace(_arrays(n=4), names=["a", "b", "c", "d"]))


def test_very_deep_models_are_grouped_by_block():
    n = MAX_LAYERS + 10
    names = [f"block{i // 10}_layer{i % 10}" for i in range(n)]
    base = [np.ones(16, np.float32) * (i + 1) for i in range(n)]
    moved = [a.copy() for a in base]
    for i in range(150, n):
        moved[i] = moved[i] * 1.1
    cmp = compare_layers(_trace(base, names), _trace(moved, names))
    assert cmp.grouped and len(cmp.rows) == (n + 9) // 10
    assert cmp.enters_at.name == "block15"
    assert any("top-level blocks" in note for note in cmp.notes)


# --- the instrumented pass on small probe models ---------------------------------------------------------------

@pytest.fixture(scope="module")
def probe_models(tmp_path_factory):
    """A Conv-BatchNorm-ReLU-GAP-Dense probe, one without BatchNorm or Dropout, and one nesting a base model."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras
    from keras import layers

    keras.utils.set_random_seed(3)
    folder = tmp_path_factory.mktemp("layer_models")
    inputs = keras.Input((32, 32, 3))
    x = layers.Conv2D(8, 3, name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    out = layers.Dense(10, activation="softmax", name="dense")(x)
    bn = keras.Model(inputs, out)
    # moving statistics far from any one image's, so training mode visibly changes the output
    bn.get_layer("bn").moving_variance.assign(np.full(8, 50.0, np.float32))
    plain = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(4, 3, activation="relu", name="conv"),
                              layers.GlobalAveragePooling2D(name="gap"), layers.Dense(10, activation="softmax", name="dense")])
    base_in = keras.Input((32, 32, 3))
    base = keras.Model(base_in, layers.GlobalAveragePooling2D(name="gap")(layers.Conv2D(4, 3, name="conv")(base_in)), name="base")
    outer_in = keras.Input((32, 32, 3))
    nested = keras.Model(outer_in, layers.Dense(10, activation="softmax", name="head")(base(outer_in)))
    paths = {}
    for name, model in (("bn", bn), ("plain", plain), ("nested", nested)):
        paths[name] = str(folder / f"{name}.keras")
        model.save(paths[name])
    return paths


def _run(cfg, photo, **kw):
    from vggcompare.core.passes.engine import run_experiment, run_passes

    from vggcompare.core.job_driver import drive

    return drive(run_passes(cfg.replace(image=photo), layers=True, **kw))


def _config(model, **kw):
    from vggcompare.core.config import ExperimentConfig

    return ExperimentConfig(model=model, passes=1, seeding="once", preprocess="none", **kw)


def test_training_mode_enters_at_the_batchnorm_layer(probe_models, photo):
    ref = _run(_config(probe_models["bn"]), photo)
    trained = _run(_config(probe_models["bn"], training_mode=True), photo)
    cmp = compare_layers(ref.layers, trained.layers)
    assert [r.name for r in cmp.rows] == ["conv", "bn", "relu", "gap", "dense"]
    assert cmp.rows[0].identical
    assert cmp.first_difference.name == cmp.enters_at.name == "bn"
    assert np.array_equal(ref.layers.arrays[-1].reshape(-1), ref.probabilities[0]) or ref.layers.notes


def test_training_mode_without_batchnorm_or_dropout_changes_no_layer(probe_models, photo):
    ref = _run(_config(probe_models["plain"]), photo)
    trained = _run(_config(probe_models["plain"], training_mode=True), photo)
    cmp = compare_layers(ref.layers, trained.layers)
    assert len(cmp.rows) == 3 and all(r.identical for r in cmp.rows)


def test_a_nested_base_model_is_opened(probe_models, photo):
    ref = _run(_config(probe_models["nested"]), photo)
    assert ref.layers.names == ["base/conv", "base/gap", "head"]
    assert ref.layers.kinds == ["Conv2D", "GlobalAveragePooling2D", "Dense"]
    assert any("opened" in n for n in ref.layers.notes)
    np.testing.assert_allclose(ref.layers.arrays[-1].reshape(-1), ref.probabilities[0], atol=1e-6)


def test_a_saved_result_keeps_the_fingerprints(probe_models, photo, tmp_path):
    from vggcompare.core.storage.result_file import load_result, save_result

    ref = _run(_config(probe_models["bn"]), photo)
    back = load_result(save_result(ref, tmp_path / "r.json"))
    assert back.layers.arrays is None and back.layers.names == ref.layers.names
    assert [f.sha256 for f in back.layers.fingerprints] == [f.sha256 for f in ref.layers.fingerprints]
    assert compare_layers(ref.layers, back.layers).first_difference is None


# --- earlier training-mode calls ----------------------------------------------------------------------------------

def _moving(cfg):
    import keras

    from vggcompare.core.model.prepare import prepare_model

    layer = prepare_model(cfg).model.get_layer("bn")
    return (keras.ops.convert_to_numpy(layer.moving_mean.value).copy(),
            keras.ops.convert_to_numpy(layer.moving_variance.value).copy())


def test_training_calls_before_keep_their_statistics_for_the_passes_then_put_them_back(probe_models, photo):
    cfg = _config(probe_models["bn"])
    ref = _run(cfg, photo)
    before = _moving(cfg)
    after_one = _run(cfg.replace(training_calls_before=1), photo)
    after_three = _run(cfg.replace(training_calls_before=3), photo)
    d1 = float(np.abs(after_one.probabilities - ref.probabilities).max())
    d3 = float(np.abs(after_three.probabilities - ref.probabilities).max())
    assert 0 < d1 < d3  # each call moves the statistics further (momentum 0.99)
    note = next(n for n in after_one.notes if "training=True" in n and "moving statistics" in n)
    assert "1 BatchNorm layer" in note and "(bn … bn)" in note
    cmp = compare_layers(ref.layers, after_one.layers)
    assert cmp.rows[0].identical and cmp.first_difference.name == "bn"
    for saved, now in zip(before, _moving(cfg)):  # the cached model's statistics are as before
        np.testing.assert_array_equal(saved, now)
    assert np.array_equal(_run(cfg, photo).probabilities, ref.probabilities)


def test_the_tools_own_training_mode_runs_restore_the_statistics(probe_models, photo):
    cfg = _config(probe_models["bn"])
    ref = _run(cfg, photo)
    before = _moving(cfg)
    _run(cfg.replace(training_mode=True, passes=3), photo)
    for saved, now in zip(before, _moving(cfg)):
        np.testing.assert_array_equal(saved, now)
    assert np.array_equal(_run(cfg, photo).probabilities, ref.probabilities)


def test_training_calls_before_is_a_checked_setting():
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.errors import ConfigError

    with pytest.raises(ConfigError, match="training-mode calls before the passes"):
        ExperimentConfig(training_calls_before=-1).validate()
    cfg = ExperimentConfig(training_calls_before=2)
    assert ExperimentConfig.from_dict(cfg.to_dict()) == cfg
    assert "training_calls_before" not in ExperimentConfig().to_dict()
    assert "2 training-mode calls before" in cfg.summary()


# --- two result files, compare --layers ---------------------------------------------------------------------------

def _make_file(tmp_path, model, photo, kernels: str, name: str) -> str:
    import os
    import subprocess
    import sys

    out = tmp_path / name
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=kernels)
    subprocess.run([sys.executable, "-m", "vggcompare", "run", photo, "--model", model, "--passes", "1", "--seeding", "once",
                    "--preprocess", "none", "--layers", "--out", str(out), "--quiet"], env=env, check=True,
                   capture_output=True, timeout=600)
    return str(out)


@pytest.fixture(scope="module")
def kernel_files(probe_models, photo, tmp_path_factory):
    """Two result files of the BatchNorm probe, made under TF_ENABLE_ONEDNN_OPTS=1 and =0, with fingerprints."""
    folder = tmp_path_factory.mktemp("kernel_files")
    return (_make_file(folder, probe_models["bn"], photo, "1", "onednn.json"),
            _make_file(folder, probe_models["bn"], photo, "0", "eigen.json"))


def test_compare_layers_localises_two_kernel_libraries_files(kernel_files, capsys, tmp_path):
    from vggcompare.cli import main
    from vggcompare.core.storage.result_file import load_result

    a, b = kernel_files
    ra, rb = load_result(a), load_result(b)
    assert (ra.environment.kernels, rb.environment.kernels) == ("oneDNN", "Eigen")
    assert main(["compare", a, b, "--layers", "--allow-model", "--csv", str(tmp_path / "layers.csv")]) == 0
    text = capsys.readouterr().out
    assert "each in its recorded setting" in text
    exact = compare_layers(ra.layers, rb.layers)  # the files' own fingerprints say the same
    if exact.first_difference is None:
        assert "Bit-identical at every layer" in text
    else:
        assert f"at {exact.first_difference.name} (" in text.split("Layers: ")[1]
    lines = (tmp_path / "layers.csv").read_text().splitlines()
    assert lines[0].startswith("index,layer,kind") and [ln.split(",")[1] for ln in lines[1:]] == ra.layers.names


def test_a_file_from_another_machine_is_compared_by_its_fingerprints(kernel_files, tmp_path):
    import json

    from vggcompare.core.errors import ResultFileError
    from vggcompare.core.storage.result_file import load_result
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.layers import compare_files_by_layer

    a, b = kernel_files
    doc = json.loads(Path(b).read_text())
    doc["environment"]["cpu"] = "Another CPU"
    moved = tmp_path / "elsewhere.json"
    moved.write_text(json.dumps(doc))
    study = drive(compare_files_by_layer(load_result(a), load_result(moved)))
    assert study.comparison.estimated and "fingerprints" in study.how
    doc.pop("layers")
    moved.write_text(json.dumps(doc))
    with pytest.raises(ResultFileError, match="another machine .* run --layers"):
        drive(compare_files_by_layer(load_result(a), load_result(moved)))


def test_a_nested_models_bfloat16_copy_lines_up_with_its_float32_layers(probe_models, photo):
    ref = _run(_config(probe_models["nested"]), photo)
    half = _run(_config(probe_models["nested"], precision="bfloat16"), photo)
    cmp = compare_layers(ref.layers, half.layers)
    assert [r.name for r in cmp.rows] == ["conv", "gap", "head"]
    assert cmp.enters_at is not None and cmp.enters_at.name == "conv"


def test_lite0_training_mode_enters_at_its_first_batchnorm_layer():
    """EfficientNet-Lite0 (real weights) on brick.jpg: bit-identical through the stem convolution, then bn0."""
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.resources import sweep_samples_folder
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.layers import compare_by_layer

    ref = ExperimentConfig(image=str(sweep_samples_folder() / "brick.jpg"), model="efficientnet-lite0", passes=1,
                           seeding="once")
    study = drive(compare_by_layer(ref, ref.replace(training_mode=True)))
    cmp = study.comparison
    assert len(cmp.rows) == 143 and not cmp.grouped
    assert cmp.rows[0].name == "conv_stem" and cmp.rows[0].identical
    assert cmp.first_difference.name == cmp.enters_at.name == "bn0" and cmp.enters_at.kind == "BatchNormalization"
    assert cmp.enters_at.relative > 0.1 and cmp.output.relative > 0.5
