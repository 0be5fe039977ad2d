"""Presenter mode: entering and leaving (menu, F11, Esc), the run's screen, type size, and a demonstration
played as question then answer with fake jobs (tests/fake_jobs.py), Back and Next, and leaving mid-run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

import fake_jobs
from vggcompare.core.analysis.explanation import Explanation
from vggcompare.core.input.images import encode_png
from vggcompare.core.process.engine_process import Job
from vggcompare.core.studies import jobs
from vggcompare.core.studies.presets.registry import PRESETS
from vggcompare.gui.present import present
from vggcompare.gui.present.deck import ANSWER, QUESTION, RESULT, Deck, Step
from vggcompare.gui.present.pages import NO_MAP
from vggcompare.gui.present.questions import QUESTIONS, question, sentences, verdict_sentence
from vggcompare.gui.present.style import BODY_PT, VERDICT_PT
from vggcompare.gui.session import job_runner as jr
from vggcompare.render.numbers import fmt
from vggcompare.gui.window.tabs import COMPARE_TAB

pytestmark = pytest.mark.gui
TIMEOUT_MS = 60_000
FIRST = next(iter(PRESETS))  # the first demonstration of the deck
SECOND = list(PRESETS)[1]


@pytest.fixture
def fake_presets(monkeypatch):
    """Demonstrations become tests/fake_jobs.py's fake_preset (``hold`` keeps one going until cancelled)."""
    submitted: list = []
    options = {"hold": False}
    real_submit = jr.JobRunner.submit

    def submit(self, job, settings, kind=jr.RUN):
        if job.function is jobs.preset_and_save:
            job = Job(fake_jobs.fake_preset, job.args, {"hold": options["hold"]})
        handle = real_submit(self, job, settings, kind)
        submitted.append(handle)
        return handle

    monkeypatch.setattr(jr.JobRunner, "submit", submit)
    return submitted, options


def visible_texts(view: QWidget) -> str:
    return " ".join(w.text() for w in view.findChildren(QLabel) if w.isVisibleTo(view) and w.window() is view
                    and _on_current_page(view, w))


def _on_current_page(view, widget) -> bool:
    page = view.pages.currentWidget()
    return not view.pages.isAncestorOf(widget) or page.isAncestorOf(widget)


# ---- pure parts -------------------------------------------------------------------------
def test_every_demonstration_of_the_gallery_has_a_question():
    assert set(QUESTIONS) == set(PRESETS)
    assert all(question(name).endswith("?") for name in PRESETS)
    assert "Seed set: will the two runs match?" in question("matrix")


def test_the_deck_is_the_run_then_each_demonstration_as_question_then_answer():
    deck = Deck(list(PRESETS))
    assert deck.current == Step(RESULT) and not deck.back()
    assert deck.next() and deck.current == Step(QUESTION, FIRST)
    assert deck.next() and deck.current == Step(ANSWER, FIRST)
    assert deck.back() and deck.current == Step(QUESTION, FIRST)
    while deck.next():
        pass
    assert deck.current == Step(ANSWER, list(PRESETS)[-1]) and len(deck.steps) == 1 + 2 * len(PRESETS)


def test_the_verdict_sentence_is_one_sentence_of_the_verdict_about_the_passes():
    verdict = ("Dropout was requested but this model has no dropout layers: it had no effect. Top-1 was 'St. Bernard' "
               "in 3 of 4 passes; the largest spread is in 'potter's wheel' (std 0.01). The passes differ because of augmentation.")
    assert sentences(verdict)[1] == "Top-1 was 'St. Bernard' in 3 of 4 passes; the largest spread is in 'potter's wheel' (std 0.01)."
    assert verdict_sentence(verdict) == sentences(verdict)[1]
    assert verdict_sentence("Something else. And more.") == "Something else."


# ---- entering and leaving ---------------------------------------------------------------
def test_menu_f11_and_esc_enter_and_leave_with_the_window_as_it_was(qtbot, window, make_result):
    result = make_result(spread=0.01)
    window.session.show_result(result)
    window.tabs.setCurrentIndex(COMPARE_TAB)
    config = window.controls.config()
    [view_menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&View"]
    assert window.present_action in view_menu.actions() and window.present_action.shortcut().toString() == "F11"
    window.present_action.trigger()
    view = window.present_view
    assert view.active and view.isFullScreen() and view.deck.current == Step(RESULT)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.active
    assert window.tabs.currentIndex() == COMPARE_TAB and window.session.result is result
    assert window.controls.config() == config and window.results.result is result
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert view.active
    qtbot.keyClick(view, Qt.Key.Key_F11)  # F11 again leaves
    assert not view.active


def test_the_run_screen_shows_the_picture_top5_a_map_or_no_map_and_one_verdict_sentence(qtbot, window, make_result):
    result = make_result(spread=0.01)
    window.session.show_result(result)
    view = present(window)
    page = view.result_page
    assert page.picture.pixmap is not None  # the session's cat
    assert page.map.pixmap is None and page.map.text == NO_MAP and "No map computed" in NO_MAP
    labels = [row[0] for row in page.bars.rows]
    assert labels == [c.label for c in result.statistics.top5]
    top = result.statistics.top5[0]
    assert page.bars.rows[0][1:] == (top.mean, top.std, f"{fmt(top.mean)} ± {fmt(top.std)}")  # the core's statistics
    assert page.verdict.text() == verdict_sentence(result.verdict) and page.verdict.text() in sentences(result.verdict)
    mean = np.zeros((64, 96), np.float16)
    mean[10:20, 10:20] = 1
    result.explanation = Explanation("gradcam", 0, "cat", "probability", "conv", mean[None], mean, np.zeros_like(mean), 4, True,
                                     "0 to 1", picture_png=encode_png(np.full((64, 96, 3), 128, np.uint8)))
    window.session.show_result(result)
    assert page.map.pixmap is not None and "Grad-CAM" in page.map_note.text() and "one map" in page.map_note.text()
    view.leave()


def test_every_text_in_presenter_mode_is_at_least_the_stated_size(qtbot, window, make_result, fake_presets):
    window.session.show_result(make_result(spread=0.01))
    view = present(window)
    view.next()  # a question
    qtbot.waitUntil(lambda: view.runs.state(FIRST) == "done", timeout=TIMEOUT_MS)
    view.next()  # its answer
    assert (BODY_PT, VERDICT_PT) == (28, 36)
    texts = view.findChildren(QLabel) + view.findChildren(QPushButton)
    assert len(texts) > 10
    for widget in texts + [view.result_page.bars, view.result_page.map, view.answer_page.bars]:
        assert widget.font().pointSizeF() >= BODY_PT, (type(widget).__name__, widget.font().pointSizeF())
    for big in (view.result_page.verdict, view.question_page.question, view.answer_page.answer):
        assert big.font().pointSizeF() >= VERDICT_PT
    page = (Path(__file__).parents[2] / "docs" / "window.md").read_text(encoding="utf-8")
    assert f"{BODY_PT} pt" in page and f"{VERDICT_PT} pt" in page  # the window's page states the sizes the code uses
    view.leave()


# ---- a demonstration as steps -----------------------------------------------------------
def test_a_demonstration_asks_first_answers_on_next_and_back_runs_nothing_again(qtbot, window, make_result, fake_presets):
    submitted, _ = fake_presets
    window.session.show_result(make_result(spread=0.01))
    view = present(window)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.pages.currentWidget() is view.question_page and view.question_page.question.text() == question(FIRST)
    assert view.next_button.text().startswith("Show the answer")
    assert len(submitted) == 1 and view.runs.running == FIRST  # it runs while the room thinks
    qtbot.waitUntil(lambda: view.runs.state(FIRST) == "done", timeout=TIMEOUT_MS)
    headline = view.runs.outcomes[FIRST].headline
    assert "Made-up answer" in headline and headline not in visible_texts(view)  # the answer waits for Next
    assert "Next shows the answer" in view.question_page.status.text()
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.pages.currentWidget() is view.answer_page and view.answer_page.answer.text() == headline
    assert [row[3] for row in view.answer_page.bars.rows] == ["0.25", "0.125"]  # the outcome's own numbers
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.deck.current == Step(QUESTION, FIRST) and len(submitted) == 1  # Back shows, it does not re-run
    view.next()
    view.next()
    assert view.deck.current == Step(QUESTION, SECOND) and len(submitted) == 2 and view.runs.running == SECOND
    qtbot.waitUntil(lambda: view.runs.state(SECOND) == "done", timeout=TIMEOUT_MS)
    view.back()
    assert view.answer_page.answer.text() == headline and len(submitted) == 2
    view.leave()
    qtbot.waitUntil(lambda: all(not h.live for h in submitted) and window.session.runner.current is None, timeout=TIMEOUT_MS)


def test_leaving_mid_run_cancels_it_and_nothing_says_it_still_runs(qtbot, window, make_result, fake_presets):
    submitted, options = fake_presets
    options["hold"] = True
    window.session.show_result(make_result(spread=0.01))
    window.tabs.setCurrentIndex(COMPARE_TAB)
    view = present(window)
    view.next()
    [handle] = submitted
    runner = window.session.runner
    qtbot.waitUntil(lambda: runner.current is not None and runner.current.handle is handle, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "step 1 of 2" in view.question_page.status.text(), timeout=TIMEOUT_MS)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.active and view.runs.running is None
    qtbot.waitUntil(lambda: handle.ended == "cancelled" and runner.current is None, timeout=TIMEOUT_MS)
    qtbot.wait(50)
    assert window.tabs.currentIndex() == COMPARE_TAB
    assert not window.run_panel.cancel.isEnabled() and not window.cancel_action.isEnabled()
    assert window.run_panel.bar.text() != "Starting…" and not window.session.busy
    banner = window.tabs.preset_view.banner
    assert "Running" not in banner.verdict.text() and "…" not in banner.headline.text()
    present(window)  # entering again forgets the cancelled run and starts afresh
    assert view.runs.state(FIRST) == "idle" and view.deck.current == Step(RESULT)
    view.leave()


def test_a_short_table_is_shown_with_the_answer_when_the_outcome_has_no_bars(qtbot):
    from vggcompare.core.studies.presets.base import PresetOutcome
    from vggcompare.gui.present.pages import AnswerPage

    page = AnswerPage()
    qtbot.addWidget(page)
    outcome = PresetOutcome("matrix", "t", "e", headline="Passes differed in 2 of 4 cells.", columns=["seeding", "on"],
                            rows=[["off", "largest std 0.0861; repeat differs by 0.109"], ["once", "repeat identical"]])
    page.show_answer("matrix", "done", outcome)
    cells = [w.text() for w in page.table.findChildren(QLabel)]
    assert "largest std 0.0861; repeat differs by 0.109" in cells and "seeding" in cells and page.bars.rows == []
    assert all(w.font().pointSizeF() >= BODY_PT for w in page.table.findChildren(QLabel))
    page.show_answer("matrix", "running", None, "step 3 of 8")
    assert page.answer.text() == "Running… step 3 of 8" and page.table.isHidden()


# ---- command line and screenshot ----------------------------------------------------------
def test_vggcompare_present_opens_the_window_in_presenter_mode(monkeypatch):
    import vggcompare.gui.app as app
    from vggcompare.cli import main

    calls = []
    monkeypatch.setattr(app, "main", lambda argv, present=False: calls.append(present) or 0)
    assert main(["--present"]) == 0 and calls == [True]


def test_screenshot_present_names_its_step_or_says_what_it_takes(capsys, tmp_path):
    from vggcompare.cli import main
    from vggcompare.core.resources import sample_path

    code = main(["screenshot", str(sample_path("cat")), "--out", str(tmp_path / "p.png"), "--present", "bogus"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --present takes 'result' or a demonstration's name") and "matrix" in err


def test_the_screenshot_renders_presenter_mode_at_the_size_asked(qtbot, make_result, tmp_path):
    from PySide6.QtGui import QImage

    from vggcompare.core.input.images import load_image
    from vggcompare.core.resources import sample_path
    from vggcompare.render.qimages import qimage_to_array
    from vggcompare.gui.window.screenshot import render_window

    result = make_result(spread=0.01, image=str(sample_path("cat")))
    shots = {}
    for step in (None, "result", "matrix"):
        path = render_window(result, tmp_path / f"{step}.png", (1280, 720), image=load_image(result.config.image), present=step)
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1280, 720)
        shots[step] = qimage_to_array(image).astype(np.float64)
        assert shots[step].std() > 10  # text (and, for the run, the photo), not a flat fill
    assert not np.array_equal(shots[None], shots["result"]) and not np.array_equal(shots["result"], shots["matrix"])


def test_a_demonstration_that_cannot_start_says_why_in_one_sentence(qtbot, window, fake_presets):
    submitted, _ = fake_presets
    window.session.image = None  # as before any picture is open
    view = present(window)
    starts = []
    real_start = view.runs._start
    view.runs._start = lambda name: starts.append(name) or real_start(name)
    view.next()
    assert submitted == [] and view.runs.state(FIRST) == "failed" and starts == [FIRST]
    assert view.question_page.status.text() == "It could not start: open an image first."
    view.next()
    assert view.answer_page.answer.text() == "It could not start: open an image first."
    assert starts == [FIRST]  # the answer shows the failure; it is tried again only from its question
    view.back()
    assert starts == [FIRST, FIRST]
    view.leave()


def test_moving_on_to_another_demonstration_cancels_the_one_going(qtbot, window, make_result, fake_presets):
    submitted, options = fake_presets
    options["hold"] = True
    window.session.show_result(make_result(spread=0.01))
    view = present(window)
    view.next()
    view.next()  # its answer, while it still runs: it goes on
    assert view.answer_page.answer.text().startswith("Running…") and len(submitted) == 1 and submitted[0].live
    view.next()  # the next demonstration's question
    first, second = submitted
    qtbot.waitUntil(lambda: first.ended == "cancelled", timeout=TIMEOUT_MS)
    assert view.runs.running == SECOND and second.live and view.runs.state(FIRST) == "idle"
    view.leave()
    qtbot.waitUntil(lambda: second.ended == "cancelled" and window.session.runner.current is None, timeout=TIMEOUT_MS)


def test_an_error_while_presenting_is_shown_over_presenter_mode_not_behind_it(qtbot, window):
    view = present(window)
    window.show_error("The demonstration failed", "The engine stopped.")
    assert window.error_box.parent() is view
    window.error_box.close()
    view.leave()
    window.show_error("The run failed", "The engine stopped.")
    assert window.error_box.parent() is window
    window.error_box.close()
