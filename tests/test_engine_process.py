"""The engine process: jobs run in a child process, report progress, cancel, fail and die cleanly."""

from __future__ import annotations

import os
import pickle

import pytest

import fake_jobs
from vggcompare.core.errors import ConfigError
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_process import CANCELLED, ERROR, PROGRESS, RESULT, EngineDied, EngineProcess, Job


@pytest.fixture(scope="module")
def engine():
    process = EngineProcess(EngineSettings())
    yield process
    process.stop()


def test_a_job_carries_its_function_and_crosses_the_pipe_by_its_name():
    job = Job(fake_jobs.count, (2,))
    assert job.function is fake_jobs.count and job.target == "fake_jobs:count"
    assert pickle.loads(pickle.dumps(job)).function is fake_jobs.count


def test_a_job_refuses_a_function_the_engine_could_not_import():
    def nested():
        yield 1

    for function in (nested, lambda: 1):
        with pytest.raises(ValueError, match="top level"):
            Job(function)


def run(engine, job_id, job):
    engine.submit(job_id, job)
    messages = []
    while not messages or messages[-1].kind == PROGRESS:
        messages.append(engine.receive())
    assert all(m.job_id == job_id for m in messages)
    return messages


def test_a_job_reports_each_yield_then_its_return_value(engine):
    messages = run(engine, 1, Job(fake_jobs.count, (4,)))
    assert [m.kind for m in messages] == [PROGRESS] * 4 + [RESULT]
    assert [m.payload for m in messages] == [1, 2, 3, 4, 10]


def test_a_plain_function_is_a_job_too(engine):
    assert run(engine, 2, Job(fake_jobs.plain, ({"a": [1, 2]},)))[-1].payload == {"a": [1, 2]}


def test_the_engine_is_another_process_that_imports_no_backend_until_a_job_needs_it(engine):
    assert engine.pid is not None and engine.alive
    assert run(engine, 3, Job(fake_jobs.backend_loaded))[-1].payload is False


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process niceness on this platform")
def test_the_engine_runs_at_a_lower_priority_than_the_window_so_the_gui_thread_gets_a_core_first(engine):
    from vggcompare.core.process.engine_job import ENGINE_NICENESS

    assert run(engine, 30, Job(os.nice, (0,)))[-1].payload == min(19, os.nice(0) + ENGINE_NICENESS)


def test_a_failure_arrives_as_the_exception_with_its_traceback_and_the_engine_lives_on(engine):
    last = run(engine, 4, Job(fake_jobs.fails, ("the seed must be a whole number",)))[-1]
    assert last.kind == ERROR and isinstance(last.payload, ConfigError)
    assert "whole number" in str(last.payload) and "Traceback" in last.details
    assert run(engine, 5, Job(fake_jobs.count, (2,)))[-1].payload == 3


def test_an_unpicklable_result_becomes_an_error_not_a_hang(engine):
    last = run(engine, 6, Job(fake_jobs.unpicklable))[-1]
    assert last.kind == ERROR and "could not send" in str(last.payload)


def test_cancel_stops_a_job_at_its_next_yield(engine):
    engine.submit(7, Job(fake_jobs.endless))
    assert engine.receive().kind == PROGRESS
    engine.cancel(7)
    kinds = []
    while not kinds or kinds[-1] == PROGRESS:
        kinds.append(engine.receive().kind)
    assert kinds[-1] == CANCELLED


def test_a_job_that_takes_cancel_sees_it_inside_a_long_step(engine):
    engine.submit(8, Job(fake_jobs.blocks_until_cancelled))
    assert engine.receive().payload == "started"
    engine.cancel(8)
    assert engine.receive().kind in (RESULT, CANCELLED)
    assert run(engine, 9, Job(fake_jobs.count, (2,)))[-1].payload == 3  # a later job is not cancelled


def test_start_settings_reach_the_engine_before_its_backend_starts():
    process = EngineProcess(EngineSettings(kernels="eigen"))
    try:
        assert run(process, 1, Job(fake_jobs.environment, ("TF_ENABLE_ONEDNN_OPTS",)))[-1].payload == "0"
        assert run(process, 2, Job(fake_jobs.environment, ("KERAS_BACKEND",)))[-1].payload == "tensorflow"
    finally:
        process.stop()


def test_a_killed_engine_is_reported_in_one_sentence():
    process = EngineProcess(EngineSettings())
    process.submit(1, Job(fake_jobs.killed))
    assert process.receive().kind == PROGRESS
    with pytest.raises(EngineDied, match=r"was killed \(SIGKILL\).*next run starts a new engine"):
        process.receive()
    assert not process.alive
    with pytest.raises(EngineDied):
        process.submit(2, Job(fake_jobs.count, (1,)))


def test_a_script_without_a_main_guard_is_not_run_again_by_the_engine(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "no_guard.py"
    script.write_text(
        "from vggcompare.core.model.backend import EngineSettings\n"
        "from vggcompare.core.process.engine_process import EngineProcess, Job, died_sentence\n"
        "print('SCRIPT RAN', flush=True)\n"
        "engine = EngineProcess(EngineSettings())\n"
        "engine.submit(1, Job(died_sentence, (-9,)))\n"
        "print('ENGINE SAID', engine.receive().payload, flush=True)\n"
        "engine.stop()\n"
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("SCRIPT RAN") == 1 and "was killed (SIGKILL)" in proc.stdout
