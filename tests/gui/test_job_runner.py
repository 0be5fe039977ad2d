"""The window's job runner: one engine job at a time, replacements, immediate cancel, dead and stuck engines, file jobs."""

from __future__ import annotations

import pytest

from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.run.engine_process import EngineDied, Job
from vggcompare.gui.session import job_runner as jr
from vggcompare.gui.session.engine_pool import engine_pool

pytestmark = pytest.mark.gui
SETTINGS = EngineSettings()


class Recorder:
    """Collects what a JobRunner says, as (signal, job id, payload) tuples."""

    def __init__(self, runner) -> None:
        self.events: list[tuple] = []
        runner.progress.connect(lambda i, p: self.events.append(("progress", i, p)))
        runner.succeeded.connect(lambda i, v: self.events.append(("succeeded", i, v)))
        runner.failed.connect(lambda i, e, _d: self.events.append(("failed", i, e)))
        runner.cancelled.connect(lambda i: self.events.append(("cancelled", i)))
        runner.busy_changed.connect(lambda b: self.events.append(("busy", b)))

    def of(self, job_id: int) -> list[str]:
        return [e[0] for e in self.events if len(e) > 1 and e[1] == job_id and e[0] != "progress"]


@pytest.fixture
def runner(qtbot):
    r = jr.JobRunner()
    yield r
    r.cancel()
    qtbot.waitUntil(lambda: r.current is None, timeout=30_000)
    r.shutdown()


def test_a_job_reports_progress_then_its_outcome_and_busy_brackets_it(qtbot, runner):
    seen = Recorder(runner)
    with qtbot.waitSignal(runner.succeeded, timeout=30_000):
        job = runner.submit(Job("fake_jobs:count", (3,)), SETTINGS)
    assert [e for e in seen.events if e[0] == "progress"] == [("progress", job, 1), ("progress", job, 2), ("progress", job, 3)]
    assert seen.events[0] == ("busy", True) and seen.events[-2:] == [("succeeded", job, 6), ("busy", False)]


def test_a_new_run_replaces_the_one_in_progress(qtbot, runner):
    seen = Recorder(runner)
    first = runner.submit(Job("fake_jobs:endless"), SETTINGS)
    qtbot.waitUntil(lambda: any(e[0] == "progress" for e in seen.events), timeout=30_000)
    with qtbot.waitSignal(runner.succeeded, timeout=30_000) as blocker:
        second = runner.submit(Job("fake_jobs:count", (2,)), SETTINGS)
    assert blocker.args == [second, 3]
    assert seen.of(first) == ["cancelled"] and seen.of(second) == ["succeeded"]


def test_cancel_is_reported_at_once_and_the_engine_stays_warm(qtbot, runner):
    seen = Recorder(runner)
    job = runner.submit(Job("fake_jobs:endless"), SETTINGS)
    qtbot.waitUntil(lambda: any(e[0] == "progress" for e in seen.events), timeout=30_000)
    engine = runner.pool.engine
    runner.cancel()
    assert seen.of(job) == ["cancelled"] and not runner.busy  # said before the engine has even answered
    with qtbot.waitSignal(runner.succeeded, timeout=30_000):
        runner.submit(Job("fake_jobs:count", (1,)), SETTINGS)
    assert runner.pool.engine is engine and engine.alive


def test_a_model_check_waits_for_the_run_and_never_cancels_it(qtbot, runner):
    seen = Recorder(runner)
    run = runner.submit(Job("fake_jobs:count", (20, 0.01)), SETTINGS)
    check = runner.submit(Job("fake_jobs:plain", ("ready",)), SETTINGS, jr.CHECK)
    qtbot.waitUntil(lambda: seen.of(check) == ["succeeded"], timeout=30_000)
    assert seen.of(run) == ["succeeded"]
    assert [e[1] for e in seen.events if e[0] == "succeeded"] == [run, check]


def test_a_killed_engine_fails_the_job_in_one_sentence_and_the_next_job_gets_a_new_engine(qtbot, runner):
    with qtbot.waitSignal(runner.failed, timeout=30_000) as blocker:
        runner.submit(Job("fake_jobs:killed"), SETTINGS)
    assert isinstance(blocker.args[1], EngineDied) and "SIGKILL" in str(blocker.args[1])
    starts = engine_pool().starts
    with qtbot.waitSignal(runner.succeeded, timeout=30_000):
        runner.submit(Job("fake_jobs:count", (1,)), SETTINGS)
    assert engine_pool().starts == starts + 1


def test_an_engine_stuck_after_a_cancel_is_killed_and_the_queue_moves_on(qtbot, runner, monkeypatch):
    monkeypatch.setattr(jr, "CANCEL_GRACE_S", 0.5)
    seen = Recorder(runner)
    stuck = runner.submit(Job("fake_jobs:ignores_cancel"), SETTINGS)
    qtbot.waitUntil(lambda: any(e[0] == "progress" for e in seen.events), timeout=30_000)
    with qtbot.waitSignal(runner.succeeded, timeout=30_000) as blocker:
        runner.cancel()
        after = runner.submit(Job("fake_jobs:count", (1,)), SETTINGS)
    assert blocker.args == [after, 1] and seen.of(stuck) == ["cancelled"]


def test_new_start_settings_start_a_new_engine(qtbot, runner):
    with qtbot.waitSignal(runner.succeeded, timeout=30_000) as blocker:
        runner.submit(Job("fake_jobs:environment", ("TF_ENABLE_ONEDNN_OPTS",)), EngineSettings(kernels="onednn"))
    assert blocker.args[1] == "1" and runner.pool.engine.settings.kernels == "onednn"


def test_file_jobs_run_on_a_thread_with_progress_and_cancel(qtbot, runner):
    import threading

    gate = threading.Event()

    def slow(progress=None, cancel=None):
        progress(1, 2)
        gate.wait(10)
        return "cancelled" if cancel() else "done"

    seen = Recorder(runner)
    with qtbot.waitSignal(runner.succeeded, timeout=10_000) as blocker:
        job, stop = runner.run_local(slow)
        stop.set()
        gate.set()
    assert blocker.args == [job, "cancelled"] and ("progress", job, (1, 2)) in seen.events
    assert not runner.busy  # file jobs never make the window busy
