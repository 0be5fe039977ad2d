"""Picture the Checkup tab after a real checkup, its chart on its own, and a row opened in the compare view.

Run from the repository root: ``python docs/make_checkup_tab.py [--model efficientnet-lite0] [--image resources/sweep/brick.jpg] [--layers]``.
It opens the real window offscreen (settings and history in a throw-away folder), opens the image, chooses the model
(EfficientNet-Lite0 with its ImageNet weights by default), waits for the window's own model check, presses the
Checkup tab's button (with ``--layers``, "Where it enters (layer by layer)" ticked first) and waits for the checkup to end (every cause, the two new-process ones included). It writes
``docs/checkup-tab.png`` (the window), ``docs/checkup-chart.png`` (the chart as ``figure --plot checkup`` draws
it), ``docs/checkup-compare.png`` (training mode against the reference, with its layer plot) and prints the CPU it ran on.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _spin(app, done, timeout_s: float = 900.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="efficientnet-lite0")
    parser.add_argument("--image", default="resources/sweep/brick.jpg")
    parser.add_argument("--out-dir", default="docs")
    parser.add_argument("--layers", action="store_true", help="tick 'Where it enters (layer by layer)': the 'enters at' column")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="vggcompare-checkup-"))
    os.environ["VGGCOMPARE_DATA_DIR"] = str(folder)
    out = Path(args.out_dir)

    from PySide6.QtCore import QSettings

    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.model.cpu import cpu_flags, cpu_name
    from vggcompare.gui.app import ensure_application
    from vggcompare.gui.common.settings import WindowSettings
    from vggcompare.gui.window.main_window import MainWindow
    from vggcompare.gui.window.tabs import COMPARE_TAB
    from vggcompare.render.figures.checkup_chart import write_checkup_chart
    from vggcompare.render.plots.checkup_chart import checkup_subtitle

    app = ensure_application([])
    window = MainWindow(WindowSettings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)), restore=False)
    window.resize(1600, 1500)
    window.show()
    window.load_image(os.path.abspath(args.image))
    _spin(app, lambda: window.session.image is not None)
    window.controls.set_config(ExperimentConfig(model=args.model))
    ready = []
    window.session.model.model_ready.connect(ready.append)
    window.start_background_work()
    _spin(app, lambda: bool(ready))
    checkups = window.checkup_tab.checkups
    window.tabs.setCurrentIndex(window.tabs.indexOf(window.checkup_tab))
    window.checkup_tab.view.layers_box.setChecked(args.layers)
    ended = []
    checkups.finished.connect(ended.append)
    checkups.failed.connect(lambda title, exc, _d: ended.append(SystemExit(f"{title}: {exc}")))
    window.start_checkup()
    _spin(app, lambda: bool(ended))
    if isinstance(ended[0], SystemExit):
        raise ended[0]
    checkup = ended[0]
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    window.grab().save(str(out / "checkup-tab.png"))
    write_checkup_chart(checkup.rows, out / "checkup-chart.png", 1000, checkup_subtitle(checkup))
    top = next((r for r in checkup.rows if r.cause == "training mode" and r.measured), None) or next(r for r in checkup.rows if r.measured)
    shown = []
    window.session.comparison_ready.connect(lambda *a: shown.append(a))
    checkups.open_row(top.cause)
    _spin(app, lambda: bool(shown) and window.tabs.currentIndex() == COMPARE_TAB)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    window.tabs.compare_view.grab().save(str(out / "checkup-compare.png"))
    flags = " ".join(f for f in ("avx512_bf16", "avx512f", "avx2") if f in cpu_flags())
    print(f"{checkup.headline()}\n{checkup.passes_run} passes in {checkup.seconds:.1f} s on {cpu_name()} ({flags}), "
          f"{os.cpu_count()} cores")
    for k, row in enumerate(checkup.rows, 1):
        print(f"{k:>2}. {row.cause}: {row.largest_change if row.measured else row.reason}"
              + (f"; enters at {row.enters_at}" if row.enters_at else ""))
    window.close()
    from vggcompare.gui.session.engine_pool import shutdown_engines

    shutdown_engines()


if __name__ == "__main__":
    main()
