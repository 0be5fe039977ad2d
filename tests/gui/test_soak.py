"""Soak: 50 consecutive runs in one window, with the memory growth of the window and the engine measured and bounded."""

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
    from vggcompare.gui.session.engine_pool import engine_pool

    process = psutil.Process()

    def rss_mb() -> float:
        engine = psutil.Process(engine_pool().engine.pid)
        return (process.memory_info().rss + engine.memory_info().rss) / 2**20

    def one_run():
        with qtbot.waitSignal(window.session.result_ready, timeout=120_000):
            window.start_run()

    for _ in range(5):  # warm up: TensorFlow graphs, caches, first allocations
        one_run()
    qtbot.waitUntil(lambda: not window.session.busy)
    gc.collect()
    before = rss_mb()
    for _ in range(RUNS):
        one_run()
    qtbot.waitUntil(lambda: not window.session.busy)
    gc.collect()
    after = rss_mb()
    growth = after - before
    record_property("soak_rss_growth_mb", round(growth, 1))
    with capsys.disabled():
        print(f"\nsoak: {RUNS} runs, RSS window + engine {before:.0f} MB -> {after:.0f} MB (growth {growth:+.1f} MB)")
    assert window.results.result is not None and window.results.result.passes == 8
    assert growth < MAX_GROWTH_MB, f"memory grew by {growth:.1f} MB over {RUNS} runs"
