"""The result banner shows the run's notes (loader, call path, training mode), where a user reads the result."""

from __future__ import annotations

import html


def test_the_banner_shows_the_runs_notes_and_hides_them_for_a_message(qtbot, make_result):
    from vggcompare.gui.common.verdict_banner import VerdictBanner

    banner = VerdictBanner()
    qtbot.addWidget(banner)
    result = make_result()
    result.notes = ["Training mode made the difference through 1 BatchNorm layer(s) <x>.", "Called with training=True."]
    banner.show_result(result)
    assert not banner.notes.isHidden()
    assert all(html.escape(n) in banner.notes.text() for n in result.notes)
    banner.show_message("Running…", "")
    assert banner.notes.isHidden()
    result.notes = []
    banner.show_result(result)
    assert banner.notes.isHidden()


def test_a_squeezed_banner_keeps_the_height_of_all_its_notes(qtbot, make_result):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from vggcompare.gui.common.verdict_banner import VerdictBanner

    page = QWidget()
    qtbot.addWidget(page)
    banner = VerdictBanner()
    layout = QVBoxLayout(page)
    layout.addWidget(banner)
    tall = QWidget()
    tall.setMinimumHeight(200)
    layout.addWidget(tall, 1)  # the plots below take what the banner leaves
    result = make_result()
    result.notes = [f"Note {k}: " + "a long sentence that wraps over several lines at this width " * 3 for k in range(5)]
    banner.show_result(result)
    page.resize(500, 300)  # too short for both: the banner must not give up its last lines
    page.show()
    qtbot.waitUntil(lambda: banner.notes.height() >= banner.notes.heightForWidth(banner.notes.width()), timeout=2_000)
    assert banner.notes.geometry().bottom() < banner.settings.geometry().top()


def test_a_note_the_verdict_already_says_is_shown_once(qtbot, make_result):
    from vggcompare.gui.common.verdict_banner import VerdictBanner

    banner = VerdictBanner()
    qtbot.addWidget(banner)
    result = make_result()
    said = "Note: in the generator engine, height_shift_range moved it sideways: a known Keras behaviour (keras-team/keras#17398)."
    result.verdict = f"The passes differ because of random augmentation. {said}"
    result.notes = ["The generator engine's passes are those of ImageDataGenerator.", said]
    banner.show_result(result)
    shown = banner.verdict.text() + banner.notes.text()
    assert shown.count("keras#17398") == 1 and "ImageDataGenerator" in banner.notes.text()
    result.notes = [said]
    banner.show_result(result)
    assert banner.notes.isHidden()
