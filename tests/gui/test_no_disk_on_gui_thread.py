"""A scripted session (open, run, compare, rename, delete, undo, sweep, export, save a figure, choose a batch-neighbours folder) opens no file on the GUI thread.

``open`` (builtins and io), ``os.open`` and ``sqlite3.connect`` fail on the GUI thread for the whole
session and record who asked; file jobs on their threads are unaffected. Shared memory in /dev/shm
(multiprocessing's, when the engine process starts) and pipes opened by descriptor are not a disk
and are let through.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
import sqlite3
import threading
import traceback

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog

from vggcompare.core.config import AugmentConfig
from vggcompare.core.resources import sample_path, sweep_samples_folder
from vggcompare.gui.window import figure_menu as context
from vggcompare.gui.window import exports

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


@pytest.fixture
def gui_thread_io(monkeypatch):
    """``start()`` makes file opening fail on the GUI thread from then on; returns the list of refused attempts."""
    refused = []

    def guarded(name, real):
        def call(*args, **kwargs):
            target = args[0] if args else kwargs.get("file", kwargs.get("database"))
            if threading.current_thread() is threading.main_thread() and not isinstance(target, int) \
                    and not str(target).startswith("/dev/shm/"):
                refused.append((name, repr(args[:1]), "".join(traceback.format_stack(limit=6)[:-1])))
                raise OSError(f"{name} on the GUI thread")
            return real(*args, **kwargs)
        return call

    def start() -> list:
        for module, name in ((builtins, "open"), (io, "open"), (os, "open"), (sqlite3, "connect")):
            monkeypatch.setattr(module, name, guarded(f"{module.__name__}.{name}", getattr(module, name)))
        return refused

    return start


def saved(window, path) -> bool:
    return window.statusBar().currentMessage() == f"Saved {path}"


def test_a_scripted_session_opens_no_file_on_the_gui_thread(qtbot, window, tiny_config, tmp_path, monkeypatch, gui_thread_io):
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(sweep_samples_folder() / "cat.jpg", folder / "cat.jpg")
    w = window
    refused = gui_thread_io()
    w.session.failed.connect(lambda title, exc, _details: refused.append(("a job failed", title, str(exc))))
    with qtbot.waitSignal(w.session.image_changed, timeout=10_000):  # open
        w.load_image(str(sample_path("coffee")))
    w.controls.set_config(tiny_config.replace(passes=3, augment=AugmentConfig(), dropout=None))
    for _ in range(2):  # run, twice
        with qtbot.waitSignal(w.session.entry_saved, timeout=TIMEOUT_MS):
            w.start_run()
    panel = w.history_panel
    a, b = panel.entries()[:2]
    with qtbot.waitSignal(w.session.comparison_ready, timeout=10_000):  # compare
        panel.compare_requested.emit(b, a)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("renamed run", True))
    panel.table.selectRow(panel.model.rows.index(a))
    with qtbot.waitSignal(panel.files.renamed, timeout=10_000):  # rename
        panel.rename_button.click()
    with qtbot.waitSignal(panel.files.deleted, timeout=10_000):  # delete
        panel.delete_button.click()
    with qtbot.waitSignal(panel.files.restored, timeout=10_000):  # undo
        panel.undo_button.click()
    w.tabs.setCurrentIndex(w.tabs.count() - 1)
    view = w.sweep_view.view
    view.folder.setText(str(folder))
    view.preset.setCurrentIndex(view.preset.findData("pitfalls"))
    with qtbot.waitSignal(view.sweeps.finished, timeout=TIMEOUT_MS):  # sweep
        view.run_button.click()
    qtbot.waitUntil(lambda: view.rows.rowCount() > 0, timeout=10_000)
    with qtbot.waitSignal(w.session.comparison_ready, timeout=TIMEOUT_MS):  # a sweep row's two runs
        view.rows.cellDoubleClicked.emit(0, 0)
    with qtbot.waitSignal(view.sweeps.flips_ready, timeout=10_000):  # a bar's flipped images, with their thumbnails
        view.chart.bar_clicked.emit(view.chart.summary["variants"][0]["variant"])
    for kind, name in (("pdf", "run.pdf"), ("csv", "stats.csv"), ("png", "top5.png"), ("figure", "spread.svg")):  # export
        path = tmp_path / name
        monkeypatch.setattr(exports, "ask_save_path", lambda *_a, p=path: str(p))
        monkeypatch.setattr(context, "ask_figure_path", lambda _parent, _kind, p=path: (str(p), 1))
        if kind == "figure":  # right-click → Save figure as… (Export → Figure calls the same)
            w.exports.figures.save("variance")
        elif kind == "pdf":
            w.exports.export_pdf("run")
        elif kind == "csv":
            w.exports.export_data("csv-stats")
        else:
            w.exports.save_png(w.results.top5, "Top-5", 1)
        qtbot.waitUntil(lambda p=path: saved(w, p), timeout=30_000)
        assert path.stat().st_size > 0
    calls = w.controls.call_settings  # batch neighbours: a folder chosen in the dialog is checked by a file job
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(folder))
    index = calls.neighbours.findData("folder")
    calls.neighbours.setCurrentIndex(index)
    calls.neighbours.activated.emit(index)
    qtbot.waitUntil(lambda: calls.checked is not None, timeout=10_000)
    assert w.controls.config(None).batch_neighbours == str(folder)
    assert not refused, "\n\n".join(f"{what}({arg}) from\n{where}" for what, arg, where in refused)
