"""A new-process run ends with the process that started it: killing the window's engine (or a checkup) mid-run
leaves no TensorFlow process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to see whether a process still runs")


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state and "\nState:\tX" not in state  # a zombie has ended


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_a_new_process_run_ends_when_its_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        from vggcompare.core.config import ExperimentConfig
        from vggcompare.core.process.fresh import FreshRun

        run = FreshRun(ExperimentConfig(image=sys.argv[1], model="vgg19-random", passes=200))
        print(run._proc.pid, run._tmp.name, flush=True)
        time.sleep(600)
    """))
    image = Path(__file__).resolve().parents[1] / "resources" / "sweep" / "cat.jpg"
    parent = subprocess.Popen([sys.executable, str(script), str(image)], stdout=subprocess.PIPE, text=True)
    child = None
    try:
        pid, folder = parent.stdout.readline().split()
        child = int(pid)
        assert _running(child)
        time.sleep(1.0)  # the child is importing: the watcher has started by now or starts on its first line
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert _wait(lambda: not _running(child), 30), "the new process outlived its killed parent"
        assert not Path(folder).exists()  # and removed the folder its dead parent could not
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()
        if child is not None and _running(child):
            os.kill(child, signal.SIGKILL)  # the test failed: leave nothing behind


def test_without_the_variable_nothing_is_watched(monkeypatch):
    from vggcompare.core.process import parent_watch

    monkeypatch.delenv(parent_watch.PARENT_ENV, raising=False)
    assert parent_watch.watch_parent() is False
    monkeypatch.setenv(parent_watch.PARENT_ENV, str(os.getppid()))
    monkeypatch.setenv(parent_watch.FOLDER_ENV, "/nonexistent")
    assert parent_watch.watch_parent() is True and parent_watch.PARENT_ENV not in os.environ
    assert parent_watch.FOLDER_ENV not in os.environ
