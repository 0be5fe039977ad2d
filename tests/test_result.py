"""Saving and loading results: exact round trips, atomic writes, clear errors for bad files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vggcompare.core.atomic import atomic_write_text
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.errors import ResultFileError
from vggcompare.core.storage.result_file import load_result, save_result

KEYS = {"config", "environment", "labels", "probabilities", "augmentation", "statistics", "verdict"}


@pytest.fixture(scope="module")
def result(tiny_models, photo):
    c = ExperimentConfig(image=photo, model=tiny_models["dropout"], labels=tiny_models["labels"], passes=9,
                         seeding="once", augment=AugmentConfig(enabled=True), dropout=0.5)
    return run_experiment(c)


def test_save_and_load_round_trip_exactly(result, tmp_path):
    path = save_result(result, tmp_path / "r.json")
    back = load_result(path)
    assert np.array_equal(back.probabilities.view(np.uint32), result.probabilities.view(np.uint32))
    assert back.config == result.config and back.labels == result.labels
    assert back.augmentation == result.augmentation and back.verdict == result.verdict
    assert [t.png for t in back.thumbnails] == [t.png for t in result.thumbnails]
    assert back.statistics.to_dict() == result.statistics.to_dict()


def test_json_has_the_documented_top_level_keys(result, tmp_path):
    doc = json.loads(save_result(result, tmp_path / "r.json").read_text())
    assert KEYS <= set(doc)
    assert len(doc["probabilities"]) == 9 and len(doc["probabilities"][0]) == 10


def test_failed_write_leaves_the_old_file_intact(result, tmp_path):
    path = save_result(result, tmp_path / "r.json")
    before = path.read_bytes()

    def boom(handle):
        handle.write(b"partial")
        raise RuntimeError("disk full")

    from vggcompare.core.atomic import atomic_write

    with pytest.raises(RuntimeError):
        atomic_write(path, boom)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("probabilities"), "lacks probabilities"),
        (lambda d: d.update(format_version=99), "newer vggcompare \\(result format version 99"),
        (lambda d: d.update(format="other"), "not a vggcompare result"),
        (lambda d: d["probabilities"].pop(), "holds 8 passes but its configuration says 9"),
        (lambda d: [row.append(0.5) for row in d["probabilities"]], "do not match its 10 labels"),
        (lambda d: d["probabilities"][0].append(0.5), "not a table of numbers"),
        (lambda d: d["probabilities"][0].__setitem__(0, 0.1), "not exact float32"),
        (lambda d: d["config"].update(passes=-3), "configuration is invalid"),
        (lambda d: d.update(labels="cat"), "labels are not a list"),
        (lambda d: d.update(augmentation=[]), "augmentation for 0 passes, not 9"),
        (lambda d: d.update(statistics="nonsense"), "statistics do not belong"),
    ],
)
def test_damaged_documents_are_refused_with_a_sentence(result, tmp_path, mutate, message):
    doc = json.loads(save_result(result, tmp_path / "r.json").read_text())
    mutate(doc)
    atomic_write_text(tmp_path / "bad.json", json.dumps(doc))
    with pytest.raises(ResultFileError, match=message):
        load_result(tmp_path / "bad.json")


def test_truncated_and_missing_files_are_refused(result, tmp_path):
    text = save_result(result, tmp_path / "r.json").read_text()
    (tmp_path / "cut.json").write_text(text[: len(text) // 2])
    with pytest.raises(ResultFileError, match="not valid JSON"):
        load_result(tmp_path / "cut.json")
    with pytest.raises(ResultFileError, match="does not exist"):
        load_result(tmp_path / "nope.json")
    with pytest.raises(ResultFileError, match="folder"):
        load_result(tmp_path)
