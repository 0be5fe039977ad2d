"""The ImageNet weights of VGG19: find them in the Keras cache, check them, or download them.

The download goes to a temporary name in the Keras cache folder, is checked against the published
md5, and only then renamed to the name Keras uses. A partial or corrupt file is never used: the
md5 of a cached file is checked once and remembered in a small sidecar keyed by size and mtime.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from vggcompare.core.atomic import atomic_write_text
from vggcompare.core.errors import RunCancelled, WeightsUnavailableError

WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + WEIGHTS_FILE
WEIGHTS_MD5 = "cbe5617147190e668d6c5d5026f83318"
WEIGHTS_SIZE_TEXT = "548 MB"
CONNECT_TIMEOUT_S = 10.0

Progress = Callable[[int, int], None]  # (bytes done, bytes total or 0)


def keras_cache_dir() -> Path:
    """The folder where Keras keeps downloaded weights: $KERAS_HOME/models or ~/.keras/models."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def cached_weights_file() -> Path:
    """Where the ImageNet weights file lives in the Keras cache (it may not exist)."""
    return keras_cache_dir() / WEIGHTS_FILE


def file_md5(path: Path, cancel: Callable[[], bool] | None = None) -> str:
    """Return the md5 hex digest of a file, reading it in 8 MB blocks."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while block := handle.read(8 << 20):
            if cancel is not None and cancel():
                raise RunCancelled("cancelled while checking the weights file")
            digest.update(block)
    return digest.hexdigest()


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".vggcompare-md5.json")


def verify_cached(path: Path, expected_md5: str = WEIGHTS_MD5) -> bool:
    """True if ``path`` exists and its md5 matches; the check is remembered per size and mtime."""
    try:
        st = path.stat()
    except OSError:
        return False
    key = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "md5": expected_md5}
    side = _sidecar(path)
    try:
        if json.loads(side.read_text()) == key:
            return True
    except (OSError, ValueError):
        pass
    try:
        ok = file_md5(path) == expected_md5
    except OSError:
        return False
    if ok:
        try:
            atomic_write_text(side, json.dumps(key))
        except OSError:
            pass
    return ok


def weights_state() -> tuple[str, str]:
    """Return (state, sentence) for the cached ImageNet weights: 'ready', 'missing' or 'corrupt'."""
    path = cached_weights_file()
    if not path.exists():
        return "missing", f"The ImageNet weights ({WEIGHTS_FILE}, {WEIGHTS_SIZE_TEXT}) are not in {path.parent}."
    if not verify_cached(path):
        return "corrupt", f"The cached ImageNet weights file {path} is incomplete or damaged (md5 mismatch)."
    return "ready", f"ImageNet weights found in {path.parent}."


def download_weights(
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    url: str = WEIGHTS_URL,
    expected_md5: str = WEIGHTS_MD5,
    target: Path | None = None,
) -> Path:
    """Download the ImageNet weights into the Keras cache with an md5 check; return the path.

    Raises WeightsUnavailableError with one sentence when offline or when the file is damaged.
    """
    import socket  # the network modules load only when a download starts, not with the window
    import urllib.error
    import urllib.parse
    import urllib.request

    target = target or cached_weights_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    host = urllib.parse.urlparse(url).hostname
    if host:
        try:  # fail at once when there is no network, instead of after a long hang
            socket.getaddrinfo(host, 443)
        except OSError as exc:
            raise WeightsUnavailableError(
                f"cannot download {WEIGHTS_FILE}: no connection to {host} ({exc.strerror or exc})", WEIGHTS_FILE
            ) from None
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT_S) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            digest = hashlib.md5()
            while block := response.read(1 << 20):
                if cancel is not None and cancel():
                    raise RunCancelled("download cancelled")
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected_md5:
            raise WeightsUnavailableError(f"the downloaded {WEIGHTS_FILE} is damaged (md5 mismatch); try again", WEIGHTS_FILE)
        os.replace(partial, target)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        raise WeightsUnavailableError(f"cannot download {WEIGHTS_FILE}: {reason}", WEIGHTS_FILE) from None
    finally:
        if partial.exists():
            partial.unlink()
    verify_cached(target, expected_md5)  # remember the check
    return target


def resolve_imagenet_weights(
    local_file: str | None = None,
    allow_download: bool = True,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Path:
    """Return a usable ImageNet weights file: the user's file, the verified cache, or a download."""
    if local_file:
        path = Path(local_file).expanduser()
        if not path.is_file():
            raise WeightsUnavailableError(f"the weights file {path} does not exist", path.name)
        return path
    state, sentence = weights_state()
    if state == "ready":
        return cached_weights_file()
    if not allow_download:
        raise WeightsUnavailableError(sentence, WEIGHTS_FILE)
    return download_weights(progress=progress, cancel=cancel)
