"""Soak: 50 consecutive runs in one window, with the memory growth measured and bounded."""

from __future__ import annotations

import gc

import psutil
import pytest

pytestmark = pytest.mark.gui
RUNS = 50
MAX_GROWTH_MB = 150.0


def test_fifty_runs_in_one_window_keep_memory_bounded(qtbot, window, tiny_config, record_property, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path))
    config = tiny_config.replace(passes=8)
    window.controls.set_config(config)
    process = psutil.Process()

    def one_run():
        with qtbot.waitSignal(window.runner.succeeded, timeout=120_000):
            window.start_run()

    for _ in range(5):  # warm up: TensorFlow graphs, caches, first allocations
        one_run()
    qtbot.waitUntil(lambda: not window.runner.busy)
    gc.collect()
    before = process.memory_info().rss / 2**20
    for _ in range(RUNS):
        one_run()
    qtbot.waitUntil(lambda: not window.runner.busy)
    window.lab.shutdown()  # let the autosaves finish
    gc.collect()
    after = process.memory_info().rss / 2**20
    growth = after - before
    record_property("soak_rss_growth_mb", round(growth, 1))
    with capsys.disabled():
        print(f"\nsoak: {RUNS} runs, RSS {before:.0f} MB -> {after:.0f} MB (growth {growth:+.1f} MB)")
    assert window.results.result is not None and window.results.result.passes == 8
    assert growth < MAX_GROWTH_MB, f"memory grew by {growth:.1f} MB over {RUNS} runs"
