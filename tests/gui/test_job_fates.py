"""Every pair of job kinds, in both orders, in one window: each job ends exactly once, and nothing stays stale.

Job kinds: a run, a demonstration, a repeat, a model check, a reproduction and a sweep. Each job
waits 0.3 s in the engine before its real work (tests/fake_jobs.py ``delayed``), so the second job
always arrives while the first is going. The window asks before a run pauses a sweep; here the
answer is yes.
"""

from __future__ import annotations

import itertools
import re
import shutil

import pytest
from PySide6.QtWidgets import QMessageBox

import fake_jobs
from vggcompare.core.config import AugmentConfig
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.core.process.engine_process import Job
from vggcompare.gui.session import job_runner as jr
from vggcompare.gui.window.reproduce_actions import reproduce_shown

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000
RUNS = ("run", "demo", "repeat", "reproduce")  # what the Run panel shows: a new one replaces the one going
KINDS = (*RUNS, "check", "sweep")


def expected_fate(first: str, second: str) -> str:
    """What happens to the first job when the second arrives (the second always succeeds)."""
    if second in RUNS and first in (*RUNS, "sweep"):
        return "cancelled"  # a run replaces a run; a sweep is paused for a run (the user said yes)
    if first == second == "sweep":
        return "cancelled"  # a newer sweep replaces the older
    return "succeeded"  # a check never interrupts, and waits; a sweep waits for what is going


def start(window, kind: str, folder: str) -> None:
    if kind == "run":
        window.start_run()
    elif kind == "demo":
        window.start_preset("popular-2")
    elif kind == "repeat":
        window.repeat(False)
    elif kind == "reproduce":
        reproduce_shown(window)
    elif kind == "check":
        window.model_state.check(force=True)
    else:
        view = window.sweep_view.view
        view.folder.setText(folder)
        view.start()


def stale_texts(window) -> list[str]:
    """Texts that say something is going, read when nothing is."""
    w, found = window, []
    bar = w.run_panel.bar.text()
    if bar == "Starting…" or bar.startswith("Pass "):
        found.append(f"run bar: {bar}")
    for name, banner in (("results", w.results.banner), ("demo", w.tabs.preset_view.banner), ("compare", w.tabs.compare_view.banner)):
        for label in (banner.headline, banner.verdict):
            if label.isVisibleTo(banner) and ("…" in label.text() or "Running" in label.text()):
                found.append(f"{name} banner: {label.text()}")
    status = w.sweep_view.view.status.text()
    if status.startswith("Starting…") or re.match(r"\d+ of \d+ passes", status):
        found.append(f"sweep status: {status}")
    if "Preparing" in w.model_state.label.text() or "Waiting" in w.model_state.label.text():
        found.append(f"model line: {w.model_state.label.text()}")
    if w.run_panel.cancel.isEnabled() or w.cancel_action.isEnabled() or w.sweep_view.view.cancel_button.isEnabled():
        found.append("a Cancel button is still enabled")
    return found


def test_every_pair_of_job_kinds_ends_each_job_once_and_leaves_nothing_stale(qtbot, window, tiny_config, tmp_path, monkeypatch):
    monkeypatch.setenv("VGGCOMPARE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)  # load the model; pause the sweep
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("cat.jpg", "coffee.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    outcomes: dict = {}
    submitted: list = []
    real_submit = jr.JobRunner.submit

    def submit(self, job, settings, kind=jr.RUN):
        handle = real_submit(self, Job(fake_jobs.delayed, (job.function, job.args, job.kwargs, 0.3),
                                       keep_when_done=job.keep_when_done), settings, kind)
        outcomes[handle] = []
        for name in ("succeeded", "failed", "cancelled"):
            getattr(handle, name).connect(lambda *_a, h=handle, n=name: outcomes[h].append(n))
        submitted.append(handle)
        return handle

    monkeypatch.setattr(jr.JobRunner, "submit", submit)
    runner = window.session.runner
    window.model_state.enabled = True  # as once the window is shown and its plots are loaded
    window.tabs.setCurrentIndex(window.tabs.count() - 1)  # builds the Many images tab
    window.controls.set_config(tiny_config.replace(passes=2, augment=AugmentConfig(), dropout=None))
    everything_ended = lambda: all(not h.live for h in submitted) and runner.current is None and not runner._local  # noqa: E731

    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.start_run()  # a run to repeat and reproduce
    qtbot.waitUntil(everything_ended, timeout=TIMEOUT_MS)
    problems = []
    for first, second in itertools.product(KINDS, KINDS):
        submitted.clear()
        start(window, first, str(folder))
        [a] = submitted
        qtbot.waitUntil(lambda: bool(outcomes[a]) or runner.current is not None and runner.current.handle is a, timeout=TIMEOUT_MS)
        start(window, second, str(folder))
        b = submitted[1]
        qtbot.waitUntil(everything_ended, timeout=TIMEOUT_MS)
        qtbot.wait(50)  # queued signals of the views (file jobs' results) are delivered
        for handle in submitted:
            if len(outcomes[handle]) != 1:
                problems.append(f"{first} then {second}: a {handle.kind} job ended {outcomes[handle]}")
        if outcomes[a] != [expected_fate(first, second)] or outcomes[b] != ["succeeded"]:
            problems.append(f"{first} then {second}: {outcomes[a]} and {outcomes[b]}")
        problems += [f"{first} then {second}: {text}" for text in stale_texts(window)]
    assert not problems, "\n".join(problems)
