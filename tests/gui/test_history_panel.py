"""The history table: sortable columns, ticking two runs to compare, rename, delete and undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog

from vggcompare.core.config import AugmentConfig
from vggcompare.core.storage.history import History
from vggcompare.gui.history.model import HEADERS, IMAGE, NAME, PASSES, TICK, TIME, VERDICT
from vggcompare.gui.history.panel import HistoryPanel
from vggcompare.gui.session.history_files import HistoryFiles
from vggcompare.gui.session.job_runner import JobRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, tmp_path, make_result):
    """A panel showing three saved runs: b (oldest, N=8), a (N=4), c (newest, N=16, augmentation)."""
    history = History(tmp_path)
    history.add(make_result("b run", created="2026-11-25T09:00:00", passes=8, seeding="off", image="/p/zebra.png"))
    history.add(make_result("a run", created="2026-11-25T10:00:00", passes=4, spread=0.05, image="/p/cat.png"))
    history.add(make_result("c run", created="2026-11-25T11:00:00", passes=16, augment=AugmentConfig(enabled=True)))
    runner = JobRunner()
    widget = HistoryPanel(HistoryFiles(history, runner))
    qtbot.addWidget(widget)
    widget.populate(*History(tmp_path).load())
    widget.resize(1100, 400)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    runner.shutdown()


def names(panel) -> list[str]:
    """The Name column, top to bottom, as shown."""
    model = panel.table.model()
    return [model.index(r, NAME).data() for r in range(model.rowCount())]


def click_header(qtbot, panel, column: int) -> None:
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(column) + 8, header.height() // 2))


def click_tick(qtbot, panel, name: str) -> None:
    row = names(panel).index(name)
    rect = panel.table.visualRect(panel.table.model().index(row, TICK))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))


def select(panel, *wanted: str) -> None:
    panel.table.clearSelection()
    for name in wanted:
        panel.table.selectionModel().select(
            panel.table.model().index(names(panel).index(name), 0),
            panel.table.selectionModel().SelectionFlag.Select | panel.table.selectionModel().SelectionFlag.Rows)


def test_newest_run_is_on_top_and_clicking_headers_sorts(qtbot, panel):
    assert names(panel) == ["c run", "a run", "b run"]
    click_header(qtbot, panel, PASSES)
    assert names(panel) == ["a run", "b run", "c run"]  # N = 4, 8, 16
    click_header(qtbot, panel, PASSES)
    assert names(panel) == ["c run", "b run", "a run"]
    click_header(qtbot, panel, NAME)
    assert names(panel) == ["a run", "b run", "c run"]
    click_header(qtbot, panel, IMAGE)  # by image file name: "" (none), cat, zebra
    assert names(panel) == ["c run", "a run", "b run"]


@pytest.mark.parametrize("column", range(len(HEADERS)))
def test_every_column_sorts_both_ways(panel, column):
    panel.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    up = names(panel)
    panel.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    assert sorted(up) == sorted(names(panel)) == ["a run", "b run", "c run"]
    if column not in (TICK,):  # every other column tells these three runs apart
        assert names(panel) == up[::-1]


def test_ticking_two_runs_enables_compare_and_sends_the_older_first(qtbot, panel):
    assert not panel.compare_button.isEnabled() and "Tick two runs" in panel.hint.text()
    click_tick(qtbot, panel, "c run")
    assert "tick one more" in panel.hint.text() and not panel.compare_button.isEnabled()
    click_tick(qtbot, panel, "b run")
    assert "press Compare" in panel.hint.text() and panel.compare_button.isEnabled()
    with qtbot.waitSignal(panel.compare_requested) as blocker:
        panel.compare_button.click()
    assert [r.name for r in blocker.args] == ["b run", "c run"]


def test_a_third_tick_replaces_the_first(qtbot, panel):
    for name in ("a run", "b run", "c run"):
        click_tick(qtbot, panel, name)
    assert [e.name for e in panel.model.ticked] == ["b run", "c run"]
    row = names(panel).index("a run")
    assert panel.table.model().index(row, TICK).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_two_selected_rows_compare_when_nothing_is_ticked(qtbot, panel):
    select(panel, "a run", "c run")
    assert panel.compare_button.isEnabled()
    with qtbot.waitSignal(panel.compare_requested) as blocker:
        panel.compare_button.click()
    assert [r.name for r in blocker.args] == ["a run", "c run"]


def test_double_click_opens_the_full_run(qtbot, panel):
    row = names(panel).index("a run")
    rect = panel.table.visualRect(panel.table.model().index(row, NAME))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # as a real double-click starts
    with qtbot.waitSignal(panel.open_requested) as blocker:
        qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[0].name == "a run" and blocker.args[0].result.probabilities.shape == (4, 3)


def test_rename_shows_and_saves_the_new_name(qtbot, panel, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("  my   best run ", True))
    select(panel, "b run")
    with qtbot.waitSignal(panel.files.renamed, timeout=10_000):
        panel.rename_button.click()
    assert "my best run" in names(panel)
    assert sorted(e.name for e in History(panel.files.history.folder).load()[0]) == ["a run", "c run", "my best run"]


def test_delete_then_undo_brings_the_run_back(qtbot, panel):
    select(panel, "a run", "b run")
    with qtbot.waitSignal(panel.files.deleted, timeout=10_000):
        panel.delete_button.click()
    assert names(panel) == ["c run"] and panel.undo_button.isEnabled()
    assert [e.name for e in History(panel.files.history.folder).load()[0]] == ["c run"]
    for _ in range(2):
        with qtbot.waitSignal(panel.files.restored, timeout=10_000):
            panel.undo_button.click()
    assert names(panel) == ["c run", "a run", "b run"] and not panel.undo_button.isEnabled()
    assert len(History(panel.files.history.folder).load()[0]) == 3


def test_a_run_that_cannot_be_renamed_is_one_sentence_in_the_status_line(qtbot, panel, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("new name", True))
    select(panel, "b run")
    entry = panel.model.rows[names(panel).index("b run")]
    entry.path.write_text("{ damaged")
    entry._result = None
    with qtbot.waitSignal(panel.files.failed, timeout=10_000):
        panel.rename_button.click()
    assert panel.status.text().startswith("The run could not be renamed: ") and "\n" not in panel.status.text()
    assert "b run" in names(panel)


def test_a_deleted_ticked_run_is_no_longer_ticked(qtbot, panel):
    click_tick(qtbot, panel, "a run")
    select(panel, "a run")
    with qtbot.waitSignal(panel.files.deleted, timeout=10_000):
        panel.delete_button.click()
    assert panel.model.ticked == [] and "Tick two runs" in panel.hint.text()


def test_every_cell_has_a_tooltip_with_at_least_its_text(panel):
    model = panel.table.model()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            tip, text = index.data(Qt.ItemDataRole.ToolTipRole), index.data() or ""
            assert tip and text.replace("'", "&#x27;") in tip, (row, HEADERS[column])
        assert "Settings" not in model.index(row, VERDICT).data()  # the headline is one sentence
    for column in range(model.columnCount()):
        assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def test_the_thumbnail_is_drawn_in_its_cell(panel):
    row = names(panel).index("a run")
    rect = panel.table.visualRect(panel.table.model().index(row, IMAGE))
    image = panel.table.viewport().grab(rect).toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert len(colours) > 20  # the gradient picture, not an empty cell


def test_a_new_run_goes_where_the_sort_puts_it_and_damaged_files_are_reported(qtbot, panel, make_result):
    panel.table.sortByColumn(PASSES, Qt.SortOrder.AscendingOrder)
    panel.list_entry(panel.files.history.add(make_result("d run", created="2026-11-25T12:00:00", passes=6)))
    assert names(panel) == ["a run", "d run", "b run", "c run"] and "Saved" in panel.status.text()
    assert [e.name for e in panel.entries()] == ["d run", "c run", "a run", "b run"]  # newest first, always
    with qtbot.waitSignal(panel.warning) as blocker:
        panel.populate(panel.entries()[:1], ["Skipped a damaged history file: x.json is not valid JSON"])
    assert "x.json" in blocker.args[0] and panel.status.text() == "1 saved run(s); 1 damaged file(s) skipped"
    assert panel.table.model().index(0, TIME).data() == "2026-11-25 12:00:00"


def test_the_selection_follows_its_run_when_the_table_is_sorted(panel):
    select(panel, "b run")
    panel.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    assert [names(panel)[i.row()] for i in panel.table.selectionModel().selectedRows()] == ["b run"]
