"""``vc.show``: the window opens on the given result in its own process, and the caller goes on at once."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

pytestmark = pytest.mark.gui
OPEN_TIMEOUT_S = 120  # a new Python process opening the window on 2 shared cores


def _result():
    """A made-up api RunResult (no model runs): what ``vc.run`` returns."""
    import fake_jobs

    from vggcompare.api.run_result import RunResult
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.resources import sample_path

    config = ExperimentConfig(image=str(sample_path("cat")), model="vgg19-random", passes=1)
    return RunResult.from_core(fake_jobs._fake_result(config, "loader opencv", "the run to show"))


def _stop(process) -> None:
    """End the window's process group that show started (its own session), and reap it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except Exception:  # noqa: BLE001 - it would not stop: kill what this test started
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def test_show_returns_at_once_and_its_window_opens_the_result(tmp_path, monkeypatch):
    """The window's process imports the result into its history (what opening a result does) while show's caller
    has long gone on; the process is still running (the window is open) afterwards."""
    import vggcompare as vc
    from vggcompare.core.storage.history import History

    data = tmp_path / "data"
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(data))  # the window process's history and settings, this test's
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    result = _result()
    returned: list = []
    caller = threading.Thread(target=lambda: returned.append(vc.show(result)), daemon=True)
    caller.start()
    caller.join(OPEN_TIMEOUT_S)
    assert returned, "show did not return: it waits for the window"
    process = returned[0]
    try:
        assert process.poll() is None  # show came back while its window runs
        entries: list = []
        deadline = time.monotonic() + OPEN_TIMEOUT_S
        while not entries and time.monotonic() < deadline:
            assert process.poll() is None, f"the window's process ended (exit status {process.returncode})"
            time.sleep(0.25)
            if (data / "history").is_dir():
                entries = History(data / "history").load()[0]
        assert len(entries) == 1, "the window did not open the result in time"
        shown = History(data / "history").load()[0][0].read()
        assert np.array_equal(shown.probabilities, result.probabilities) and shown.labels == result.labels
        assert process.poll() is None  # the window stays open until its user closes it
        assert process.args[1:4] == ["-m", "vggcompare", "open"] and process.args[0] == sys.executable
    finally:
        _stop(process)


def test_show_of_a_result_file_opens_that_file_and_the_window_view_shows_it(qtbot, settings, tmp_path, monkeypatch):
    """A path is opened as it is (nothing copied); the window's Result view then shows that run's numbers."""
    import vggcompare as vc
    from vggcompare.api import window as api_window
    from vggcompare.core.storage.history import History
    from vggcompare.gui.window.main_window import MainWindow

    path = _result().save(tmp_path / "run.json")
    started: list = []

    class Recorder:
        def __init__(self, args, **kwargs) -> None:
            started.append((args, kwargs))

    monkeypatch.setattr(api_window.subprocess, "Popen", Recorder)
    vc.show(str(path))
    (args, kwargs), = started
    assert args[-2:] == ["open", str(path.resolve())] and kwargs.get("start_new_session") is True
    window = MainWindow(settings, restore=False, history=History(tmp_path / "history"))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.session.result_ready, timeout=30_000) as shown:
        window.session.open_result_file(args[-1])  # what `vggcompare open FILE` does once the window is painted
    result = shown.args[0]
    assert np.array_equal(result.probabilities, _result().probabilities)
    qtbot.waitUntil(lambda: window.results.banner.verdict.text() == "made up", timeout=10_000)  # the core's verdict
    assert result.config.summary() in window.results.banner.settings.text()
    window.close()
