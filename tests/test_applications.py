"""keras.applications models by name: the run equals Keras' own call bit for bit, offline errors, ``models``.

Weights files are made here in Keras' own h5 layout (no download). Run with TF_ENABLE_ONEDNN_OPTS=0 and =1.
"""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest

from vggcompare.cli import main
from vggcompare.core.catalog import MODELS, builtin_names, lookup
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ModelError, WeightsUnavailableError
from vggcompare.core.resources import sample_path

CASES = {"resnet50": ("ResNet50", "resnet50"), "mobilenetv2": ("MobileNetV2", "mobilenet_v2")}


@pytest.fixture(scope="module")
def weights_files(tmp_path_factory):
    """A ResNet50 and a MobileNetV2 weights file, seeded random weights, saved as Keras' ImageNet files are."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    folder = tmp_path_factory.mktemp("app-weights")
    files = {}
    for i, (name, (constructor, _)) in enumerate(CASES.items()):
        keras.utils.set_random_seed(100 + i)
        model = getattr(keras.applications, constructor)(weights=None)
        _probe_weights(model, np.random.default_rng(i))
        files[name] = folder / MODELS[name].weights_file
        with h5py.File(files[name], "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return files


def _probe_weights(model, rng):
    """Weights whose output moves with every pixel: He-normal kernels, and a classifier scaled down until its
    softmax is far from one-hot (Keras' own random MobileNetV2 outputs exactly 1/1000 for every input)."""
    from keras import layers

    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.DepthwiseConv2D, layers.Dense)):
            w = layer.get_weights()
            shape = w[0].shape
            fan_in = np.prod(shape[:2]) if isinstance(layer, layers.DepthwiseConv2D) else np.prod(shape[:-1])
            w[0] = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape).astype(np.float32)
            layer.set_weights(w)
    dense = model.get_layer("predictions")
    x = rng.uniform(-1, 1, (2, *model.input_shape[1:])).astype(np.float32)
    for _ in range(40):
        p = np.asarray(model(x))
        if p.max() < 0.02:
            break
        w = dense.get_weights()
        dense.set_weights([w[0] * np.float32(0.5), w[1]])
    assert 0.0011 < p.max() < 0.02 and np.abs(p[0] - p[1]).max() > 1e-5  # spread, and input-dependent


def _keras_reference(name, weights_file, image, interpolation="nearest", module=None):
    """What a user writes: keras.applications.X(weights=FILE) + load_img + X's preprocess_input + predict."""
    import importlib

    import keras

    constructor, module_name = CASES[name]
    model = getattr(keras.applications, constructor)(weights=str(weights_file))
    img = keras.utils.load_img(image, target_size=MODELS[name].input_size, interpolation=interpolation)
    x = np.expand_dims(keras.utils.img_to_array(img), 0)
    preprocess_input = importlib.import_module(f"keras.applications.{module or module_name}").preprocess_input
    return np.asarray(model.predict(preprocess_input(x), verbose=0))


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cli_run_equals_keras_own_call_bit_for_bit(name, weights_files, tmp_path, capsys):
    image = str(sample_path("coffee"))
    out = tmp_path / "r.json"
    code = main(["run", image, "--model", name, "--weights", str(weights_files[name]), "--passes", "1", "--quiet",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    doc = json.loads(out.read_text())
    mine = np.asarray(doc["probabilities"], np.float32)
    reference = _keras_reference(name, weights_files[name], image)
    assert np.array_equal(mine, reference)
    assert doc["environment"]["preprocess"] == MODELS[name].preprocess and doc["config"]["preprocess"] == "auto"
    # the comparison notices: another resize filter, or another model's preprocess_input, moves the output
    assert not np.array_equal(reference, _keras_reference(name, weights_files[name], image, "bilinear"))
    other = "vgg19" if MODELS[name].preprocess != "caffe" else "mobilenet_v2"
    assert not np.array_equal(reference, _keras_reference(name, weights_files[name], image, module=other))


def test_offline_a_missing_file_is_one_error_line_naming_file_size_and_the_random_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(socket.gaierror(-2, "offline")))
    code = main(["run", str(sample_path("cat")), "--model", "resnet50", "--passes", "1", "--quiet"])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    assert "resnet50_weights_tf_dim_ordering_tf_kernels.h5 (98 MB)" in lines[0] and "--model resnet50-random" in lines[0]


def test_a_damaged_cached_file_is_not_used_offline(tmp_path, monkeypatch):
    from vggcompare.core.model.applications import build_application

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(socket.gaierror(-2, "offline")))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / MODELS["mobilenetv2"].weights_file).write_bytes(b"not the weights")
    with pytest.raises(WeightsUnavailableError, match="mobilenetv2-random"):
        build_application(MODELS["mobilenetv2"], random=False)


def test_a_weights_file_of_another_architecture_is_refused(weights_files):
    from vggcompare.core.model.applications import build_application

    with pytest.raises(ModelError, match="does not hold MobileNetV2 weights"):
        build_application(MODELS["mobilenetv2"], random=False, weights_file=str(weights_files["resnet50"]))


def test_names_sizes_and_preprocessing_of_the_catalog():
    names = builtin_names()
    for name in ("vgg16", "vgg19", "resnet50", "resnet50v2", "mobilenet", "mobilenetv2", "mobilenetv3small",
                 "efficientnetb0", "efficientnetb7", "efficientnetv2s", "inceptionv3", "xception", "densenet121",
                 "convnexttiny", "nasnetmobile", "efficientnet-lite0", "resnet50-random", "vgg19-random"):
        assert name in names
    assert "efficientnet-lite0-random" not in names and lookup("resnet50-random") == (MODELS["resnet50"], True)
    assert MODELS["inceptionv3"].input_size == (299, 299) and MODELS["efficientnetb3"].input_size == (300, 300)
    assert ExperimentConfig(model="resnet50v2").effective_preprocess == "tf"
    assert ExperimentConfig(model="densenet121-random").effective_preprocess == "torch"
    assert ExperimentConfig(model="efficientnet-lite0").effective_preprocess == "lite"
    assert ExperimentConfig(model="resnet50").summary().startswith("ResNet50 ImageNet, 20 passes")
    with pytest.raises(ConfigError, match="local ImageNet weights file only applies"):
        ExperimentConfig(model="resnet50-random", weights="x.h5").validate()


def test_every_catalog_entry_matches_keras():
    """Each name's constructor exists, and its module's preprocess_input does what the catalog says."""
    import importlib

    import keras

    from vggcompare.core.input.preprocess import preprocess

    x = np.array([[[[10.0, 100.0, 200.0]]]], np.float32)
    for entry in MODELS.values():
        if entry.offline:
            continue
        assert callable(getattr(keras.applications, entry.constructor)), entry.name
        module = importlib.import_module(f"keras.applications.{entry.module}")
        theirs = np.asarray(module.preprocess_input(x.copy()))
        assert np.allclose(preprocess(x, entry.preprocess), theirs, atol=1e-5), entry.name


def test_the_models_command_lists_them_with_size_and_cache_state(tmp_path, monkeypatch, capsys, weights_files):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / MODELS["mobilenetv2"].weights_file).write_bytes(weights_files["mobilenetv2"].read_bytes())
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "224×224" in rows["resnet50"] and "caffe" in rows["resnet50"] and "98 MB" in rows["resnet50"]
    assert rows["resnet50"].endswith("not cached") and rows["mobilenetv2"].endswith("cached")
    assert "299×299" in rows["inceptionv3"] and "installed" in rows["efficientnet-lite0"]
    assert len([n for n in rows if n in MODELS]) == len(MODELS)


def test_the_windows_download_job_uses_keras_and_says_offline_in_one_sentence(tmp_path, monkeypatch):
    from vggcompare.core.studies.jobs import fetch_model_weights

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(socket.gaierror(-2, "offline")))
    job = fetch_model_weights(ExperimentConfig(model="mobilenetv2"))
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5 (14 MB)" in next(job).message
    with pytest.raises(WeightsUnavailableError, match=r"cannot download .*14 MB.*no connection"):
        next(job)
