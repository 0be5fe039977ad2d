"""Jobs of the window that must neither get stuck nor vanish, each tested as a user would meet it."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QMessageBox

import fake_jobs
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.process.engine_process import Job
from vggcompare.core.storage.history import History
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.gui.session import job_runner as jr

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


def delay_jobs(monkeypatch, seconds: float, only: str = "") -> None:
    """Every engine job whose target contains ``only`` waits ``seconds`` (reporting progress) before its real work."""
    real = jr.JobRunner.submit

    def submit(self, job, settings, *args):
        if only in job.target:
            job = Job(fake_jobs.delayed, (job.function, job.args, job.kwargs, seconds), keep_when_done=job.keep_when_done)
        return real(self, job, settings, *args)

    monkeypatch.setattr(jr.JobRunner, "submit", submit)


def menu_action(window, text: str):
    return next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == text)


def answer(monkeypatch, yes: bool) -> list:
    asked = []
    button = QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2] if len(a) > 2 else "") or button)
    return asked


@pytest.fixture
def sweep_ready(window, tiny_config, tmp_path, monkeypatch):
    """The window with the tiny model set, its Many images tab open on a folder of two photos; returns the tab's view."""
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("cat.jpg", "coffee.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    window.controls.set_config(tiny_config.replace(passes=2, augment=AugmentConfig(), dropout=None))
    window.tabs.setCurrentIndex(window.tabs.count() - 1)
    view = window.sweep_view.view
    view.folder.setText(str(folder))
    view.preset.setCurrentIndex(view.preset.findData("pitfalls"))
    return view


def test_cancelling_a_reproduction_leaves_no_banner_or_bar_saying_it_runs(qtbot, window, tiny_config, monkeypatch):
    answer(monkeypatch, yes=True)  # load the result's model file
    window.controls.set_config(tiny_config.replace(passes=2))
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.start_run()
    delay_jobs(monkeypatch, 60)
    menu_action(window, "Reproduce on this machine").trigger()
    qtbot.waitUntil(lambda: "Waiting in the test" in window.run_panel.bar.text(), timeout=TIMEOUT_MS)
    assert window.run_panel.cancel.isEnabled()
    window.cancel_action.trigger()
    qtbot.waitUntil(lambda: not window.run_panel.cancel.isEnabled(), timeout=10_000)
    assert window.run_panel.bar.text() == "Cancelled"
    assert "Reproducing" not in window.results.banner.headline.text()


def test_a_sweep_leaves_the_run_panel_alone(qtbot, window, sweep_ready):
    bar = window.run_panel.bar.text()
    seen = []
    sweep_ready.sweeps.progress.connect(lambda _r: seen.append((window.run_panel.bar.text(), window.run_panel.cancel.isEnabled())))
    with qtbot.waitSignal(sweep_ready.sweeps.finished, timeout=TIMEOUT_MS):
        sweep_ready.run_button.click()
    assert seen and set(seen) == {(bar, False)}
    assert window.run_panel.bar.text() == bar and not window.run_panel.cancel.isEnabled()


def test_run_during_a_sweep_asks_first_and_never_cancels_it_silently(qtbot, window, sweep_ready, monkeypatch):
    delay_jobs(monkeypatch, 60, only="sweep")
    sweeps = sweep_ready.sweeps
    sweep_ready.run_button.click()
    qtbot.waitUntil(lambda: "Waiting in the test" in sweep_ready.status.text(), timeout=TIMEOUT_MS)
    asked = answer(monkeypatch, yes=False)
    window.start_run()
    assert len(asked) == 1 and "Pause" in asked[0] and sweeps.running and not window.session.busy
    menu_action(window, "Numerics").trigger()  # a demonstration asks too
    assert len(asked) == 2 and sweeps.running and not window.session.busy
    answer(monkeypatch, yes=True)
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.start_run()
    assert not sweeps.running and "Paused" in sweep_ready.status.text()
    sweep_ready.run_button.click()  # resumes from its table
    qtbot.waitUntil(lambda: "Waiting in the test" in sweep_ready.status.text(), timeout=TIMEOUT_MS)
    assert sweeps.running
    sweep_ready.cancel_button.click()
    assert not sweeps.running and "Cancelled" in sweep_ready.status.text()


def test_the_sweeps_cancel_cancels_the_sweep_and_never_a_run(qtbot, window, sweep_ready, monkeypatch):
    delay_jobs(monkeypatch, 2, only="run_and_save")
    cancelled = []
    window.session.cancelled.connect(lambda: cancelled.append(True))
    window.start_run()
    qtbot.waitUntil(lambda: "Waiting in the test" in window.run_panel.bar.text(), timeout=TIMEOUT_MS)
    sweep_ready.run_button.click()  # it waits for the run
    with qtbot.waitSignal(window.session.result_ready, timeout=60_000):
        sweep_ready.cancel_button.click()
    assert not cancelled and "Cancelled" in sweep_ready.status.text()


def test_a_model_check_asked_while_a_run_waits_is_not_lost(qtbot, window, tiny_config, monkeypatch):
    window.controls.set_config(tiny_config.replace(passes=2))
    delay_jobs(monkeypatch, 1)
    window.model_state.enabled = True  # as once the window is shown
    window.model_state.check(force=True)  # runs in the engine
    window.start_run()  # waits for the check
    window.model_state.check(force=True)  # a second check while a run waits must not be dropped
    window.cancel_run()
    qtbot.waitUntil(lambda: window.model_state.label.text().startswith("Model ready"), timeout=60_000)


def test_the_demonstrations_need_an_image_as_run_does(qtbot, settings, tmp_path):
    from vggcompare.gui.window.main_window import MainWindow

    window = MainWindow(settings, restore=False, history=History(tmp_path / "history"))
    qtbot.addWidget(window)
    demos = next(m.menu() for m in window.menuBar().actions() if m.text() == "&Demos")
    assert demos.actions() and not any(a.isEnabled() for a in demos.actions()) and not window.run_action.isEnabled()
    with pytest.raises(ConfigError, match="open an image first"):
        window.session.run_preset("popular-2", ExperimentConfig(passes=2))
    window.close()
