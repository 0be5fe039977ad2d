"""Start-up: the window's first paint against a bare PySide6 + pyqtgraph window (target startup_vs_bare <= 1.3).

Each repeat launches a fresh Python process (``QT_QPA_PLATFORM=offscreen``, a throw-away settings
folder) that runs this file with ``--child``: a small driver that does what ``python -m vggcompare``
does (``vggcompare.cli.main([])``, which calls ``vggcompare.gui.app.main``), after creating the
QApplication itself so that it can install an event filter first. The filter notes the first
``Show`` event of the main window, and the end of the window's first paint (a zero-time timer set
at the first ``Paint`` event of a widget in the window fires once the whole paint pass is done:
this is when the user sees it), checks whether ``tensorflow`` is in ``sys.modules`` at both
moments, prints them and exits at once (``os._exit``, so the background TensorFlow start it
triggers is not waited for). The target is judged on the first paint, the stricter of the two.

Times are measured from just before the parent starts the process (``time.time()``; same machine),
so they include the interpreter's own start. The figure is the best and the median of the repeats
(the first launch may also pay for a cold file cache, so it is shown separately).

It also notes which thread first imports ``tensorflow`` (a ``sys.meta_path`` watcher) and whether
``pyqtgraph`` was imported by the first paint (the first screen's plots show messages until a run, so
the window imports pyqtgraph afterwards, in pieces). It launches the window a few more times with the
engine's start patched out and waits there until both plots are built, to show when they are ready.

Before the launches it compiles the project's bytecode (``compile_bytecode``), as an installed copy has
it: the bare window's PySide6 and pyqtgraph are compiled by pip at install time.

Side by side, in the same run and alternating with the real window, it launches a bare program: a
QApplication, a QMainWindow holding one pyqtgraph PlotWidget with 1000 points, measured the same way
(``--bare``). ``startup_vs_bare`` is the median first paint of the window over the bare one's: the
cost of the window itself, on whatever machine runs it.

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


def bare_child() -> None:
    """The floor: a bare PySide6 + pyqtgraph window with one plot, first paint reported as for the real one."""
    t_start = time.time()
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    import numpy as np
    import pyqtgraph as pg

    app = QApplication([])
    marks: dict = {"tf_at_show": False, "keras_at_show": False, "tf_at_painted": False, "start": t_start}

    def report() -> None:
        marks["painted"] = time.time()
        sys.stdout.write(json.dumps(marks) + "\n")
        sys.stdout.flush()
        os._exit(0)

    class BareWindow(QMainWindow):
        pass

    class Filter(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt naming
            if event.type() == QEvent.Type.Show and obj is window and "shown" not in marks:
                marks["shown"] = time.time()
            elif event.type() == QEvent.Type.Paint and "shown" in marks and "paint_started" not in marks:
                marks["paint_started"] = time.time()
                QTimer.singleShot(0, report)
            return False

    flt = Filter()
    app.installEventFilter(flt)
    window = BareWindow()
    plot = pg.PlotWidget()
    plot.plot(np.arange(1000), np.random.default_rng(0).random(1000), pen=None, symbol="o", symbolSize=4)
    window.setCentralWidget(plot)
    window.resize(1600, 1000)
    window.show()
    app.exec()


def child() -> None:
    """The driver: open the real window as ``python -m vggcompare`` would, report when it is shown."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    from vggcompare.gui.common.application import ensure_application

    marks: dict = {}
    app = ensure_application([])

    class ImportWatch:
        """Notes which thread first imports tensorflow, and when (a meta-path finder that finds nothing)."""

        def find_spec(self, name, path=None, target=None):
            if name == "tensorflow" and "tf_import_thread" not in marks:
                import threading

                marks["tf_import_thread"] = threading.current_thread().name
                marks["tf_import_on_gui_thread"] = threading.current_thread() is threading.main_thread()
                marks["tf_import_started"] = time.time()
            return None

    sys.meta_path.insert(0, ImportWatch())
    wait_for_plots = os.environ.get("BENCH_NO_BACKGROUND") == "1"
    if wait_for_plots:  # no engine; the plots are still prepared, and the report waits for them
        from vggcompare.gui.window.main_window import MainWindow
        from vggcompare.gui.image.model_status import ModelStatus

        ModelStatus.start = lambda self: None
        original_start = MainWindow.start_background_work

        def start_and_watch(self) -> None:
            self.results.plots_ready.connect(plots_ready)
            original_start(self)

        MainWindow.start_background_work = start_and_watch

    def loop_turn() -> None:
        marks["first_loop_turn"] = time.time()
        marks["tf_at_first_loop_turn"] = "tensorflow" in sys.modules

    def report() -> None:
        marks["painted"] = time.time()
        marks["tf_at_painted"] = "tensorflow" in sys.modules
        marks["pyqtgraph_at_painted"] = "pyqtgraph" in sys.modules
        if not wait_for_plots:
            finish()

    def plots_ready() -> None:
        marks["plots_ready"] = time.time()
        if "painted" in marks:
            finish()

    def finish() -> None:
        sys.stdout.write(json.dumps(marks) + "\n")
        sys.stdout.flush()
        os._exit(0)

    class ShowFilter(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt naming
            kind = event.type()
            if kind == QEvent.Type.Show and "shown" not in marks and obj.isWidgetType() and obj.isWindow():
                if type(obj).__name__ == "MainWindow":
                    marks["shown"] = time.time()
                    marks["tf_at_show"] = "tensorflow" in sys.modules
                    marks["keras_at_show"] = "keras" in sys.modules
                    QTimer.singleShot(0, loop_turn)
            elif kind == QEvent.Type.Paint and "shown" in marks and "paint_started" not in marks:
                if obj.isWidgetType() and type(obj.window()).__name__ == "MainWindow":
                    # The whole window is painted in this one pass; the timer fires once it is done.
                    marks["paint_started"] = time.time()
                    QTimer.singleShot(0, report)
            return False

    flt = ShowFilter()
    app.installEventFilter(flt)
    from vggcompare.cli import main as cli_main

    cli_main([])
    sys.stdout.write(json.dumps({"error": "the window closed without being shown"}) + "\n")
    os._exit(1)


def compile_bytecode() -> None:
    """Write the project's bytecode (``__pycache__``), as an installed copy has it.

    ``pip install`` compiles the site-packages it installs (PySide6, pyqtgraph, NumPy), but an editable
    install leaves the project's own modules to be compiled at their first import, and with
    ``PYTHONDONTWRITEBYTECODE`` set (as on this project's machines) every launch compiles them again.
    Without this, the window would pay a compiler the bare window does not.
    """
    import compileall

    import vggcompare

    compileall.compile_dir(os.path.dirname(vggcompare.__file__), quiet=1)


def launch(config_home: str, importtime: bool = False, background: bool = True, bare: bool = False) -> tuple[dict, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=config_home, HOME=config_home,
               BENCH_NO_BACKGROUND="0" if background else "1")
    cmd = [sys.executable] + (["-X", "importtime"] if importtime else []) + [__file__, "--bare" if bare else "--child"]
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"the driver printed nothing (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    marks = json.loads(lines[-1])
    if "error" in marks:
        raise RuntimeError(marks["error"])
    marks["show_s"] = marks["shown"] - t0
    marks["loop_s"] = marks.get("first_loop_turn", marks["painted"]) - t0
    marks["painted_s"] = marks["painted"] - t0
    if "plots_ready" in marks:
        marks["plots_ready_s"] = marks["plots_ready"] - t0
    if "tf_import_started" in marks:
        marks["tf_import_s"] = marks["tf_import_started"] - t0
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
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not write the project's bytecode first (each launch then compiles it, if no __pycache__ exists)")
    args = parser.parse_args()
    if args.child:
        child()
        return
    if args.bare:
        bare_child()
        return

    print(f"machine: {C.machine_line()}")
    print("setup: fresh process per launch, QT_QPA_PLATFORM=offscreen, empty settings folder")
    shows, loops, painted, tf_seen, gui_thread_imports, shows_tf, bare, pg_seen = [], [], [], [], [], [], [], []
    if not args.no_compile:
        compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="vggcompare-bench-") as home:
        for i in range(args.repeats):
            C.wait_for_quiet(max_wait=10.0)
            with C.Contention() as c:
                marks, _ = launch(home)
            shows.append(marks["show_s"])
            loops.append(marks["loop_s"])
            painted.append(marks["painted_s"])
            tf_seen.append(marks["tf_at_painted"])
            pg_seen.append(marks["pyqtgraph_at_painted"])
            shows_tf.append(marks["tf_at_show"] or marks["keras_at_show"])
            gui_thread_imports.append(bool(marks.get("tf_import_on_gui_thread")))
            C.wait_for_quiet(max_wait=10.0)
            bare_marks, _ = launch(home, bare=True)
            bare.append(bare_marks["painted_s"])
            where = (f"tensorflow import began at {marks['tf_import_s']:.3f} s on thread "
                     f"'{marks['tf_import_thread']}'" if "tf_import_s" in marks else "tensorflow not imported")
            print(f"  launch {i + 1}: Show event after {marks['show_s']:.3f} s, first paint done after "
                  f"{marks['painted_s']:.3f} s; {where}; in sys.modules at show: {marks['tf_at_show']}, "
                  f"at first paint: {marks['tf_at_painted']}; others' cores {c.others:.2f}; "
                  f"bare PySide6 + pyqtgraph window painted after {bare[-1]:.3f} s")
        no_bg, plots_at = [], []
        for i in range(max(2, args.repeats // 2)):
            C.wait_for_quiet(max_wait=10.0)
            marks, _ = launch(home, background=False)
            no_bg.append(marks["painted_s"])
            plots_at.append(marks["plots_ready_s"])
        print(f"  without the engine's start (patched out): first paint done after {C.fmt_list(no_bg)} s -> median "
              f"{C.median(no_bg):.3f} s; both plots built (pyqtgraph loaded in pieces after the first paint) after "
              f"{C.fmt_list(plots_at)} s -> median {C.median(plots_at):.3f} s")
        if args.importtime:
            _, stderr = launch(home, importtime=True)
            print("slowest imports before the window was shown (cumulative, -X importtime):")
            for us, name in slowest_imports(stderr):
                print(f"  {us / 1e6:7.3f} s  {name}")
    best = min(shows)
    med = C.median(shows)
    pmed = C.median(painted)
    print(f"Show event: best {best:.3f} s, median {med:.3f} s (first launch {shows[0]:.3f} s); "
          f"first paint done: best {min(painted):.3f} s, median {pmed:.3f} s; "
          f"target 1.5 s: {'met' if pmed <= 1.5 else 'MISSED'} (judged on the first paint)")
    print(f"tensorflow in sys.modules at the Show event, in any launch: {any(shows_tf)}; "
          f"imported on the GUI thread in any launch: {any(gui_thread_imports)}")
    ratio = pmed / C.median(bare)
    print(f"bare window first paint: median {C.median(bare):.3f} s; the window over the bare one: {ratio:.2f} "
          f"(target 1.3: {'met' if ratio <= 1.3 else 'MISSED'})")
    print(f"pyqtgraph imported before the first paint, in any launch: {any(pg_seen)}")
    print(f"RESULT startup_vs_bare={ratio:.2f} startup_painted_s={pmed:.3f} bare_painted_s={C.median(bare):.3f} "
          f"startup_show_s={med:.3f} startup_painted_best_s={min(painted):.3f} "
          f"tensorflow_before_show={any(shows_tf)} tensorflow_on_gui_thread={any(gui_thread_imports)}")


if __name__ == "__main__":
    main()
