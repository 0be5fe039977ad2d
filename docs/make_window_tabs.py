"""Picture the History & compare tab (with a comparison shown) and the Demonstrations gallery, for the README.

Run from the repository root: ``python docs/make_window_tabs.py [--out docs/window-tabs.png]``.
It runs four short real runs of VGG19 with random weights on the bundled photos (seeded, 6 passes each, in
this process), saves them to a throw-away history, opens the real window offscreen at 1600 x 1000 on that
history, compares the first two runs, and stacks the two tabs' pictures one above the other.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/window-tabs.png")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="vggcompare-tabs-"))
    os.environ["VGGCOMPARE_DATA_DIR"] = str(folder)

    from vggcompare.core.config import AugmentConfig, ExperimentConfig
    from vggcompare.core.input.images import load_image
    from vggcompare.core.resources import sample_path
    from vggcompare.core.passes.engine import run_experiment
    from vggcompare.core.storage.history import History

    history = History(folder / "history")
    base = ExperimentConfig(model="vgg19-random", passes=6, seeding="once", seed=42)
    runs = [("cat", base.replace(augment=AugmentConfig(enabled=True))), ("cat", base.replace(augment=AugmentConfig(enabled=True), seed=7)),
            ("coffee", base.replace(interpolation="bilinear")), ("rocket", base.replace(pitfalls=("rescale-after-preprocess",)))]
    saved = []
    for name, config in runs:
        result = run_experiment(config.replace(image=str(sample_path(name))))
        saved.append(result)
        history.add(result)

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QImage, QPainter

    from vggcompare.gui.common.application import ensure_application
    from vggcompare.gui.window.main_window import MainWindow
    from vggcompare.gui.common.settings import WindowSettings
    from vggcompare.gui.window.tabs import COMPARE_TAB, DEMOS_TAB

    app = ensure_application([])
    window = MainWindow(WindowSettings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)), restore=False,
                        history=history)
    window.resize(1600, 1000)
    window.show()
    window.session.set_image(load_image(str(sample_path("cat"))))
    window.controls.set_config(base.replace(image=None))
    _spin(app, lambda: len(window.history_panel.entries()) == len(runs))
    window.session.compare(saved[0], saved[1], "seed 42", "seed 7")
    _spin(app, lambda: window.session.last_pair is not None)
    pictures = []
    for tab in (COMPARE_TAB, DEMOS_TAB):
        window.tabs.setCurrentIndex(tab)
        _spin(app, lambda: False, 0.5)
        pictures.append(window.grab().toImage())
    out = QImage(pictures[0].width(), sum(p.height() for p in pictures), QImage.Format.Format_RGB32)
    painter = QPainter(out)
    y = 0
    for picture in pictures:
        painter.drawImage(0, y, picture)
        y += picture.height()
    painter.end()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out.save(args.out)
    window.close()
    from vggcompare.gui.session.engine_pool import shutdown_engines

    shutdown_engines()
    print(f"wrote {args.out}")


def _spin(app, done, at_least: float = 0.0) -> None:
    import time

    start = time.monotonic()
    while time.monotonic() - start < 60 and (not done() or time.monotonic() - start < at_least):
        app.processEvents()
        time.sleep(0.02)


if __name__ == "__main__":
    main()
