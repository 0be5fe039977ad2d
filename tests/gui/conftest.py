"""Fixtures for the window tests: offscreen Qt, the shared tiny Keras model, isolated settings, leak checks."""

from __future__ import annotations

import gc
import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest
from PySide6.QtCore import QEvent, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication

from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.resources import sample_path
from vggcompare.gui.session.engine_pool import shutdown_engines


@pytest.fixture(scope="session")
def gui_model(tiny_models) -> dict[str, str]:
    """The shared tiny classifier with dropout, as the window tests use it: readable labels, and a
    labels file that does not match it."""
    return {"model": tiny_models["dropout"], "labels": tiny_models["names"], "bad_labels": tiny_models["bad_labels"]}


@pytest.fixture
def open_image(qtbot):
    """``open_image(window, path)`` asks the window to open an image file and waits until the session has it."""

    def load(window, path) -> None:
        with qtbot.waitSignal(window.session.image_changed, timeout=10_000):
            assert window.load_image(str(path))

    return load


@pytest.fixture
def tiny_config(gui_model) -> ExperimentConfig:
    """A run on the tiny model whose passes differ: seeded once, augmentation and dropout on."""
    return ExperimentConfig(
        image=str(sample_path("cat")), model=gui_model["model"], labels=gui_model["labels"], passes=12,
        seeding="once", seed=5, augment=AugmentConfig(enabled=True), dropout=0.5,
    )


@pytest.fixture
def settings(tmp_path):
    """Window settings on a temporary file, so tests never touch the user's settings."""
    from vggcompare.gui.common.settings import WindowSettings

    return WindowSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, settings, tmp_path):
    """The main window, shown offscreen, with the cat sample loaded."""
    from vggcompare.gui.window.main_window import MainWindow

    from vggcompare.core.storage.history import History

    win = MainWindow(settings, restore=False, history=History(tmp_path / "history"))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.session.image_changed, timeout=10_000):
        assert win.load_image(str(sample_path("cat")))
    win.show()
    return win


def _flush_deletes(app: QApplication) -> None:
    for _ in range(3):
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    gc.collect()


@pytest.fixture(autouse=True)
def no_leaked_widgets(request, qapp):
    """Fail a test that leaves top-level widgets (or worker threads) behind."""
    _flush_deletes(qapp)
    before = len(qapp.topLevelWidgets())
    failed_before = request.session.testsfailed
    yield
    QThreadPool.globalInstance().waitForDone(30_000)
    _flush_deletes(qapp)
    if request.session.testsfailed > failed_before:
        return
    after = qapp.topLevelWidgets()
    assert len(after) <= before, f"top-level widgets left behind: {[(type(w).__name__, w.objectName()) for w in after]}"
    assert QThreadPool.globalInstance().activeThreadCount() == 0, "a worker thread is still running"
    assert not [t for t in threading.enumerate() if t.name == "vggcompare-file-job"], "a file job is still running"


@pytest.fixture(scope="session", autouse=True)
def stop_the_engine_at_the_end():
    """The engine process is shared by every window of the test session; stop it at the end."""
    yield
    shutdown_engines()
