"""Fixtures for the window tests: offscreen Qt, a tiny Keras model, isolated settings, leak checks."""

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
from vggcompare.gui.engine_pool import shutdown_engines

LABELS = ["tabby cat", "Egyptian cat", "tiger cat", "lynx", "coffee mug",
          "espresso", "space shuttle", "astronaut", "golden retriever", "broccoli"]


@pytest.fixture(scope="session")
def gui_model(tmp_path_factory) -> dict[str, str]:
    """A tiny classifier with dropout (32×32 input, 10 classes), its labels, and a mismatched labels file."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras
    from keras import layers

    keras.utils.set_random_seed(3)
    folder = tmp_path_factory.mktemp("gui-model")
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(16, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.save(folder / "tiny.keras")
    (folder / "labels.txt").write_text("\n".join(LABELS) + "\n", encoding="utf-8")
    (folder / "three.txt").write_text("a\nb\nc\n", encoding="utf-8")
    return {"model": str(folder / "tiny.keras"), "labels": str(folder / "labels.txt"), "bad_labels": str(folder / "three.txt")}


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
    from vggcompare.gui.settings import WindowSettings

    return WindowSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, settings, tmp_path):
    """The main window, shown offscreen, with the cat sample loaded."""
    from vggcompare.gui.main_window import MainWindow

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
