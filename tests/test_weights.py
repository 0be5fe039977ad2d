"""ImageNet weights: download with md5 and a temporary name, cache checks, offline behaviour."""

from __future__ import annotations

import hashlib
import socket

import pytest

from vggcompare.core.model import weights
from vggcompare.core.errors import WeightsUnavailableError


@pytest.fixture
def blob(tmp_path):
    data = bytes(range(256)) * 4096  # 1 MiB
    src = tmp_path / "served.h5"
    src.write_bytes(data)
    return src, hashlib.md5(data).hexdigest()


def test_download_checks_md5_and_renames_into_place(blob, tmp_path):
    src, md5 = blob
    target = tmp_path / "cache" / weights.WEIGHTS_FILE
    seen = []
    path = weights.download_weights(progress=lambda d, t: seen.append((d, t)), url=src.as_uri(), expected_md5=md5, target=target)
    assert path == target and path.read_bytes() == src.read_bytes()
    assert seen[-1] == (src.stat().st_size, src.stat().st_size)
    assert not target.with_name(target.name + ".part").exists()


def test_a_corrupt_download_is_never_used(blob, tmp_path):
    src, _ = blob
    target = tmp_path / "cache" / weights.WEIGHTS_FILE
    with pytest.raises(WeightsUnavailableError, match="damaged"):
        weights.download_weights(url=src.as_uri(), expected_md5="0" * 32, target=target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_partial_cached_file_is_detected(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert weights.weights_state()[0] == "missing"
    (tmp_path / "models").mkdir()
    weights.cached_weights_file().write_bytes(b"half a file")
    state, sentence = weights.weights_state()
    assert state == "corrupt" and "md5 mismatch" in sentence
    with pytest.raises(WeightsUnavailableError, match="damaged"):
        weights.resolve_imagenet_weights(allow_download=False)


def test_a_verified_cached_file_is_used_and_remembered(blob, tmp_path, monkeypatch):
    src, md5 = blob
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    cached = weights.cached_weights_file()
    cached.write_bytes(src.read_bytes())
    assert weights.verify_cached(cached, md5)
    assert weights._sidecar(cached).exists()
    assert not weights.verify_cached(cached, "f" * 32)  # the check is keyed by the expected md5 too
    original = weights.verify_cached
    monkeypatch.setattr(weights, "verify_cached", lambda path, expected_md5=md5: original(path, expected_md5))
    assert weights.resolve_imagenet_weights(allow_download=False) == cached


def test_offline_fails_at_once_with_a_sentence(tmp_path, monkeypatch):
    def no_dns(*_a, **_k):
        raise socket.gaierror(-2, "Name or service not known")

    def no_connection_attempt(*_a, **_k):
        raise AssertionError("a download was tried with no name lookup")  # that is what hung for minutes

    import urllib.request

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(urllib.request, "urlopen", no_connection_attempt)
    with pytest.raises(WeightsUnavailableError, match="no connection"):
        weights.download_weights(target=tmp_path / "w.h5")
    assert not list(tmp_path.iterdir())  # nothing was started; how fast it says so is in benchmarks/bench_refusals.py


def test_missing_local_file_is_named():
    with pytest.raises(WeightsUnavailableError, match="does not exist"):
        weights.resolve_imagenet_weights("/no/such/weights.h5")
