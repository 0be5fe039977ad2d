"""Soak: the memory growth of the window and its engine over 50 consecutive runs in one window (goal <= 150 MB).

The real ``MainWindow``, offscreen, settings and history in a throw-away folder, runs a tiny CNN made here
(32×32 input, dropout, 8 passes, augmentation on, seeding once). Five runs warm up (TensorFlow graphs, caches,
first allocations); then the resident set sizes of the window's process and the engine's process are added
up before and after ``--runs`` more runs, each started as the Run button starts it. Each repeat is a fresh
window and engine in a fresh process, and every repeat is printed; the goal is met only if every repeat meets it.

Run: ``.venv/bin/python benchmarks/bench_soak.py [--runs 50] [--repeats 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import _common as C

GOAL_MB = 150.0


def _tiny_model(folder: str) -> str:
    C.start_tensorflow()
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(4, 3, activation="relu"), layers.GlobalAveragePooling2D(),
                              layers.Dense(16, activation="relu"), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    path = os.path.join(folder, "tiny.keras")
    model.save(path)
    return path


def child(runs: int) -> None:
    """One window, ``runs`` runs after five warm-up runs; print the RSS figures as one JSON line."""
    import gc
    import time

    import psutil

    tmp = tempfile.mkdtemp(prefix="vggcompare-soak-")
    os.environ["VGGCOMPARE_DATA_DIR"] = tmp
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    model = _tiny_model(tmp)
    from PySide6.QtCore import QSettings

    from vggcompare.core.config import AugmentConfig, ExperimentConfig
    from vggcompare.core.storage.history import History
    from vggcompare.gui.common.application import ensure_application
    from vggcompare.gui.common.settings import WindowSettings
    from vggcompare.gui.session.engine_pool import engine_pool, shutdown_engines
    from vggcompare.gui.window.main_window import MainWindow

    app = ensure_application([])
    settings = WindowSettings(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, restore=False, history=History(os.path.join(tmp, "history")))
    window.load_image(C.SAMPLE)
    while window.session.image is None:
        app.processEvents()
        time.sleep(0.01)
    window.show()
    window.controls.set_config(ExperimentConfig(image=C.SAMPLE, model=model, passes=8, seeding="once", seed=5,
                                                augment=AugmentConfig(enabled=True), dropout=0.5))
    done = []
    window.session.result_ready.connect(done.append)
    window.session.failed.connect(lambda _t, exc, _d: sys.exit(f"a run failed: {exc}"))

    def one_run() -> None:
        count = len(done)
        window.start_run()
        while len(done) == count:
            app.processEvents()
            time.sleep(0.002)

    def rss_mb() -> float:
        while window.session.busy:
            app.processEvents()
            time.sleep(0.01)
        gc.collect()
        engine = psutil.Process(engine_pool().engine.pid)
        return (psutil.Process().memory_info().rss + engine.memory_info().rss) / 2**20

    for _ in range(5):
        one_run()
    before = rss_mb()
    for _ in range(runs):
        one_run()
    after = rss_mb()
    window.close()
    shutdown_engines()
    print("CHILD " + json.dumps({"before_mb": before, "after_mb": after, "growth_mb": after - before}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=1, help="fresh processes; every one is shown")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs)
        return
    print(f"machine: {C.machine_line()}")
    growths = []
    for r in range(args.repeats):
        proc = subprocess.run([sys.executable, __file__, "--child", "--runs", str(args.runs)], capture_output=True, text=True)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("CHILD ")), None)
        if line is None:
            raise SystemExit(f"repeat {r + 1} failed: {proc.stderr.strip().splitlines()[-1:]}")
        figures = json.loads(line[6:])
        growths.append(figures["growth_mb"])
        print(f"repeat {r + 1}: {args.runs} runs, RSS window + engine {figures['before_mb']:.0f} MB -> "
              f"{figures['after_mb']:.0f} MB (growth {figures['growth_mb']:+.1f} MB)")
        print(f"RESULT repeat={r + 1} soak_rss_growth_mb={figures['growth_mb']:.1f}")
    met = all(g <= GOAL_MB for g in growths)
    print(f"RESULT soak_rss_growth_worst_mb={max(growths):.1f} goal_mb={GOAL_MB:.0f} met={'yes' if met else 'no'}")


if __name__ == "__main__":
    main()
