"""The one driver of generator jobs: progress in order, cancel, the return value, errors passing through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vggcompare.core.errors import RunCancelled
from vggcompare.core.job_driver import drive, relay

ROOT = Path(__file__).resolve().parent.parent
BY_HAND = re.compile(r"except\s*\(?[\w\s,.]*\bStop" + r"Iteration\b")  # split, so this file does not match itself


def recording_job(events: list, reports=(1, 2, 3), outcome="done", fail: Exception | None = None):
    """A job that notes when it makes each report, when it returns and when it is closed."""
    try:
        for report in reports:
            events.append(("made", report))
            yield report
        if fail is not None:
            raise fail
        events.append(("returned", outcome))
        return outcome
    finally:
        events.append(("closed",))


def test_drive_hands_each_report_on_before_the_next_is_made_and_returns_the_outcome():
    events: list = []
    outcome = drive(recording_job(events), lambda report: events.append(("got", report)))
    assert outcome == "done"
    assert events == [("made", 1), ("got", 1), ("made", 2), ("got", 2), ("made", 3), ("got", 3),
                      ("returned", "done"), ("closed",)]


def test_drive_without_a_progress_callback_returns_the_outcome():
    assert drive(recording_job([], outcome={"rows": 2})) == {"rows": 2}


def test_a_cancel_stops_the_job_at_the_next_report_and_closes_it():
    events: list = []
    seen: list = []
    with pytest.raises(RunCancelled):
        drive(recording_job(events), seen.append, cancel=lambda: len(seen) >= 2)
    assert seen == [1, 2]
    assert ("made", 3) not in events and events[-1] == ("closed",)


def test_a_cancel_before_the_start_runs_nothing_of_the_job():
    events: list = []
    with pytest.raises(RunCancelled):
        drive(recording_job(events), cancel=lambda: True)
    assert events == []


def test_a_cancel_that_never_comes_changes_nothing():
    assert drive(recording_job([]), cancel=lambda: False) == "done"


def test_the_jobs_own_exception_passes_through_unchanged():
    failure = ValueError("the image cannot be read")
    events: list = []
    with pytest.raises(ValueError) as caught:
        drive(recording_job(events, fail=failure), lambda report: None)
    assert caught.value is failure and events[-1] == ("closed",)


def test_an_exception_in_the_progress_callback_passes_through_and_the_job_is_closed():
    events: list = []

    def progress(report):
        raise KeyError(report)

    with pytest.raises(KeyError):
        drive(recording_job(events), progress)
    assert events == [("made", 1), ("closed",)]


def test_relay_changes_each_report_and_gives_back_the_outcome():
    events: list = []

    def outer():
        outcome = yield from relay(recording_job(events), lambda report: f"step {report}")
        return outcome.upper()

    seen: list = []
    assert drive(outer(), seen.append) == "DONE"
    assert seen == ["step 1", "step 2", "step 3"]


def test_relay_passes_the_jobs_exception_through():
    failure = RuntimeError("no model")

    def outer():
        yield from relay(recording_job([], fail=failure), str)

    with pytest.raises(RuntimeError) as caught:
        drive(outer())
    assert caught.value is failure


def test_no_module_drives_a_generator_by_hand():
    """Every generator job is run by core.job_driver, never by catching its end by hand."""
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for folder in ("vggcompare", "tests", "benchmarks")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if BY_HAND.search(line)]
    assert offenders == []


def test_the_check_for_hand_driven_generators_notices_one():
    assert BY_HAND.search("        except Stop" + "Iteration as stop:")
    assert BY_HAND.search("    except (KeyError, Stop" + "Iteration):")
    assert not BY_HAND.search("    except RunCancelled:")
