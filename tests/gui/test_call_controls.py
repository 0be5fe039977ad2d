"""The window's call group: the training part (which layers training=True switches) and the batch-neighbours folder,
chosen in a folder dialog and checked off the GUI thread before a run may use it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from vggcompare.core.analysis.records import ImageFacts
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.render.report.blocks import settings_pairs

pytestmark = pytest.mark.gui
PARTS = {"all": "Everything (BatchNorm, Dropout, augmentation)", "batchnorm": "BatchNorm's batch statistics only",
         "dropout": "Dropout only", "augmentation": "Augmentation layers only"}


def photos(folder, count: int = 3):
    """``count`` small generated images in ``folder``; returns the folder."""
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    for k in range(count):
        Image.fromarray(rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)).save(folder / f"photo{k}.png")
    return folder


def dialog_gives(monkeypatch, answer: str) -> list:
    """Make the folder dialog answer ``answer`` ('' is Cancel); returns the list of its calls."""
    calls = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: calls.append(args) or answer)
    return calls


def pick(combo, value) -> None:
    """Choose ``value`` in ``combo`` as a user does (the choice changes, then ``activated``)."""
    index = combo.findData(value)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def settled(qtbot, window) -> str | None:
    """Wait for the folder check (a file job) to end; the controls' problem sentence, or None."""
    qtbot.waitUntil(lambda: window.controls.call_settings.checking is None, timeout=10_000)
    return window.controls.problem()


# ---- the training part -----------------------------------------------------------------------
def test_each_training_part_gives_its_config_and_says_so(window):
    controls, calls = window.controls, window.controls.call_settings
    assert [calls.part.itemText(i) for i in range(calls.part.count())] == list(PARTS.values())
    calls.training.setChecked(True)
    assert calls.part.isEnabled()
    for part, text in PARTS.items():
        calls.part.setCurrentIndex(calls.part.findData(part))
        cfg = controls.config(image="x.png")
        assert (cfg.training_mode, cfg.training_part) == (True, part)
        assert ExperimentConfig.from_dict(cfg.to_dict()).training_part == part  # what settings and result files keep
        call = dict(settings_pairs(SimpleNamespace(config=cfg, image=ImageFacts())))["call"]  # the PDF report's settings
        only = {"batchnorm": "BatchNorm only", "dropout": "Dropout only", "augmentation": "augmentation layers only"}.get(part)
        assert call == "compiled, training=True" + (f" ({only})" if only else "")
        assert (f"training mode, {only}" if only else "training mode") in cfg.summary()  # the banner's and history's line
    tips = [calls.part.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(calls.part.count())]
    assert "moving averages" in tips[0] and "Dropout and the augmentation layers stay off" in tips[1] and "BatchNorm keeps" in tips[2]
    assert "each pass with its own random transform" in tips[3]

def test_the_training_part_is_disabled_without_training_mode_with_the_reason(window):
    calls = window.controls.call_settings
    assert not calls.training.isChecked() and not calls.part.isEnabled()
    assert calls.part.toolTip().startswith("Not available: A training part (batchnorm, dropout or augmentation) needs training mode")
    calls.training.setChecked(True)
    calls.part.setCurrentIndex(calls.part.findData("dropout"))
    assert not calls.part.toolTip().startswith("Not available")
    calls.training.setChecked(False)  # the part goes back to everything: no part without training mode
    assert not calls.part.isEnabled() and calls.part.currentData() == "all"
    cfg = window.controls.config(image="x.png")
    assert (cfg.training_mode, cfg.training_part) == (False, "all")


def test_a_config_with_a_training_part_sets_the_combo_and_is_remembered(window, settings):
    calls = window.controls.call_settings
    window.controls.set_config(ExperimentConfig(training_mode=True, training_part="batchnorm", call="eager"))
    assert calls.part.isEnabled() and calls.part.currentData() == "batchnorm"
    assert calls.part.currentText() == "BatchNorm's batch statistics only"
    settings.set_config(window.controls.config())
    assert settings.config().training_part == "batchnorm"  # the window's settings keep it between sessions
    window.controls.set_config(ExperimentConfig())
    assert calls.part.currentData() == "all" and not calls.part.isEnabled()


# ---- the batch-neighbours folder ---------------------------------------------------------------
def test_a_folder_chosen_in_the_dialog_becomes_the_config_after_its_check(qtbot, window, tmp_path, monkeypatch):
    folder = photos(tmp_path / "neighbours")
    asked = dialog_gives(monkeypatch, str(folder))
    calls = window.controls.call_settings
    pick(calls.neighbours, "folder")  # "a folder…" with no folder yet opens the dialog
    assert len(asked) == 1 and calls.folder.text() == str(folder)
    assert settled(qtbot, window) is None
    assert window.controls.config(image="x.png").batch_neighbours == str(folder)
    assert window.run_panel.run.isEnabled()


@pytest.mark.parametrize("content", ["empty", "unreadable", "not images"])
def test_a_folder_without_a_readable_image_is_refused_in_one_sentence(qtbot, window, tmp_path, monkeypatch, content):
    folder = tmp_path / "bad"
    folder.mkdir()
    if content == "unreadable":
        (folder / "a.jpg").write_bytes(b"not a jpeg")
        (folder / "b.png").write_bytes(b"")
    elif content == "not images":
        (folder / "notes.txt").write_text("hello")
    dialog_gives(monkeypatch, str(folder))
    calls = window.controls.call_settings
    pick(calls.neighbours, "folder")
    problem = settled(qtbot, window)
    assert problem is not None and str(folder) in problem and problem.count(". ") == 0 and problem.endswith(".")
    assert ("holds no image files" if content != "unreadable" else "can be read") in problem
    with pytest.raises(ConfigError):
        window.controls.config(image="x.png")
    assert not window.run_panel.run.isEnabled()
    submitted = []
    monkeypatch.setattr(window.session, "run", submitted.append)
    window.start_run()  # Run (or its shortcut) starts nothing
    assert not submitted and window.isVisible()


def test_cancel_in_the_dialog_keeps_the_previous_choice(qtbot, window, tmp_path, monkeypatch):
    calls = window.controls.call_settings
    pick(calls.neighbours, "samples")
    dialog_gives(monkeypatch, "")  # Cancel
    pick(calls.neighbours, "folder")
    assert calls.neighbours.currentData() == "samples" and calls.folder.text() == ""
    assert window.controls.config(image="x.png").batch_neighbours == "samples"
    good = photos(tmp_path / "good")
    dialog_gives(monkeypatch, str(good))
    pick(calls.neighbours, "folder")
    assert settled(qtbot, window) is None
    dialog_gives(monkeypatch, "")  # Browse… again, then Cancel: the folder stays
    calls.browse.click()
    assert calls.folder.text() == str(good) and settled(qtbot, window) is None
    assert window.controls.config(image="x.png").batch_neighbours == str(good)


def test_a_folder_from_a_loaded_config_is_checked_too(qtbot, window, tmp_path):
    calls = window.controls.call_settings
    window.controls.set_config(ExperimentConfig(batch_neighbours=str(tmp_path / "gone")))  # e.g. a result from another machine
    assert calls.neighbours.currentData() == "folder" and calls.folder.text() == str(tmp_path / "gone")
    problem = settled(qtbot, window)
    assert problem is not None and "does not exist" in problem
    calls.folder.setText(str(photos(tmp_path / "here")))  # typed: checked again
    assert settled(qtbot, window) is None
    calls.folder.setText("")
    assert "choose the batch-neighbours folder" in window.controls.problem().lower()
