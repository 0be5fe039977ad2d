"""The history's index: summaries for a table, listing without reading every file, and no run ever
lost when the index is missing, stale, damaged or unwritable."""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

from vggcompare.core.config import AugmentConfig
from vggcompare.core.input.images import decode_png
from vggcompare.core.storage import history_entry
from vggcompare.core.storage.history import History
from vggcompare.core.storage.history_index import INDEX_NAME
from vggcompare.core.storage.result_file import save_result


@pytest.fixture
def files_read(monkeypatch):
    """The names of the result files the history reads in full (the index spares the others)."""
    names: list[str] = []
    real = history_entry.load_result

    def spy(path):
        names.append(path.name)
        return real(path)

    monkeypatch.setattr("vggcompare.core.storage.history.load_result", spy)
    return names


def _names(history: History) -> list[str]:
    entries, _warnings = history.load()
    return [e.name for e in entries]


def test_an_entry_summarises_a_run_for_the_table(make_result, tmp_path):
    result = make_result("cats", spread=0.05, seeding="every-pass", seed=7, augment=AugmentConfig(enabled=True), dropout=0.5,
                         image="/pictures/tabby.png")
    History(tmp_path).add(result)
    [entry], _ = History(tmp_path).load()
    assert (entry.name, entry.model, entry.passes, entry.seeding) == ("cats", "VGG19 random weights", 4, "every pass (seed 7)")
    assert entry.causes == ("augmentation on", "dropout 0.5")
    assert entry.time_text == "2026-11-25 10:00:00"
    assert entry.verdict == result.verdict and entry.headline.startswith("Top-1 was 'cat' in")
    assert entry.headline.endswith(").") and len(entry.headline) < len(entry.verdict)
    assert max(decode_png(entry.thumbnail).shape[:2]) == history_entry.THUMBNAIL_SIDE and entry.image_name == "tabby.png"


def test_a_custom_model_is_named_by_its_file_and_an_unseeded_run_says_off(make_result, tmp_path):
    entry = History(tmp_path).add(make_result(model="/models/my net.keras", seeding="off"))
    assert (entry.model, entry.seeding, entry.causes) == ("my net.keras", "off", ())


def test_a_second_start_reads_no_file_and_lists_the_same_runs(make_result, tmp_path, files_read):
    history = History(tmp_path)
    for i in range(3):
        history.add(make_result(f"run {i}", created=f"2026-11-25T10:00:0{i}"))
    assert _names(History(tmp_path)) == ["run 0", "run 1", "run 2"]
    assert files_read == []  # add() indexed each run as it saved it


def test_a_missing_index_is_rebuilt_from_the_files(make_result, tmp_path, files_read):
    for i in range(3):
        History(tmp_path).add(make_result(f"run {i}", created=f"2026-11-25T10:00:0{i}"))
    (tmp_path / INDEX_NAME).unlink()
    assert _names(History(tmp_path)) == ["run 0", "run 1", "run 2"]
    assert len(files_read) == 3
    assert _names(History(tmp_path)) == ["run 0", "run 1", "run 2"] and len(files_read) == 3  # rebuilt


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other version"])
def test_a_damaged_index_is_rebuilt_never_trusted(make_result, tmp_path, files_read, damage):
    for i in range(2):
        History(tmp_path).add(make_result(f"run {i}", created=f"2026-11-25T10:00:0{i}"))
    index = tmp_path / INDEX_NAME
    if damage == "garbage":
        index.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        index.write_bytes(index.read_bytes()[:2000])
    else:
        with sqlite3.connect(index) as con:
            con.execute("PRAGMA user_version = 99")
        con.close()
    assert _names(History(tmp_path)) == ["run 0", "run 1"]
    assert len(files_read) == 2
    assert _names(History(tmp_path)) == ["run 0", "run 1"] and len(files_read) == 2


def test_a_malformed_row_sends_its_file_to_be_read_again(make_result, tmp_path, files_read):
    entry = History(tmp_path).add(make_result("kept"))
    History(tmp_path).add(make_result("other", created="2026-11-25T11:00:00"))
    con = sqlite3.connect(tmp_path / INDEX_NAME)
    with con:
        con.execute("UPDATE runs SET passes = 0, name = 'forged' WHERE file = ?", (entry.path.name,))
    con.close()
    assert _names(History(tmp_path)) == ["kept", "other"] and files_read == [entry.path.name]


def test_files_added_changed_or_removed_behind_the_index_are_noticed(make_result, tmp_path, files_read):
    history = History(tmp_path)
    first = history.add(make_result("first"))
    second = history.add(make_result("second", created="2026-11-25T11:00:00"))
    elsewhere = tmp_path / "elsewhere"
    copied = save_result(make_result("copied in", created="2026-11-25T12:00:00"), elsewhere / "x.json")
    shutil.copy(copied, tmp_path / "copied.json")  # added by hand
    save_result(make_result("edited", created="2026-11-25T10:00:00"), first.path)  # rewritten by another program
    second.path.unlink()  # removed by hand
    assert _names(History(tmp_path)) == ["edited", "copied in"]
    assert sorted(files_read) == sorted(["copied.json", first.path.name])
    with sqlite3.connect(tmp_path / INDEX_NAME) as con:
        indexed = sorted(row[0] for row in con.execute("SELECT file FROM runs"))
    con.close()
    assert indexed == sorted(["copied.json", first.path.name])


def test_a_damaged_run_file_is_reported_at_every_start_and_listed_once_repaired(make_result, tmp_path):
    History(tmp_path).add(make_result("good"))
    bad = tmp_path / "zz-damaged.json"
    bad.write_text('{"format": "vggcompare-result", "format_version": 1, "config": ')
    for _ in range(2):  # the second listing comes from the index, and still warns
        entries, warnings = History(tmp_path).load()
        assert [e.name for e in entries] == ["good"] and len(warnings) == 1 and "zz-damaged.json" in warnings[0]
    save_result(make_result("repaired", created="2026-11-25T11:00:00"), bad)
    entries, warnings = History(tmp_path).load()
    assert [e.name for e in entries] == ["good", "repaired"] and warnings == []


def test_rename_delete_and_undo_keep_the_index_in_step(make_result, tmp_path, files_read):
    history = History(tmp_path)
    entry = history.add(make_result("old name"))
    history.rename(entry, "  new   name ")
    assert _names(History(tmp_path)) == ["new name"]
    trashed = history.delete(entry)
    assert _names(History(tmp_path)) == []
    history.undo_delete(trashed)
    files_read.clear()
    assert _names(History(tmp_path)) == ["new name"] and files_read == []


def test_an_unwritable_index_never_stops_saving_or_listing(make_result, tmp_path):
    (tmp_path / INDEX_NAME).mkdir()  # the index's path is taken by a folder: SQLite cannot open it
    history = History(tmp_path)
    entry = history.add(make_result("saved anyway"))
    assert entry.path.exists()
    assert _names(History(tmp_path)) == ["saved anyway"]


def test_listed_entries_read_the_full_result_only_when_asked(make_result, tmp_path):
    result = make_result("full", spread=0.01)
    History(tmp_path).add(result)
    [entry], _ = History(tmp_path).load()
    assert entry._result is None
    assert np.array_equal(entry.result.probabilities, result.probabilities)
