"""History that survives restarts, exports that read back, and fresh-process repeats."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from vggcompare.core.storage import export
from vggcompare.core.analysis.compare import compare_results
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.storage.history import History


@pytest.fixture(scope="module")
def runs(tiny_models, photo):
    c = ExperimentConfig(image=photo, model=tiny_models["dropout"], labels=tiny_models["labels"], passes=6,
                         seeding="once", augment=AugmentConfig(enabled=True))
    return run_experiment(c), run_experiment(c), run_experiment(c.replace(seed=43))


def test_history_survives_a_restart_and_skips_a_corrupt_file(runs, tmp_path):
    h = History(tmp_path)
    first = h.add(runs[0])
    h.add(runs[2])
    (tmp_path / "zz-damaged.json").write_text('{"format": "vggcompare-result", "format_version": 1, "config": ')
    entries, warnings = History(tmp_path).load()  # a new History object: as after a restart
    assert len(entries) == 2 and len(warnings) == 1 and "zz-damaged.json" in warnings[0]
    assert np.array_equal(entries[0].result.probabilities, runs[0].probabilities) or np.array_equal(
        entries[1].result.probabilities, runs[0].probabilities)
    h.rename(first, "my favourite run")
    assert any(e.result.name == "my favourite run" for e in History(tmp_path).load()[0])


def test_delete_can_be_undone(runs, tmp_path):
    h = History(tmp_path)
    entry = h.add(runs[0])
    trashed = h.delete(entry)
    assert h.load()[0] == []
    back = h.undo_delete(trashed)
    assert back.path.exists() and len(h.load()[0]) == 1


def test_comparing_identical_seeded_runs_says_bit_identical(runs):
    cmp = compare_results(runs[0], runs[1])
    assert cmp.numbers.bit_identical and cmp.verdict.startswith("B reproduces A bit for bit")


def test_comparing_different_runs_gives_the_right_largest_difference(runs):
    cmp = compare_results(runs[0], runs[2])
    expected = np.abs(runs[0].probabilities.astype("f8") - runs[2].probabilities.astype("f8")).max()
    assert cmp.numbers.max_abs_difference == pytest.approx(expected)
    assert cmp.numbers.config_differences == ("seed",)
    assert "Settings that differ: seed." in cmp.verdict


def test_csv_exports_read_back(runs, tmp_path):
    r = runs[0]
    path = export.export_class_statistics(r, tmp_path / "stats.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert len(rows) == 10 and rows[3]["label"] == "thing 3"
    assert float(rows[3]["mean"]) == pytest.approx(float(r.statistics.mean[3]))
    assert float(rows[3]["std"]) == pytest.approx(float(r.statistics.std[3]))
    probs = list(csv.reader(io.StringIO(export.export_pass_probabilities(r, tmp_path / "p.csv").read_text())))
    assert probs[0][:2] == ["pass", "thing 0"] and len(probs) == 7
    assert np.float32(float(probs[2][5])) == r.probabilities[1, 4]
    with pytest.raises(export.ExportExists):
        export.export_class_statistics(r, tmp_path / "stats.csv")
    doc = json.loads(export.export_json(r, tmp_path / "r.json").read_text())
    assert doc["verdict"] == r.verdict


def test_pdf_report_has_the_expected_pages(runs, tmp_path):
    import shutil
    import subprocess

    from vggcompare.render.report import write_comparison_report, write_run_report

    one = write_run_report(runs[0], tmp_path / "run.pdf")
    two = write_comparison_report(runs[0], runs[2], tmp_path / "cmp.pdf")
    for pdf in (one, two):
        assert pdf.read_bytes().startswith(b"%PDF")
    pages = [_page_count(pdf) for pdf in (one, two)]
    assert pages == [1, 1]  # each report is one page (tests/test_reports.py reads them back with poppler)
    if shutil.which("pdfinfo"):  # poppler agrees, where it is installed
        info = subprocess.run(["pdfinfo", str(one)], capture_output=True, text=True).stdout
        assert f"Pages:           {pages[0]}" in info


def _page_count(pdf):
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_repeat_in_a_fresh_process_reproduces_a_seeded_run(runs):
    from vggcompare.core.process.fresh import run_in_fresh_process

    again = run_in_fresh_process(runs[0].config)
    cmp = compare_results(runs[0], again)
    assert cmp.numbers.bit_identical, cmp.verdict


def test_listed_runs_keep_only_their_summary_until_opened(runs, tmp_path):
    History(tmp_path).add(runs[0])
    entry = History(tmp_path).load()[0][0]
    assert entry._result is None  # checked on load, but not held in memory
    assert entry.verdict == runs[0].verdict and entry.name in entry.summary() and entry.name == (runs[0].name or runs[0].config.summary())
    assert np.array_equal(entry.result.probabilities, runs[0].probabilities)  # read again when needed
