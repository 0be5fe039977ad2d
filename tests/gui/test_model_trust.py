"""The window's model chooser: a SavedModel folder and a tf_keras-read .h5 need the user's trust, asked in a dialog."""

from __future__ import annotations

import pytest

from vggcompare.gui.controls.model import CUSTOM, ModelControls, trust_question

pytestmark = pytest.mark.gui


def _saved_model_folder(tmp_path):
    folder = tmp_path / "exported"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"")  # what makes a folder a SavedModel; nothing of it is read here
    return str(folder)


def _controls(qtbot, answers):
    controls = ModelControls()
    qtbot.addWidget(controls)
    asked = []
    controls.confirm_trust = lambda _parent, name, form: asked.append((name, form)) or answers.pop(0)
    controls.choice.setCurrentIndex(CUSTOM)
    return controls, asked


def test_a_saved_model_folder_runs_only_after_the_user_says_they_trust_it(qtbot, tmp_path, tiny_config):
    controls, asked = _controls(qtbot, [False, True])
    folder = _saved_model_folder(tmp_path)
    controls.model_file.set_path(folder)
    assert "runs only if you trust it" in controls.problem() and controls.trust.isVisibleTo(controls)
    controls.ask_for_trust()  # the user says no
    assert asked == [("exported", "a SavedModel folder")] and controls.problem() is not None
    assert controls.apply_to(tiny_config).trust_model is False
    controls.trust.click()  # and then yes
    assert controls.problem() is None
    config = controls.apply_to(tiny_config)
    assert config.model == folder and config.trust_model is True and config.h5_reader == "keras"
    assert "trust_model" not in config.to_dict()  # the trust is not saved with the settings: the window asks again
    assert "no safe mode" in trust_question("exported", "a SavedModel folder")


def test_reading_an_h5_with_tf_keras_asks_for_trust_and_goes_into_the_configuration(qtbot, tmp_path, tiny_config):
    controls, asked = _controls(qtbot, [True])
    path = tmp_path / "old.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n")
    controls.model_file.set_path(str(path))
    assert controls.keras2.isVisibleTo(controls) and controls.problem() is None  # Keras 3 reads it in safe mode
    controls.keras2.click()
    assert asked == [("old.h5", "an .h5 file read by tf_keras (Keras 2)")]
    config = controls.apply_to(tiny_config)
    assert config.h5_reader == "tf-keras" and config.trust_model is True
    other = ModelControls()
    qtbot.addWidget(other)
    other.set_from(config.replace(trust_model=False))
    assert other.keras2.isChecked() and other.problem() is not None  # another window's choice asks again
