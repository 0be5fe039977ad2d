"""``reproduce`` and ``screenshot`` get ImageNet weights as ``run`` does: ``--weights FILE``, Keras' download, or one error line.

The weights file is made here in Keras' own h5 layout (no download); Keras' download is patched to copy it.
"""

from __future__ import annotations

import shutil
import socket

import numpy as np
import pytest
from test_applications import _probe_weights

from vggcompare.cli import main
from vggcompare.core.catalog import MODELS
from vggcompare.core.model.prepare import clear_cache
from vggcompare.core.resources import sample_path

ENTRY = MODELS["mobilenetv2"]
IMAGE = str(sample_path("coffee"))


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    """MobileNetV2 weights whose output moves with every pixel, saved as Keras' ImageNet file is."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    keras.utils.set_random_seed(101)
    model = keras.applications.MobileNetV2(weights=None)
    _probe_weights(model, np.random.default_rng(1))
    path = tmp_path_factory.mktemp("weights") / ENTRY.weights_file
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path


@pytest.fixture
def cached():
    """Where Keras keeps the file (the tests' own KERAS_HOME: Keras reads it once, at import); left without it."""
    from vggcompare.core.model.weights import keras_cache_dir

    path = keras_cache_dir() / ENTRY.weights_file
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)
    clear_cache()


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if line.strip()]


def offline(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(socket.gaierror(-2, "offline")))


def patch_keras_download(monkeypatch, weights_file) -> list[str]:
    """Keras' get_file copies the made file into its cache, as a download would; the names it was asked for."""
    from keras.src.utils import file_utils

    from vggcompare.core.model.weights import keras_cache_dir

    asked = []

    def get_file(fname, origin=None, cache_subdir="datasets", **_kw):
        asked.append(fname)
        target = keras_cache_dir() / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(weights_file, target)
        return str(target)

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))])
    monkeypatch.setattr(file_utils, "get_file", get_file)
    return asked


def test_reproduce_takes_weights_and_says_in_one_line_when_it_has_none(weights_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    original = tmp_path / "original.json"
    code, _out, err = cli(capsys, "run", IMAGE, "--model", "mobilenetv2", "--weights", str(weights_file), "--passes", "2",
                          "--quiet", "--out", str(original))
    assert code == 0, err
    moved = tmp_path / "elsewhere" / ENTRY.weights_file  # the file the result names is not on this machine
    moved.parent.mkdir()
    shutil.copy(weights_file, moved)
    offline(monkeypatch)
    missing = tmp_path / "missing" / ENTRY.weights_file
    text = original.read_text().replace(str(weights_file), str(missing))
    (tmp_path / "from_elsewhere.json").write_text(text)
    code, _out, err = cli(capsys, "reproduce", str(tmp_path / "from_elsewhere.json"), "--quiet")
    assert code == 2 and len(err) == 1 and err[0].startswith("error: "), err
    assert str(missing) in err[0] and "--weights FILE" in err[0] and "-random" in err[0]
    code, out, err = cli(capsys, "reproduce", str(tmp_path / "from_elsewhere.json"), "--weights", str(moved), "--quiet")
    assert code == 0, err
    assert "Bit-identical: yes, all 2 passes" in out
    code, _out, err = cli(capsys, "reproduce", str(original), "--weights", str(tmp_path / "nothing.h5"), "--quiet")
    assert code == 2 and err == [f"error: the weights file {tmp_path / 'nothing.h5'} does not exist"]


def test_reproduce_downloads_missing_weights_with_keras_and_offline_names_the_file(weights_file, cached, tmp_path, monkeypatch,
                                                                                    capsys):
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(weights_file, cached)
    original = tmp_path / "original.json"
    code, _out, err = cli(capsys, "run", IMAGE, "--model", "mobilenetv2", "--passes", "2", "--quiet", "--out", str(original))
    assert code == 0, err
    cached.unlink()
    clear_cache()  # the model built for the run is kept in memory: a new process would have none
    offline(monkeypatch)
    code, _out, err = cli(capsys, "reproduce", str(original), "--quiet")
    assert code == 2 and len(err) == 1 and err[0].startswith("error: "), err
    assert f"{ENTRY.weights_file} ({ENTRY.size_text})" in err[0] and "--weights FILE" in err[0] and "-random" in err[0]
    assert "--model" not in err[0]  # reproduce has no --model option
    asked = patch_keras_download(monkeypatch, weights_file)
    code, out, err = cli(capsys, "reproduce", str(original), "--quiet")
    assert code == 0, err
    assert asked == [ENTRY.weights_file] and cached.is_file() and "Bit-identical: yes, all 2 passes" in out


@pytest.mark.gui
def test_screenshot_takes_weights_downloads_and_says_offline_in_one_line(weights_file, cached, tmp_path, monkeypatch, capsys):
    shot = ["screenshot", IMAGE, "--model", "mobilenetv2", "--passes", "2", "--size", "1000x700"]
    code, out, err = cli(capsys, *shot, "--weights", str(weights_file), "--out", str(tmp_path / "a.png"))
    assert code == 0, err
    assert (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    clear_cache()
    offline(monkeypatch)
    code, _out, err = cli(capsys, *shot, "--out", str(tmp_path / "b.png"))
    assert code == 2 and len(err) == 1 and f"{ENTRY.weights_file} ({ENTRY.size_text})" in err[0], err
    assert "--weights FILE" in err[0] and "--model mobilenetv2-random" in err[0] and not (tmp_path / "b.png").exists()
    asked = patch_keras_download(monkeypatch, weights_file)
    code, _out, err = cli(capsys, *shot, "--out", str(tmp_path / "c.png"))
    assert code == 0, err
    assert asked == [ENTRY.weights_file] and cached.is_file()
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
