"""Picture presenter mode playing a demonstration, for the README: its question, then its answer.

Run from the repository root: ``python docs/make_presenter.py [--demo matrix] [--out docs/presenter-demo.png]``.
It opens the real window offscreen with EfficientNet-Lite0 (real ImageNet weights, no download), 8 passes
seeded with 42, enters presenter mode at the demonstration's question (which starts its runs in the engine
process, the window's own path), waits for them, presses Next, and stacks the two 1920 x 1080 screens.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

SIZE = (1920, 1080)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", default="matrix")
    parser.add_argument("--out", default="docs/presenter-demo.png")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="vggcompare-present-"))
    os.environ["VGGCOMPARE_DATA_DIR"] = str(folder)

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QImage, QPainter

    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.resources import sample_path
    from vggcompare.core.storage.history import History
    from vggcompare.gui.common.application import ensure_application
    from vggcompare.gui.common.settings import WindowSettings
    from vggcompare.gui.present import present
    from vggcompare.gui.present.deck import QUESTION, Step
    from vggcompare.gui.session.engine_pool import shutdown_engines
    from vggcompare.gui.window.main_window import MainWindow

    app = ensure_application([])
    window = MainWindow(WindowSettings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)), restore=False,
                        history=History(folder / "history"))
    window.show()
    window.load_image(str(sample_path("cat")))
    _spin(app, lambda: window.session.image is not None)
    window.controls.set_config(ExperimentConfig(model="efficientnet-lite0", passes=8, seeding="once", seed=42))
    view = present(window, Step(QUESTION, args.demo))
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.showNormal()
    view.resize(*SIZE)
    _spin(app, lambda: view.runs.state(args.demo) != "running", timeout=600)
    if view.runs.state(args.demo) != "done":
        raise SystemExit(f"the demonstration did not finish: {view.runs.failures.get(args.demo, view.runs.state(args.demo))}")
    pictures = [view.grab().toImage()]
    view.next()
    _spin(app, lambda: False, 0.3)
    pictures.append(view.grab().toImage())
    out = QImage(SIZE[0], SIZE[1] * 2, QImage.Format.Format_RGB32)
    painter = QPainter(out)
    for k, picture in enumerate(pictures):
        painter.drawImage(0, k * SIZE[1], picture)
    painter.end()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out.save(args.out)
    view.leave()
    window.close()
    shutdown_engines()
    print(f"wrote {args.out}")


def _spin(app, done, at_least: float = 0.0, timeout: float = 60.0) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout and (not done() or time.monotonic() - start < at_least):
        app.processEvents()
        time.sleep(0.02)


if __name__ == "__main__":
    main()
