"""Cancel, restart, close mid-run, and errors: the window always ends up working."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from vggcompare.core.resources import sample_path
from vggcompare.gui.controls.model import IMAGENET, IMAGENET_FILE, RANDOM
from vggcompare.gui.session.engine_pool import engine_pool
from vggcompare.gui.session.model_session import WEIGHTS_MISSING

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


def long_config(tiny_config):
    """A run of many small forward calls, slow enough to interrupt (a few seconds if not stopped)."""
    return tiny_config.replace(passes=3000, batch_size=1)


def start_and_wait_for_passes(qtbot, window, config):
    """Start a run and return once at least one chunk of passes has been reported."""
    seen = []
    window.session.progress.connect(lambda p: seen.append(p))
    window.controls.set_config(config)
    window.start_run()
    qtbot.waitUntil(lambda: any(p.stage == "passes" and p.done > 0 for p in seen), timeout=TIMEOUT_MS)
    return seen


def message_boxes(window):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_cancel_stops_the_run_and_the_window_still_runs(qtbot, window, tiny_config):
    succeeded = []
    window.session.result_ready.connect(succeeded.append)
    start_and_wait_for_passes(qtbot, window, long_config(tiny_config))
    assert window.run_panel.cancel.isEnabled()
    with qtbot.waitSignal(window.session.cancelled, timeout=TIMEOUT_MS):
        window.cancel_action.trigger()  # the Esc shortcut's action
    qtbot.waitUntil(lambda: not window.session.busy)
    assert not succeeded
    assert window.run_panel.bar.text() == "Cancelled"
    assert "cancelled" in window.results.banner.headline.text()
    assert not window.run_panel.cancel.isEnabled()
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.controls.set_config(tiny_config)
        window.run_action.trigger()  # the Ctrl+R shortcut's action
    assert len(succeeded) == 1 and succeeded[0].passes == 12


def test_a_new_run_cancels_the_old_one_first(qtbot, window, tiny_config):
    succeeded = []
    window.session.result_ready.connect(succeeded.append)
    start_and_wait_for_passes(qtbot, window, long_config(tiny_config))
    window.controls.set_config(tiny_config.replace(passes=7))
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.start_run()
    qtbot.waitUntil(lambda: not window.session.busy)
    assert [r.passes for r in succeeded] == [7]
    assert window.results.result.passes == 7


def test_closing_mid_run_is_clean(qtbot, window, tiny_config, capfd):
    start_and_wait_for_passes(qtbot, window, long_config(tiny_config))
    assert window.session.busy
    window.close()
    assert not window.session.busy
    QApplication.processEvents()
    err = capfd.readouterr().err
    assert "QThread" not in err and "Destroyed while thread" not in err


def test_quitting_the_application_mid_run_waits_for_the_worker(qtbot, window, tiny_config):
    start_and_wait_for_passes(qtbot, window, long_config(tiny_config))
    window.shutdown()  # what app.aboutToQuit calls
    assert not window.session.busy
    window.shutdown()  # safe twice


def test_an_engine_killed_mid_run_is_one_sentence_and_the_next_run_starts_a_new_engine(qtbot, window, tiny_config):
    import os
    import signal

    start_and_wait_for_passes(qtbot, window, long_config(tiny_config))
    engine = engine_pool().engine
    assert engine is not None and engine.pid != os.getpid()
    with qtbot.waitSignal(window.session.failed, timeout=TIMEOUT_MS) as blocker:
        os.kill(engine.pid, signal.SIGKILL)
    title, exc, _details = blocker.args
    assert title == "The run failed" and "was killed (SIGKILL)" in str(exc) and "new engine" in str(exc)
    qtbot.waitUntil(lambda: bool(message_boxes(window)))
    box = message_boxes(window)[0]
    assert "killed" in box.text()
    box.accept()
    assert not window.session.busy and window.run_panel.run.isEnabled()
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS) as blocker:
        window.controls.set_config(tiny_config)
        window.start_run()
    assert blocker.args[0].passes == 12 and engine_pool().engine.pid != engine.pid


def test_a_bad_image_shows_an_error_and_keeps_the_old_one(qtbot, window, tiny_config, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"this is not a picture")
    with qtbot.waitSignal(window.session.image_failed, timeout=10_000):
        window.load_image(str(bad))
    boxes = message_boxes(window)
    assert len(boxes) == 1
    box = boxes[0]
    assert "broken.png" in box.text() and "Traceback" not in box.text()
    assert box.detailedText()
    box.accept()
    assert window.image_panel.loaded.source == window.session.image.source == str(sample_path("cat"))
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.controls.set_config(tiny_config)
        window.start_run()


def test_an_error_in_the_worker_shows_a_dialog_with_details_folded(qtbot, window, tiny_config, gui_model):
    with qtbot.waitSignal(window.session.failed, timeout=TIMEOUT_MS):
        window.controls.set_config(tiny_config.replace(labels=gui_model["bad_labels"]))
        window.start_run()
    qtbot.waitUntil(lambda: bool(message_boxes(window)))
    box = message_boxes(window)[0]
    assert "3 names but the model has 10 classes" in box.text()
    assert "Traceback" not in box.text() and "Traceback" in box.detailedText()
    box.accept()
    assert window.run_panel.bar.text() == "Failed"
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.controls.set_config(tiny_config)
        window.start_run()


@pytest.fixture
def fresh_engine():
    """Stop the shared engine before and after the test, so environment changes reach a new one."""
    engine_pool().stop()
    yield
    engine_pool().stop()


def test_missing_weights_offer_three_ways_and_switch_nothing(qtbot, window, tmp_path, monkeypatch, fresh_engine):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # an empty cache: the weights are missing
    assert window.controls.model.choice.currentIndex() == IMAGENET
    with qtbot.waitSignal(window.session.model.state_changed, timeout=TIMEOUT_MS,
                          check_params_cb=lambda state, _s: state == WEIGHTS_MISSING):
        window.start_background_work()
    window.model_state.enabled = False  # keep the test from building VGG19 after the clicks below
    prompt = window.prompt
    assert prompt.isVisible() and "not in" in prompt.reason.text()
    assert "unavailable" in window.model_state.label.text()
    assert window.controls.model.choice.currentIndex() == IMAGENET  # nothing switched by itself
    assert {prompt.pick.isVisible(), prompt.download.isVisible(), prompt.random.isVisible()} == {True}
    assert "548 MB" in prompt.download.text()
    weights = tmp_path / "vgg19.h5"
    weights.write_bytes(b"x")
    monkeypatch.setattr("vggcompare.gui.image.weights_prompt.QFileDialog.getOpenFileName", lambda *a, **k: (str(weights), ""))
    prompt.pick.click()
    assert window.controls.model.choice.currentIndex() == IMAGENET_FILE
    assert window.controls.config().weights == str(weights)
    window.controls.model.choice.setCurrentIndex(IMAGENET)
    prompt.show_reason("test")
    prompt.random.click()
    assert window.controls.model.choice.currentIndex() == RANDOM
    assert window.controls.config().model == "vgg19-random"
    assert not prompt.isVisible()


def test_a_run_with_missing_weights_shows_the_prompt_not_a_crash(qtbot, window, tmp_path, monkeypatch, fresh_engine):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with qtbot.waitSignal(window.session.failed, timeout=TIMEOUT_MS):
        window.start_run()  # the default model: ImageNet VGG19
    assert window.prompt.isVisible()
    assert not message_boxes(window)


def test_downloading_the_weights_shows_progress_and_then_checks_the_model(qtbot, window, monkeypatch, tmp_path):
    target = tmp_path / "weights.h5"

    def fake_download(progress=None, cancel=None, **_kw):
        for done in (100, 300, 548):
            progress(done * 2**20, 548 * 2**20)
        target.write_bytes(b"w")
        return target

    monkeypatch.setattr("vggcompare.core.model.weights.download_weights", fake_download)
    checks = []
    monkeypatch.setattr(window.model_state, "check", lambda force=False: checks.append(force))
    prompt = window.prompt
    prompt.show_reason("The weights are not cached.")
    with qtbot.waitSignal(prompt.downloaded, timeout=10_000) as blocker:
        prompt.download.click()
    assert blocker.args == [str(target)]
    assert not prompt.isVisible() and prompt.download.isEnabled()
    assert checks == [True]  # the model is prepared again, now with the weights


def test_a_failed_download_says_why_in_the_prompt(qtbot, window, monkeypatch):
    from vggcompare.core.errors import WeightsUnavailableError

    def offline(progress=None, cancel=None, **_kw):
        raise WeightsUnavailableError("cannot download the weights: no connection to storage.googleapis.com")

    monkeypatch.setattr("vggcompare.core.model.weights.download_weights", offline)
    prompt = window.prompt
    prompt.show_reason("The weights are not cached.")
    with qtbot.waitSignal(window.session.model.download_finished, timeout=10_000):
        prompt.download.click()
    assert prompt.isVisible() and "The download failed." in prompt.reason.text()
    assert "no connection" in prompt.reason.text() and prompt.download.isEnabled()
