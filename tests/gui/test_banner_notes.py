"""The result banner shows the run's notes (loader, call path, training mode), where a user reads the result."""

from __future__ import annotations

import html


def test_the_banner_shows_the_runs_notes_and_hides_them_for_a_message(qtbot, make_result):
    from vggcompare.gui.results.verdict_banner import VerdictBanner

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
