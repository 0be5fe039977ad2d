"""Atomic writes leave the permissions a plain open(path, "w") leaves: the umask's for a new file, the old file's own."""

from __future__ import annotations

import os
import stat

import pytest

from vggcompare.core.atomic import atomic_write_bytes, atomic_write_text, current_umask

pytestmark = pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX permission bits")


@pytest.fixture()
def umask():
    """Set the process's umask for one test (``umask(value)``) and restore it afterwards."""
    saved = os.umask(0o022)
    os.umask(saved)
    yield os.umask
    os.umask(saved)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _plain_write_mode(path) -> int:
    with open(path, "w") as handle:
        handle.write("plain")
    return _mode(path)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002, 0o077])
def test_a_new_file_gets_the_mode_a_plain_write_gives_under_the_umask(umask, tmp_path, mask):
    umask(mask)
    assert current_umask() == mask
    written = atomic_write_text(tmp_path / "result.json", "{}")
    assert _mode(written) == 0o666 & ~mask == _plain_write_mode(tmp_path / "plain.json")
    assert written.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.json", "result.json"]  # no temporary file left


def test_replacing_a_file_keeps_its_own_mode_as_a_plain_write_does(umask, tmp_path):
    umask(0o022)
    target = tmp_path / "report.csv"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert _mode(target) == 0o640 and target.read_bytes() == b"new"
    target.chmod(0o664)
    atomic_write_bytes(target, b"newer")
    assert _mode(target) == 0o664


def test_a_saved_result_is_readable_by_the_group_and_others_under_the_usual_umask(umask, tmp_path):
    from vggcompare.core.storage.sweep_files import write_outputs
    from vggcompare.core.storage.sweep_table import SweepTable

    umask(0o022)
    with SweepTable(tmp_path) as table:
        write_outputs(tmp_path, table)
    for name in ("rows.csv", "summary.json"):
        assert _mode(tmp_path / name) == 0o644, name


def test_the_umask_is_read_and_kept_where_the_system_does_not_tell_it(umask, monkeypatch):
    from vggcompare.core import atomic

    def no_proc(*_args, **_kwargs):
        raise FileNotFoundError("/proc/self/status")

    umask(0o027)
    monkeypatch.setattr(atomic, "open", no_proc, raising=False)
    assert atomic.current_umask() == 0o027
    assert os.umask(0o027) == 0o027  # left as it was


def test_the_cached_small_cnn_gets_the_mode_a_plain_write_gives(umask, tmp_path, monkeypatch):
    from vggcompare.core.model import small_cnn

    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path))
    umask(0o022)
    path = small_cnn.ensure_small_cnn()
    assert _mode(path) == 0o644 and sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no scratch file left
