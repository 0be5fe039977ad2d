"""Run an experiment offscreen and save a PNG of the whole window with its results."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import QApplication

from vggcompare.core.storage.history import History
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.analysis.result import RunResult

MIN_SIZE = (320, 240)
MAX_UPSCALE = 4.0  # small screenshots are laid out at most this much larger, then scaled down


def _settle(app: QApplication, rounds: int = 4) -> None:
    for _ in range(rounds):
        app.processEvents()
        app.sendPostedEvents()


def _wait_for_folder_check(app: QApplication, window, seconds: float = 30.0) -> None:
    """Let the check of a batch-neighbours folder (a file job) end, so the Run panel shows its outcome."""
    deadline = time.monotonic() + seconds
    while window.controls.call_settings.checking and time.monotonic() < deadline:
        _settle(app, 1)
        time.sleep(0.01)
    _settle(app)


def _scrolls(window) -> bool:
    area = window.results_area
    return area.verticalScrollBar().isVisible() or area.horizontalScrollBar().isVisible()


def _fitting_size(app: QApplication, window, width: int, height: int) -> QSize:
    """The smallest size with the aspect ratio of (width, height), at least that large, at which the
    results fit without scroll bars (so a small screenshot is a scaled-down full window)."""
    factor = 1.0
    while True:
        size = QSize(round(width * factor), round(height * factor))
        window.resize(size)
        _settle(app)
        if not _scrolls(window) or factor >= MAX_UPSCALE:
            return size
        factor *= 1.1


def check_present(present: str | None) -> None:
    """Raise ConfigError unless ``present`` is None, 'result' or a demonstration's name."""
    from vggcompare.core.studies.presets.registry import PRESETS

    if present is not None and present != "result" and present not in PRESETS:
        raise ConfigError(f"--present takes 'result' or a demonstration's name ({', '.join(PRESETS)}), not {present!r}")


def _presenter(app: QApplication, window, present: str, width: int, height: int):
    """Presenter mode over ``window`` at ``width`` × ``height``: the run (``present`` = 'result') or a
    demonstration's question (``present`` = its name; it is not run)."""
    from vggcompare.gui.present import present as enter
    from vggcompare.gui.present.deck import QUESTION, Step
    from vggcompare.gui.present.window import PresentWindow

    check_present(present)
    view = window.present_view = PresentWindow(window)
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.run_demonstrations = False
    enter(window, None if present == "result" else Step(QUESTION, present))
    view.showNormal()
    view.resize(width, height)
    _settle(app)
    return view


def render_window(result: RunResult, out: str | os.PathLike, size: tuple[int, int], image=None,
                  present: str | None = None) -> Path:
    """Lay the window out at ``size`` with ``result`` shown and save it as a PNG of exactly that size.

    When ``size`` is smaller than the window's minimum, the window is laid out larger (same aspect ratio)
    and the picture scaled down, so nothing overlaps. ``present`` ('result' or a demonstration's name)
    saves presenter mode instead, laid out at ``size`` itself.
    """
    from vggcompare.core.input.images import load_image
    from vggcompare.gui.common.application import ensure_application
    from vggcompare.gui.window.main_window import MainWindow
    from vggcompare.gui.common.settings import WindowSettings

    width, height = int(size[0]), int(size[1])
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        raise ConfigError(f"the screenshot size must be at least {MIN_SIZE[0]}x{MIN_SIZE[1]}, not {width}x{height}")
    app = ensure_application()
    with tempfile.TemporaryDirectory(prefix="vggcompare-shot-") as folder:
        store = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(WindowSettings(store), restore=False, history=History(Path(folder) / "history"))
        try:
            window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            window.controls.set_config(result.config)
            _wait_for_folder_check(app, window)
            c = result.config
            calls = c.call != "compiled" or c.training_mode or c.batch_neighbours != "none"
            window.controls.set_expanded_groups(["augmentation"] * c.augment.enabled + ["calls"] * calls)
            loaded = image if image is not None else (load_image(result.config.image) if result.config.image else None)
            if loaded is not None:
                window.image_panel.set_image(loaded)
            window.session.show_result(result)
            window.results.finish_drawing()
            window.show()
            _fitting_size(app, window, width, height)
            pixmap = (_presenter(app, window, present, width, height) if present else window).grab()
            if pixmap.size() != QSize(width, height):
                pixmap = pixmap.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
            target = Path(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not pixmap.save(str(target), "PNG"):
                raise OSError(f"cannot write the screenshot to {target}")
            return target
        finally:
            window.shutdown()
            window.close()
            window.deleteLater()
            _settle(app, 2)


def take_screenshot(
    config: ExperimentConfig,
    out: str | os.PathLike,
    size: tuple[int, int] = (1600, 1000),
    *,
    allow_download: bool = False,
    download_progress=None,
    present: str | None = None,
) -> Path:
    """Run ``config`` offscreen, fill the window with the result, and save a ``size`` PNG at ``out``.

    Creates a QApplication when none exists (offscreen without a display). Core errors propagate;
    missing ImageNet weights are downloaded only when ``allow_download`` is True. ``present``: see render_window.
    """
    from vggcompare.core.passes.engine import run_experiment
    from vggcompare.core.input.images import load_image
    from vggcompare.gui.common.application import ensure_application

    ensure_application()
    if not config.image:
        raise ConfigError("the screenshot needs an image")
    loaded = load_image(config.image)
    result = run_experiment(config, loaded, allow_download=allow_download, download_progress=download_progress)
    return render_window(result, out, size, image=loaded, present=present)
