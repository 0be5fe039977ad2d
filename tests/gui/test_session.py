"""The session controller with mocked views and a fake run job: no TensorFlow, no window."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

import fake_jobs
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.resources import sample_path
from vggcompare.core.storage.history import History
from vggcompare.core.studies import jobs
from vggcompare.gui.session.controller import SessionController

pytestmark = pytest.mark.gui


@pytest.fixture
def session(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "run_and_save", fake_jobs.fake_run)
    s = SessionController(History(tmp_path / "history"))
    view = MagicMock()
    for name in ("image_changed", "image_failed", "job_started", "progress", "result_ready", "entry_saved",
                 "history_loaded", "failed", "cancelled", "busy_changed"):
        getattr(s, name).connect(getattr(view, name))
    s.view = view
    yield s
    s.cancel()
    qtbot.waitUntil(lambda: s.runner.current is None, timeout=30_000)
    s.shutdown()


def load_cat(qtbot, session):
    with qtbot.waitSignal(session.image_changed, timeout=10_000):
        session.load_image(str(sample_path("cat")))


def test_the_image_is_loaded_off_the_gui_thread_and_is_the_one_the_session_owns(qtbot, session):
    load_cat(qtbot, session)
    session.view.image_changed.assert_called_once_with(session.image)
    assert session.image.source == str(sample_path("cat"))


def test_a_bad_image_is_one_sentence_and_the_old_one_stays(qtbot, session, tmp_path):
    load_cat(qtbot, session)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with qtbot.waitSignal(session.image_failed, timeout=10_000):
        session.load_image(str(bad))
    sentence = session.view.image_failed.call_args.args[0]
    assert "bad.png" in sentence and "Traceback" not in sentence
    assert session.image.source == str(sample_path("cat"))


def test_a_run_is_shown_and_saved_once_through_the_one_save_path(qtbot, session, tmp_path):
    load_cat(qtbot, session)
    config = ExperimentConfig(image=str(sample_path("cat")), passes=5, seeding="once", seed=3)
    with qtbot.waitSignal(session.result_ready, timeout=30_000):
        session.run(config)
    result = session.view.result_ready.call_args.args[0]
    assert result.passes == 5 and session.result is result
    session.view.job_started.assert_called_once()
    assert session.view.job_started.call_args.args[0] == "Running 5 passes…"
    assert [c.args[0].done for c in session.view.progress.call_args_list] == [1, 2, 3, 4, 5]
    entry = session.view.entry_saved.call_args.args[0]
    assert entry.path.parent == tmp_path / "history" and len(list((tmp_path / "history").glob("*.json"))) == 1
    assert [c.args[0] for c in session.view.busy_changed.call_args_list] == [True, False]


def test_a_run_without_an_image_is_refused_before_any_job(session):
    with pytest.raises(ConfigError, match="open an image first"):
        session.run(ExperimentConfig(passes=2))
    session.view.job_started.assert_not_called()


def test_a_newer_run_replaces_the_shown_one_and_the_older_is_only_listed(qtbot, session):
    load_cat(qtbot, session)
    config = ExperimentConfig(image=str(sample_path("cat")), passes=200, seeding="once")
    session.run(config)
    with qtbot.waitSignal(session.result_ready, timeout=30_000):
        session.run(config.replace(passes=3))
    assert session.view.result_ready.call_args.args[0].passes == 3
    assert session.view.result_ready.call_count == 1


def test_cancel_is_one_signal_and_busy_ends(qtbot, session):
    load_cat(qtbot, session)
    session.run(ExperimentConfig(image=str(sample_path("cat")), passes=5000, seeding="once"))
    qtbot.waitUntil(lambda: session.view.progress.called, timeout=30_000)
    session.cancel()
    session.view.cancelled.assert_called_once()
    assert not session.busy and session.view.busy_changed.call_args.args[0] is False
    session.view.result_ready.assert_not_called()


def test_repeat_needs_a_shown_run(session):
    with pytest.raises(ConfigError, match="no run to repeat"):
        session.repeat(False)


def test_history_entries_are_read_and_compared_off_the_gui_thread(qtbot, session, make_result, monkeypatch):
    import threading

    from vggcompare.core.storage import history_entry

    readers = []
    real_load = history_entry.load_result

    def load(path):
        readers.append(threading.current_thread() is threading.main_thread())
        return real_load(path)

    monkeypatch.setattr(history_entry, "load_result", load)
    a = session.history.add(make_result(name="older", created="2026-11-25T10:00:00"))
    b = session.history.add(make_result(name="newer", created="2026-11-25T11:00:00", spread=0.01))
    for entry in (a, b):
        entry._result = None  # as listed at start-up: only the index is in memory
    with qtbot.waitSignal(session.result_ready, timeout=10_000):
        session.open_entry(a)
    assert session.view.result_ready.call_args.args[0].name == "older"
    with qtbot.waitSignal(session.comparison_ready, timeout=10_000) as blocker:
        session.compare_entries(a, b)
    shown_a, shown_b, _na, _nb, comparison = blocker.args
    assert (shown_a.name, shown_b.name) == ("older", "newer") and comparison is not None
    assert readers == [False] * 3  # a's file (twice: not kept), b's once; never on the GUI thread


def test_a_damaged_history_file_is_one_sentence(qtbot, session, make_result):
    entry = session.history.add(make_result(name="damaged"))
    entry.path.write_text("{ not json")
    entry._result = None
    with qtbot.waitSignal(session.failed, timeout=10_000):
        session.open_entry(entry)
    title, exc, _details = session.view.failed.call_args.args
    assert title == "The saved run cannot be opened" and "Traceback" not in str(exc)


def test_of_two_quick_requests_only_the_last_is_shown(qtbot, session, make_result):
    first = session.history.add(make_result(name="first"))
    second = session.history.add(make_result(name="second"))
    shown = []
    session.result_ready.connect(lambda r: shown.append(r.name))
    session.open_entry(first)
    session.open_entry(second)
    qtbot.waitUntil(lambda: not session.runner._local, timeout=10_000)  # both reads done, in whatever order
    assert shown == ["second"]
