"""The Checkup tab: one click starts a checkup of the open image, its rows arrive (ranked) while it runs, the chart
draws them, a row opens its pair in the compare view, and a cancel keeps the rows measured so far."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.resources import sample_path
from vggcompare.gui.window.tabs import CHECKUP_TAB, COMPARE_TAB, DEMOS_TAB

pytestmark = pytest.mark.gui
TIMEOUT_MS = 60_000


@pytest.fixture
def checkup_window(qtbot, settings, open_image, gui_model):
    from vggcompare.gui.window.main_window import MainWindow

    window = MainWindow(settings, restore=False)
    qtbot.addWidget(window)
    window.show()
    open_image(window, sample_path("cat"))
    window.controls.set_config(ExperimentConfig(model=gui_model["model"], labels=gui_model["labels"], preprocess="none"))
    yield window
    window.close()


def _fake(monkeypatch, held: bool = False) -> None:
    """Put the fake checkup (held after three rows, or not) and the fake pair in the real ones' place."""
    import fake_jobs

    from vggcompare.core.studies import checkup_pair, jobs

    monkeypatch.setattr(jobs, "checkup_and_keep", fake_jobs.fake_checkup_held if held else fake_jobs.fake_checkup)
    monkeypatch.setattr(checkup_pair, "run_pair", fake_jobs.fake_pair)


def _finished_checkup(qtbot, w):
    """Open the Checkup tab, press its button and wait for the (fake) checkup to end: (the view, the Checkup)."""
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    view = w.checkup_tab.view
    with qtbot.waitSignal(w.checkup_tab.checkups.finished, timeout=TIMEOUT_MS) as done:
        view.run_button.click()
    return view, done.args[0]


def _rows_in_table(view) -> list[str]:
    return [view.table.item(r, 1).text() for r in range(view.table.rowCount())]


def test_one_click_starts_the_checkup_and_rows_arrive_ranked_before_it_ends(qtbot, checkup_window, monkeypatch):
    from fake_jobs import FAKE_CAUSES

    _fake(monkeypatch)
    w = checkup_window
    assert w.tabs.tabText(CHECKUP_TAB) == "Checkup" and not w.checkup_tab.built  # built when first opened
    checkups = w.checkup_tab.checkups
    seen = []  # (rows so far, the checkup still running, the status) at each row
    checkups.row_measured.connect(lambda row: seen.append((len(checkups.rows), checkups.running, view.status.text())))
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    view = w.checkup_tab.view
    with qtbot.waitSignal(checkups.finished, timeout=TIMEOUT_MS) as done:
        view.run_button.click()
    checkup = done.args[0]
    assert [n for n, _running, _status in seen] == list(range(1, len(FAKE_CAUSES) + 1))
    assert all(running for _n, running, _status in seen)  # every row was shown while the checkup ran
    assert seen[0][2].startswith("Cause 1 of 6: ")  # the status said which cause, not "Pass 0 of 1"
    assert "Done: 6 causes" in view.status.text() and checkup.headline() in view.headline.text()
    measured = [r for r in checkup.rows if r.measured]
    assert _rows_in_table(view) == [r.cause for r in checkup.rows]  # ranked: largest change first, then not applicable
    assert view.table.item(len(measured), 3).text() == "not applicable"
    assert [r.cause for r in view.chart.rows if r.measured] == [r.cause for r in measured]
    assert "Checkup" in w.run_panel.bar.format() or "Done" in w.run_panel.bar.format()


def test_where_it_enters_fills_its_column_as_the_rows_arrive_and_is_hidden_without_it(qtbot, checkup_window, monkeypatch):
    from fake_jobs import FAKE_ENTERS

    from vggcompare.gui.checkup.view import ENTERS_COLUMN

    _fake(monkeypatch)
    w = checkup_window
    checkups = w.checkup_tab.checkups
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    view = w.checkup_tab.view
    assert not view.layers_box.isChecked() and "as long" in view.layers_box.toolTip()  # off: the first answer fast
    assert view.table.horizontalHeaderItem(ENTERS_COLUMN).text() == "enters at"
    view.layers_box.setChecked(True)
    seen = []  # the row's enters-at cell, read as it arrives, while the checkup runs

    def cell(row) -> None:
        k = _rows_in_table(view).index(row.cause)
        seen.append((row.cause, view.table.item(k, ENTERS_COLUMN).text(), checkups.running and not view.layers_box.isEnabled()))

    checkups.row_measured.connect(cell)
    with qtbot.waitSignal(checkups.finished, timeout=TIMEOUT_MS) as done:
        view.run_button.click()
    assert not view.table.isColumnHidden(ENTERS_COLUMN) and all(running for _c, _t, running in seen)  # box locked
    assert view.layers_box.isEnabled()  # and free again once the checkup has ended
    expected = {r.cause: (FAKE_ENTERS.get(r.cause, "bn0 (0.611 → 0.993)") if r.measured else "") for r in done.args[0].rows}
    assert {cause: text for cause, text, _running in seen} == expected  # the core's words, as the rows came
    training = _rows_in_table(view).index("training mode")
    assert view.table.item(training, ENTERS_COLUMN).text() == "bn0 (0.611 → 0.993)"
    from vggcompare.gui.window.main_window import MainWindow

    again = MainWindow(w.settings, restore=False)  # the next session: the box as it was left
    qtbot.addWidget(again)
    assert again.checkup_tab.checkups.layers and again.checkup_tab.view.layers_box.isChecked()
    again.close()
    view.layers_box.setChecked(False)
    with qtbot.waitSignal(checkups.finished, timeout=TIMEOUT_MS) as done:
        view.run_button.click()
    assert view.table.isColumnHidden(ENTERS_COLUMN) and not any(r.enters_at for r in done.args[0].rows)
    assert not w.settings.checkup_layers()


def test_the_chart_ranks_the_bars_and_a_click_on_a_bar_or_a_row_opens_that_cause_in_the_compare_view(
        qtbot, checkup_window, monkeypatch):
    _fake(monkeypatch)
    w = checkup_window
    view, checkup = _finished_checkup(qtbot, w)
    measured = [r for r in checkup.rows if r.measured]
    chart = view.chart
    qtbot.waitUntil(lambda: chart.height() >= chart.minimumHeight(), timeout=5_000)
    rows_y = {chart.cause_at(y): y for y in range(chart.height()) if chart.cause_at(y) is not None}
    assert set(rows_y) == {r.cause for r in measured} and chart.cause_at(0) is None  # the title is no bar
    assert [c for c, _y in sorted(rows_y.items(), key=lambda item: item[1])] == [r.cause for r in measured]
    picture = chart.grab().toImage()
    flipped = [r for r in measured if r.top1_changed]
    unchanged = [r for r in measured if not r.top1_changed and r.largest_change]
    assert flipped and unchanged, "the fake runs give both kinds"
    from vggcompare.render.plots.checkup_chart import BAR_COLOUR, FLIP_COLOUR

    def colours_in_row(cause):
        y = rows_y[cause] + 1  # the first pixel row of the bar's row: find its middle
        ys = [yy for yy in range(chart.height()) if chart.cause_at(yy) == cause]
        mid = ys[len(ys) // 2]
        return {picture.pixelColor(x, mid).name() for x in range(0, chart.width(), 2)}

    assert FLIP_COLOUR.lower() in colours_in_row(flipped[0].cause) and BAR_COLOUR.lower() not in colours_in_row(flipped[0].cause)
    assert BAR_COLOUR.lower() in colours_in_row(unchanged[0].cause)
    zero = [r for r in measured if r.largest_change == 0]
    assert zero and not ({FLIP_COLOUR.lower(), BAR_COLOUR.lower()} & colours_in_row(zero[0].cause))  # no bar for 0
    # a click on a bar opens that cause against its reference, with both runs' own numbers
    cause = unchanged[0].cause
    ys = [y for y in range(chart.height()) if chart.cause_at(y) == cause]
    with qtbot.waitSignal(w.session.comparison_ready, timeout=TIMEOUT_MS) as shown:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() // 2, ys[len(ys) // 2]))
    a, b, a_name, b_name, comparison = shown.args
    assert (a_name, b_name) == ("the reference (your pipeline)", cause)
    assert (a.name, b.name) == ("checkup: reference", f"checkup: {cause}") and checkup.runs == {}  # kept in the engine
    assert comparison.numbers.max_abs_difference == pytest.approx(unchanged[0].largest_change, abs=1e-12)
    qtbot.waitUntil(lambda: w.tabs.currentIndex() == COMPARE_TAB, timeout=10_000)
    assert cause in w.tabs.compare_view.names[1].text()
    # and a click on a table row does the same for its cause
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    row = _rows_in_table(view).index(flipped[0].cause)
    with qtbot.waitSignal(w.session.comparison_ready, timeout=TIMEOUT_MS) as shown:
        view.table.cellClicked.emit(row, 0)
    assert shown.args[3] == flipped[0].cause and shown.args[1].name == f"checkup: {flipped[0].cause}"
    assert shown.args[4].numbers.max_abs_difference == pytest.approx(flipped[0].largest_change, abs=1e-12)
    # a row that could not apply has no pair: the status says so and nothing opens
    na = next(r for r in checkup.rows if not r.measured)
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    view.table.cellClicked.emit(_rows_in_table(view).index(na.cause), 0)
    assert "was not measured" in view.status.text() and w.tabs.currentIndex() == CHECKUP_TAB


def test_cancelling_mid_checkup_keeps_the_rows_so_far_and_a_row_still_opens(qtbot, checkup_window, monkeypatch):
    import numpy as np

    _fake(monkeypatch, held=True)
    w = checkup_window
    checkups = w.checkup_tab.checkups
    w.start_checkup()  # the Run menu's action: the same one click
    assert w.tabs.currentIndex() == CHECKUP_TAB
    view = w.checkup_tab.view
    qtbot.waitUntil(lambda: len(checkups.rows) == 3, timeout=TIMEOUT_MS)
    assert checkups.running and w.run_panel.cancel.isEnabled()
    qtbot.waitUntil(lambda: view.status.text().startswith("Cause 4 of 6: "), timeout=TIMEOUT_MS)  # held in its 4th cause
    assert w.run_panel.bar.format() == view.status.text() and "Pass" not in w.run_panel.bar.format()
    with qtbot.waitSignal(checkups.cancelled, timeout=TIMEOUT_MS):
        w.run_panel.cancel.click()
    assert view.status.text() == "Cancelled after 3 of 6 causes: the rows measured so far are shown."
    assert sorted(_rows_in_table(view)) == sorted(r.cause for r in checkups.rows) and view.table.rowCount() == 3
    assert w.run_panel.bar.format().startswith("Cancelled") and not w.run_panel.cancel.isEnabled()
    # the cancelled checkup's runs stayed in the engine: a row opens on them
    cause = next(r.cause for r in checkups.rows if r.measured)
    with qtbot.waitSignal(w.session.comparison_ready, timeout=TIMEOUT_MS) as shown:
        view.table.cellClicked.emit(_rows_in_table(view).index(cause), 0)
    a, b, _a_name, b_name, comparison = shown.args
    assert b_name == cause and b.name == f"checkup: {cause}"
    row = checkups.row(cause)
    assert comparison.numbers.max_abs_difference == pytest.approx(row.largest_change, abs=1e-12)
    assert np.isclose(b.statistics.top5[0].mean, row.top5[0][1])


def test_a_run_started_meanwhile_cancels_the_checkup_and_says_so(qtbot, checkup_window, monkeypatch):
    _fake(monkeypatch, held=True)
    import fake_jobs

    from vggcompare.core.studies import jobs

    monkeypatch.setattr(jobs, "run_and_save", fake_jobs.fake_run)
    w = checkup_window
    checkups = w.checkup_tab.checkups
    w.start_checkup()
    qtbot.waitUntil(lambda: len(checkups.rows) == 3, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(checkups.cancelled, timeout=TIMEOUT_MS):
        w.start_run()
    assert w.checkup_tab.view.status.text().startswith("Cancelled after 3 of 6 causes")
    with qtbot.waitSignal(w.session.result_ready, timeout=TIMEOUT_MS):
        pass


def test_the_real_checkup_reports_its_first_rows_through_the_engine_before_it_ends(qtbot, checkup_window):
    """The real engine process on the tiny model: rows cross the pipe one by one while the checkup runs; a cancel
    then stops it (and its new Python processes) with the rows measured so far in the table."""
    w = checkup_window
    checkups = w.checkup_tab.checkups
    w.start_checkup()
    view = w.checkup_tab.view
    qtbot.waitUntil(lambda: len(checkups.rows) >= 2, timeout=180_000)
    assert checkups.running and checkups.checkup is None  # rows before the end
    first = checkups.rows[0]
    assert first.cause == "loader tf-dataset" and (first.measured or first.reason)
    assert view.table.rowCount() >= 2 and view.status.text().startswith("Cause ")
    with qtbot.waitSignal(checkups.cancelled, timeout=TIMEOUT_MS):
        w.cancel_run()
    kept = len(checkups.rows)
    assert view.table.rowCount() == kept and view.status.text().startswith(f"Cancelled after {kept} of {checkups.total} causes")
    measured = next(r for r in checkups.rows if r.measured)  # its runs stayed in the engine: it opens on them
    with qtbot.waitSignal(w.session.comparison_ready, timeout=TIMEOUT_MS) as shown:
        checkups.open_row(measured.cause)
    a, b, _a_name, b_name, comparison = shown.args
    assert b_name == measured.cause and b.name == f"checkup: {measured.cause}" and a.name == f"checkup: {measured.against}"
    assert comparison.numbers.max_abs_difference == measured.largest_change
    assert comparison.layers is not None and comparison.layers.rows  # the pair compared layer by layer, in the engine
    qtbot.waitUntil(lambda: w.tabs.compare_view.layers.widget.isVisible(), timeout=10_000)  # the through-the-network plot


def test_the_real_checkup_with_where_it_enters_sends_each_row_with_its_enters_at_through_the_engine(qtbot, checkup_window):
    """The box ticked, the real engine on the tiny model: measured rows arrive with the core's enters_at (their layer
    tables stay in the engine), the column shows it, and an opened row comes with the checkup's own comparison."""
    from vggcompare.gui.checkup.view import ENTERS_COLUMN

    w = checkup_window
    checkups = w.checkup_tab.checkups
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    view = w.checkup_tab.view
    view.layers_box.setChecked(True)
    w.start_checkup()
    qtbot.waitUntil(lambda: sum(r.measured for r in checkups.rows) >= 2, timeout=180_000)
    with qtbot.waitSignal(checkups.cancelled, timeout=TIMEOUT_MS):
        w.cancel_run()
    measured = [r for r in checkups.rows if r.measured]
    assert all(r.enters_at and r.layers is None for r in measured)
    assert not view.table.isColumnHidden(ENTERS_COLUMN)
    shown = {view.table.item(k, 1).text(): view.table.item(k, ENTERS_COLUMN).text() for k in range(view.table.rowCount())}
    assert all(shown[r.cause] == r.enters_at for r in measured)
    with qtbot.waitSignal(w.session.comparison_ready, timeout=TIMEOUT_MS) as opened:
        checkups.open_row(measured[0].cause)
    comparison = opened.args[4]
    assert comparison.layers is not None and comparison.layers.enters_text() == measured[0].enters_at


def test_the_checkup_card_and_the_demos_menu_open_the_checkup_tab(qtbot, checkup_window, monkeypatch):
    _fake(monkeypatch)
    w = checkup_window
    checkups = w.checkup_tab.checkups
    w.tabs.setCurrentIndex(DEMOS_TAB)
    with qtbot.waitSignal(checkups.finished, timeout=TIMEOUT_MS):
        w.tabs.gallery.cards["checkup"].run_button.click()
    assert w.tabs.currentIndex() == CHECKUP_TAB and w.checkup_tab.view.table.rowCount() == 6
    w.tabs.setCurrentIndex(0)
    menu_entry = next(a for a in w.demo_actions if a.text() == "Checkup")
    with qtbot.waitSignal(checkups.finished, timeout=TIMEOUT_MS):
        menu_entry.trigger()
    assert w.tabs.currentIndex() == CHECKUP_TAB


def test_a_click_on_a_row_while_a_run_is_going_leaves_the_run_alone_and_says_why(qtbot, checkup_window, monkeypatch):
    """Opening a row runs its pair in the engine, which would replace the run going: the click is refused in one
    sentence instead, the run ends with its result, and the row opens when clicked again."""
    _fake(monkeypatch)
    import fake_jobs

    from vggcompare.core.studies import jobs

    monkeypatch.setattr(jobs, "run_and_save", fake_jobs.fake_run)
    w = checkup_window
    view, checkup = _finished_checkup(qtbot, w)
    cause = next(r.cause for r in checkup.rows if r.measured)
    w.controls.set_config(w.current_config().replace(passes=400))  # about 2 s of made-up passes
    cancelled = []
    w.session.cancelled.connect(lambda: cancelled.append(True))
    with qtbot.waitSignal(w.session.progress, timeout=TIMEOUT_MS):
        w.start_run()
    opened = []
    w.session.comparison_ready.connect(lambda *args: opened.append(args))
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    with qtbot.waitSignal(w.session.result_ready, timeout=TIMEOUT_MS):
        view.table.cellClicked.emit(_rows_in_table(view).index(cause), 0)
        assert not cancelled, "the click cancelled the run"
        assert "a run is going" in view.status.text().lower() and cause in view.status.text()
    assert not cancelled and not opened and w.tabs.currentIndex() != COMPARE_TAB
    with qtbot.waitSignal(w.session.comparison_ready, timeout=TIMEOUT_MS) as shown:  # once it has ended, it opens
        w.tabs.setCurrentIndex(CHECKUP_TAB)
        view.table.cellClicked.emit(_rows_in_table(view).index(cause), 0)
    assert shown.args[3] == cause


def test_a_burst_of_rows_is_drawn_once_after_the_slots_and_never_inside_them(qtbot, checkup_window):
    """Rows and progress reports that arrive together cost one chart and one paint: no slot paints the window
    (QProgressBar.setValue alone would repaint it at once, the Run panel's bar too), and the chart is drawn for all."""
    from PySide6.QtCore import QEvent, QObject

    from vggcompare.core.studies.checkup_rows import CauseRow, CheckupProgress

    class Paints(QObject):
        count = 0

        def eventFilter(self, _watched, event):  # noqa: N802 - Qt naming
            if event.type() == QEvent.Type.Paint:
                Paints.count += 1
            return False

    w = checkup_window
    checkups = w.checkup_tab.checkups
    w.tabs.setCurrentIndex(CHECKUP_TAB)
    view = w.checkup_tab.view
    qtbot.waitExposed(w)
    paints = Paints()
    for widget in (view.chart, view.table.viewport(), view.bar, w.run_panel.bar):
        widget.installEventFilter(paints)
    drawn = []
    view.chart.set_rows = lambda rows, subtitle=None, draw=view.chart.set_rows: drawn.append(len(rows)) or draw(rows, subtitle)
    n = 8
    for k in range(n):
        row = CauseRow(f"cause {k}", "its setting", "Your code does this.", "measured", largest_change=10.0 ** -k,
                       top1_changed=False, top1="class 0", against_top1="class 0", seconds=0.1)
        checkups.progress.emit(CheckupProgress("checkup", k, n, 0.0, None, f"cause {k + 1} of {n}: {row.cause}"))
        checkups.rows.append(row)
        checkups.row_measured.emit(row)
        checkups.progress.emit(CheckupProgress("checkup", k + 1, n, 0.0, None, f"cause {k + 1} of {n}: {row.cause}", row, row.cause))
    assert Paints.count == 0, "a slot painted the window"
    assert view.table.rowCount() == n and _rows_in_table(view)[0] == "cause 0"  # the table is filled at once
    qtbot.waitUntil(lambda: bool(drawn) and drawn[-1] == n and Paints.count > 0, timeout=5_000)
    assert drawn == [n] and view.bar.value() == n and w.run_panel.bar.value() == n
