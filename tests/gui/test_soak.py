"""Soak: many consecutive runs in one window each finish and leave it idle (the memory growth is in benchmarks/bench_soak.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
RUNS = 20


def test_many_runs_in_one_window_each_finish_and_leave_it_idle(qtbot, window, tiny_config, monkeypatch, tmp_path):
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path))
    window.controls.set_config(tiny_config.replace(passes=8))
    results = []
    for _ in range(RUNS):
        with qtbot.waitSignal(window.session.result_ready, timeout=120_000) as done:
            window.start_run()
        results.append(done.args[0])
    qtbot.waitUntil(lambda: not window.session.busy)
    assert len({id(r) for r in results}) == RUNS and all(r.passes == 8 for r in results)  # every run is its own result
    assert window.results.result is not None and window.results.result.passes == 8
    assert window.run_panel.run.isEnabled() and not window.cancel_action.isEnabled()
