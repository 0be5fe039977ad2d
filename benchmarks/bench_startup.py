"""Start-up: from launching the program until its window is first shown (target <= 1.5 s).

Each repeat launches a fresh Python process (``QT_QPA_PLATFORM=offscreen``, a throw-away settings
folder) that runs this file with ``--child``: a small driver that does what ``python -m vggcompare``
does (``vggcompare.cli.main([])``, which calls ``vggcompare.gui.app.main``), after creating the
QApplication itself so that it can install an event filter first. The filter notes the first
``Show`` event of the main window, and the driver then notes the first turn of the event loop after
it (the window has been laid out and painted once), checks whether ``tensorflow`` is in
``sys.modules`` at both moments, prints them and exits at once (``os._exit``, so the background
TensorFlow start it triggers is not waited for).

Times are measured from just before the parent starts the process (``time.time()``; same machine),
so they include the interpreter's own start. The figure is the best and the median of the repeats
(the first launch may also pay for a cold file cache, so it is shown separately).

Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeats 5] [--importtime]``
(``--importtime`` also prints the slowest imports before the window appears, from ``-X importtime``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import _common as C


def child() -> None:
    """The driver: open the real window as ``python -m vggcompare`` would, report when it is shown."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    from vggcompare.gui.app import ensure_application

    marks: dict = {}
    app = ensure_application([])

    def report() -> None:
        marks["first_loop_turn"] = time.time()
        marks["tf_at_first_loop_turn"] = "tensorflow" in sys.modules
        marks["keras_at_show"] = marks.get("keras_at_show", False)
        sys.stdout.write(json.dumps(marks) + "\n")
        sys.stdout.flush()
        os._exit(0)

    class ShowFilter(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt naming
            if event.type() == QEvent.Type.Show and "shown" not in marks and obj.isWidgetType() and obj.isWindow():
                if type(obj).__name__ == "MainWindow":
                    marks["shown"] = time.time()
                    marks["tf_at_show"] = "tensorflow" in sys.modules
                    marks["keras_at_show"] = "keras" in sys.modules
                    QTimer.singleShot(0, report)
            return False

    flt = ShowFilter()
    app.installEventFilter(flt)
    from vggcompare.cli import main as cli_main

    cli_main([])
    sys.stdout.write(json.dumps({"error": "the window closed without being shown"}) + "\n")
    os._exit(1)


def launch(config_home: str, importtime: bool = False) -> tuple[dict, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=config_home, HOME=config_home)
    cmd = [sys.executable] + (["-X", "importtime"] if importtime else []) + [__file__, "--child"]
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"the driver printed nothing (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    marks = json.loads(lines[-1])
    if "error" in marks:
        raise RuntimeError(marks["error"])
    marks["show_s"] = marks["shown"] - t0
    marks["loop_s"] = marks["first_loop_turn"] - t0
    return marks, proc.stderr


def slowest_imports(stderr: str, top: int = 12) -> list[tuple[int, str]]:
    rows = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = [p.strip() for p in line[len("import time:"):].split("|")]
            if parts[0].isdigit():
                rows.append((int(parts[1]), parts[2]))  # cumulative microseconds, module
    rows.sort(reverse=True)
    return rows[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    if args.child:
        child()
        return

    print(f"machine: {C.machine_line()}")
    print("setup: fresh process per launch, QT_QPA_PLATFORM=offscreen, empty settings folder")
    shows, loops, tf_seen = [], [], []
    with tempfile.TemporaryDirectory(prefix="vggcompare-bench-") as home:
        for i in range(args.repeats):
            C.wait_for_quiet(max_wait=10.0)
            with C.Contention() as c:
                marks, _ = launch(home)
            shows.append(marks["show_s"])
            loops.append(marks["loop_s"])
            tf_seen.append(marks["tf_at_show"] or marks["keras_at_show"])
            print(f"  launch {i + 1}: window shown after {marks['show_s']:.3f} s, first event-loop turn after "
                  f"{marks['loop_s']:.3f} s; tensorflow imported at show: {marks['tf_at_show']}, "
                  f"keras: {marks['keras_at_show']}; others' cores {c.others:.2f}")
        if args.importtime:
            _, stderr = launch(home, importtime=True)
            print("slowest imports before the window was shown (cumulative, -X importtime):")
            for us, name in slowest_imports(stderr):
                print(f"  {us / 1e6:7.3f} s  {name}")
    best = min(shows)
    med = C.median(shows)
    print(f"window shown: best {best:.3f} s, median {med:.3f} s (first launch {shows[0]:.3f} s); "
          f"first loop turn: best {min(loops):.3f} s; target 1.5 s: {'met' if med <= 1.5 else 'MISSED'}")
    print(f"tensorflow or keras imported before the window was shown, in any launch: {any(tf_seen)}")
    print(f"RESULT startup_show_s={med:.3f} startup_show_best_s={best:.3f} first_loop_turn_s={C.median(loops):.3f} "
          f"tensorflow_before_show={any(tf_seen)}")


if __name__ == "__main__":
    main()
