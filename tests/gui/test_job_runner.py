"""The window's job runner: handles, one engine job at a time, replacements, immediate cancel, dead and stuck engines, file jobs."""

from __future__ import annotations

import pytest

import fake_jobs
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_process import EngineDied, Job
from vggcompare.gui.session import job_runner as jr
from vggcompare.gui.session.engine_pool import engine_pool

pytestmark = pytest.mark.gui
SETTINGS = EngineSettings()


class Recorder:
    """Collects what the handles say, as (signal, handle, payload) tuples, and the runner's busy changes."""

    def __init__(self, runner) -> None:
        self.events: list[tuple] = []
        runner.busy_changed.connect(lambda b: self.events.append(("busy", b)))

    def watch(self, handle):
        handle.progress.connect(lambda p: self.events.append(("progress", handle, p)))
        handle.succeeded.connect(lambda v: self.events.append(("succeeded", handle, v)))
        handle.failed.connect(lambda e, _d: self.events.append(("failed", handle, e)))
        handle.cancelled.connect(lambda: self.events.append(("cancelled", handle)))
        return handle

    def of(self, handle) -> list[str]:
        return [e[0] for e in self.events if len(e) > 1 and e[1] is handle and e[0] != "progress"]


@pytest.fixture
def runner(qtbot):
    r = jr.JobRunner()
    yield r
    for kind in (jr.RUN, jr.CHECK, jr.SWEEP):
        r.cancel(kind)
    qtbot.waitUntil(lambda: r.current is None, timeout=30_000)
    r.shutdown()


def test_a_job_reports_progress_then_its_outcome_and_busy_brackets_it(qtbot, runner):
    seen = Recorder(runner)
    job = seen.watch(runner.submit(Job(fake_jobs.count, (3,)), SETTINGS))
    qtbot.waitUntil(lambda: not job.live, timeout=30_000)
    assert [e for e in seen.events if e[0] == "progress"] == [("progress", job, 1), ("progress", job, 2), ("progress", job, 3)]
    assert seen.events[0] == ("busy", True) and seen.events[-2:] == [("succeeded", job, 6), ("busy", False)]


def test_a_new_run_replaces_the_one_in_progress(qtbot, runner):
    seen = Recorder(runner)
    first = seen.watch(runner.submit(Job(fake_jobs.endless), SETTINGS))
    qtbot.waitUntil(lambda: any(e[0] == "progress" for e in seen.events), timeout=30_000)
    second = seen.watch(runner.submit(Job(fake_jobs.count, (2,)), SETTINGS))
    qtbot.waitUntil(lambda: not second.live, timeout=30_000)
    assert seen.of(first) == ["cancelled"] and seen.of(second) == ["succeeded"]
    assert ("succeeded", second, 3) in seen.events


def test_cancel_is_reported_at_once_and_the_engine_stays_warm(qtbot, runner):
    seen = Recorder(runner)
    job = seen.watch(runner.submit(Job(fake_jobs.endless), SETTINGS))
    qtbot.waitUntil(lambda: any(e[0] == "progress" for e in seen.events), timeout=30_000)
    engine = runner.pool.engine
    assert job.cancel()
    assert seen.of(job) == ["cancelled"] and not runner.busy  # said before the engine has even answered
    after = seen.watch(runner.submit(Job(fake_jobs.count, (1,)), SETTINGS))
    qtbot.waitUntil(lambda: not after.live, timeout=30_000)
    assert seen.of(after) == ["succeeded"] and runner.pool.engine is engine and engine.alive


def test_a_model_check_waits_for_the_run_and_never_cancels_it(qtbot, runner):
    seen = Recorder(runner)
    run = seen.watch(runner.submit(Job(fake_jobs.count, (20, 0.01)), SETTINGS))
    check = seen.watch(runner.submit(Job(fake_jobs.plain, ("ready",)), SETTINGS, jr.CHECK))
    qtbot.waitUntil(lambda: seen.of(check) == ["succeeded"], timeout=30_000)
    assert seen.of(run) == ["succeeded"]
    assert [e[1] for e in seen.events if e[0] == "succeeded"] == [run, check]


def test_a_check_submitted_while_a_run_is_queued_still_ends(qtbot, runner):
    """Old main dropped it: its id never completed, and "Preparing the model…" stayed."""
    seen = Recorder(runner)
    first_check = seen.watch(runner.submit(Job(fake_jobs.count, (10, 0.02)), SETTINGS, jr.CHECK))
    run = seen.watch(runner.submit(Job(fake_jobs.count, (2,)), SETTINGS))  # queued behind the check
    check = seen.watch(runner.submit(Job(fake_jobs.plain, ("ready",)), SETTINGS, jr.CHECK))
    qtbot.waitUntil(lambda: not check.live, timeout=30_000)
    assert (seen.of(first_check), seen.of(run), seen.of(check)) == (["succeeded"], ["succeeded"], ["succeeded"])


def test_a_newer_check_cancels_a_queued_older_one(qtbot, runner):
    seen = Recorder(runner)
    run = seen.watch(runner.submit(Job(fake_jobs.count, (10, 0.02)), SETTINGS))
    old = seen.watch(runner.submit(Job(fake_jobs.plain, ("old",)), SETTINGS, jr.CHECK))
    new = seen.watch(runner.submit(Job(fake_jobs.plain, ("new",)), SETTINGS, jr.CHECK))
    assert seen.of(old) == ["cancelled"]
    qtbot.waitUntil(lambda: not new.live, timeout=30_000)
    assert seen.of(run) == ["succeeded"] and seen.of(new) == ["succeeded"]


def test_a_run_never_cancels_a_sweep_and_each_cancel_is_its_own(qtbot, runner):
    seen = Recorder(runner)
    sweep = seen.watch(runner.submit(Job(fake_jobs.endless), SETTINGS, jr.SWEEP))
    qtbot.waitUntil(lambda: any(e[0] == "progress" for e in seen.events), timeout=30_000)
    assert not runner.busy  # a sweep is not a run: the Run panel stays idle
    run = seen.watch(runner.submit(Job(fake_jobs.count, (2,)), SETTINGS))
    assert sweep.live and run.live and runner.busy  # the run waits its turn
    assert run.cancel() and seen.of(run) == ["cancelled"] and sweep.live
    run = seen.watch(runner.submit(Job(fake_jobs.count, (2,)), SETTINGS))
    assert sweep.cancel() and seen.of(sweep) == ["cancelled"]
    qtbot.waitUntil(lambda: not run.live, timeout=30_000)
    assert seen.of(run) == ["succeeded"]


def test_a_killed_engine_fails_the_job_in_one_sentence_and_the_next_job_gets_a_new_engine(qtbot, runner):
    seen = Recorder(runner)
    job = seen.watch(runner.submit(Job(fake_jobs.killed), SETTINGS))
    qtbot.waitUntil(lambda: not job.live, timeout=30_000)
    error = [e[2] for e in seen.events if e[0] == "failed"][0]
    assert isinstance(error, EngineDied) and "SIGKILL" in str(error)
    starts = engine_pool().starts
    after = seen.watch(runner.submit(Job(fake_jobs.count, (1,)), SETTINGS))
    qtbot.waitUntil(lambda: not after.live, timeout=30_000)
    assert seen.of(after) == ["succeeded"] and engine_pool().starts == starts + 1


def test_an_engine_stuck_after_a_cancel_is_killed_and_the_queue_moves_on(qtbot, runner, monkeypatch):
    monkeypatch.setattr(jr, "CANCEL_GRACE_S", 0.5)
    seen = Recorder(runner)
    stuck = seen.watch(runner.submit(Job(fake_jobs.ignores_cancel), SETTINGS))
    qtbot.waitUntil(lambda: any(e[0] == "progress" for e in seen.events), timeout=30_000)
    stuck.cancel()
    after = seen.watch(runner.submit(Job(fake_jobs.count, (1,)), SETTINGS))
    qtbot.waitUntil(lambda: not after.live, timeout=30_000)
    assert ("succeeded", after, 1) in seen.events and seen.of(stuck) == ["cancelled"]


def test_new_start_settings_start_a_new_engine(qtbot, runner):
    seen = Recorder(runner)
    job = seen.watch(runner.submit(Job(fake_jobs.environment, ("TF_ENABLE_ONEDNN_OPTS",)), EngineSettings(kernels="onednn")))
    qtbot.waitUntil(lambda: not job.live, timeout=30_000)
    assert ("succeeded", job, "1") in seen.events and runner.pool.engine.settings.kernels == "onednn"


def test_file_jobs_run_on_a_thread_with_progress_and_cancel(qtbot, runner):
    import threading

    gate = threading.Event()

    def slow(progress=None, cancel=None):
        progress(1, 2)
        gate.wait(10)
        return "cancelled" if cancel() else "done"

    seen = Recorder(runner)
    job = seen.watch(runner.run_local(slow))
    job.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not job.live, timeout=10_000)
    assert seen.of(job) == ["succeeded"] and ("succeeded", job, "cancelled") in seen.events
    assert ("progress", job, (1, 2)) in seen.events
    assert not runner.busy  # file jobs never make the window busy
