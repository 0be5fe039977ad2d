"""Sweeps: their numbers, their files, error rows, cancellation and resumption, and the two commands."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest
from sweep_helpers import VARIANTS, drive, photo_folder, probe_model, write_variants  # noqa: F401 - fixtures

from vggcompare.cli import main
from vggcompare.core.analysis.sweep_stats import image_numbers, summarise_variant, wilson_interval
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.studies.sweep.run import run_sweep
from vggcompare.core.studies.sweep.plan import find_images, preset_variants, variants_from_changes
from vggcompare.core.storage.sweep_table import SweepTable


def test_wilson_interval_matches_the_textbook_values():
    low, high = wilson_interval(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert wilson_interval(0, 15) == (0.0, pytest.approx(3.8415 / 18.8415, abs=1e-4))
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_image_numbers_of_a_changed_top1():
    ref = np.array([[0.7, 0.2, 0.1]], np.float32)
    var = np.array([[0.3, 0.6, 0.1], [0.3, 0.6, 0.1]], np.float32)
    n = image_numbers(ref, var)
    assert n.top1_changed and n.top1_index == 1 and n.reference_top1_index == 0 and n.top5_overlap == 3
    assert n.largest_change == pytest.approx(0.4, abs=1e-6) and n.largest_change_index in (0, 1)
    assert n.kl_divergence == pytest.approx(0.7 * np.log(0.7 / 0.3) + 0.2 * np.log(0.2 / 0.6), rel=1e-5)
    assert n.within_std == 0.0 and image_numbers(ref, ref).within_std is None and image_numbers(ref, ref).kl_divergence == 0


def test_variant_summary_counts_errors_apart():
    rows = [{"top1_changed": c, "largest_change": x, "top5_overlap": 5, "kl_divergence": 0.1, "error": None}
            for c, x in [(True, 0.5), (False, 0.1), (False, 0.2)]] + [{"error": "unreadable"}]
    s = summarise_variant("v", rows)
    assert (s.images, s.errors, s.top1_changed) == (3, 1, 1)
    assert s.flip_rate == pytest.approx(1 / 3) and s.largest_change_median == pytest.approx(0.2)
    assert s.flip_rate_low < 1 / 3 < s.flip_rate_high


def test_find_images_recurses_skips_hidden_and_other_files_and_reads_list_files(photo_folder, tmp_path):
    root, found = find_images(photo_folder)
    assert root == photo_folder.resolve() and "broken.jpg" in found and "set/cat.jpg" in found
    assert not any(".hidden" in f or f.endswith(".txt") for f in found) and len(found) == 16
    listing = photo_folder / "list.txt"
    listing.write_text("# two photos\nset/cat.jpg\n\nset/coffee.jpg\nset/cat.jpg\n")
    assert find_images(listing) == (photo_folder.resolve(), ["set/cat.jpg", "set/coffee.jpg"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no image"):
        find_images(tmp_path / "empty")


def test_preset_variants_put_the_reference_first_and_drop_duplicates():
    cfg = ExperimentConfig(model="vgg19-random", passes=4)
    variants, notes = preset_variants("numerics", cfg)
    names = [n for n, _ in variants]
    assert names[0] == "float32" and "bfloat16" in names and "deterministic ops off" not in names
    assert any("new process" in n for n in notes) and any("deterministic ops off" in n for n in notes)
    with pytest.raises(ConfigError, match="unknown setting"):
        variants_from_changes(cfg, {"variants": [{"name": "x", "changes": {"colour": 1}}]})


def _probe_config(model):
    return ExperimentConfig(model=model, passes=4, seeding="once", seed=7, preprocess="caffe")


def _variants(model):
    return variants_from_changes(_probe_config(model), VARIANTS)


def test_a_sweep_writes_rows_with_error_rows_and_a_summary(probe_model, photo_folder, tmp_path):
    out = tmp_path / "out"
    outcome, reports = drive(run_sweep(str(photo_folder), str(out), _probe_config(probe_model), variants=_variants(probe_model)))
    rows = list(csv.DictReader((out / "rows.csv").read_text().splitlines()))
    assert len(rows) == 16 * 3 and reports > 4
    broken = [r for r in rows if r["image"] == "broken.jpg"]
    assert len(broken) == 3 and all("broken.jpg" in r["error"] and not r["top1_label"] for r in broken)
    good = [r for r in rows if not r["error"]]
    # the probe notices: a resize filter and augmentation change every image's probabilities
    by_image = {}
    for r in good:
        by_image.setdefault(r["image"], {})[r["variant"]] = r["probabilities_sha256"]
    assert all(len(set(shas.values())) == 3 for shas in by_image.values())
    assert all(r["within_std"] for r in good) and all(float(r["largest_change"]) == 0 for r in good if r["variant"] == "reference")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["images_with_errors"] == 1 and summary["images_finished"] == 16
    assert [v["variant"] for v in summary["variants"]] == ["bilinear", "augmented"] and summary["variants"][0]["images"] == 15
    assert outcome.passes_run == 15 * 3 * 4 and outcome.groups_run == 4
    assert "15 images" in summary["headline"]


def test_a_cancelled_sweep_resumes_to_the_identical_table(probe_model, photo_folder, tmp_path):
    cfg, variants = _probe_config(probe_model), _variants(probe_model)
    whole, _ = drive(run_sweep(str(photo_folder), str(tmp_path / "whole"), cfg, variants=variants))
    gen = run_sweep(str(photo_folder), str(tmp_path / "cut"), cfg, variants=variants)
    for report in gen:
        if report.message.startswith("Group 2"):
            break  # the window's Cancel: the caller just stops iterating
    next(gen)  # one forward call into group 3
    gen.close()
    with SweepTable(tmp_path / "cut") as table:
        assert len(table.finished_images(3)) == 8 and len(table.rows()) == 8 * 3
    resumed, _ = drive(run_sweep(str(photo_folder), str(tmp_path / "cut"), cfg, variants=variants))
    assert resumed.groups_run == 2 and any("Resumed: 8" in n for n in resumed.notes)
    with SweepTable(tmp_path / "whole") as a, SweepTable(tmp_path / "cut") as b:
        assert a.rows() == b.rows()
    assert (tmp_path / "whole" / "rows.csv").read_bytes() == (tmp_path / "cut" / "rows.csv").read_bytes()
    (photo_folder / "set" / "late.jpg").write_bytes((photo_folder / "set" / "cat.jpg").read_bytes())
    appended, _ = drive(run_sweep(str(photo_folder), str(tmp_path / "cut"), cfg, variants=variants))
    assert appended.groups_run == 1 and appended.summary["images_finished"] == 17
    with pytest.raises(ConfigError, match="other settings"):
        drive(run_sweep(str(photo_folder), str(tmp_path / "cut"), cfg.replace(seed=8), variants=_variants(probe_model)[:2]))


def test_sweep_and_sweep_report_commands(probe_model, photo_folder, tmp_path, capsys):
    out, pdf, png = tmp_path / "o", tmp_path / "r.pdf", tmp_path / "chart.png"
    args = ["sweep", str(photo_folder), "--preset", "pitfalls", "--model", probe_model, "--preprocess", "caffe",
            "--out-dir", str(out), "--report", str(pdf), "--quiet"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "pitfall rescale-after-preprocess" in text and "15 images" in text and "(16 of 16 done, 1 unreadable)" in text
    from vggcompare.core.analysis.sweep_flips import flipped_images, worst_variant
    from vggcompare.core.storage.sweep_files import sweep_summary

    with SweepTable(out, create=False) as table:
        worst = worst_variant(sweep_summary(table))
        flips = flipped_images(table.rows(), worst)
    assert flips, "the pitfalls flip some top-1 of the probe, so the report has its grid page"
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) == 3
    from poppler import need_poppler, pdf_text, pdf_text_of_page

    need_poppler()
    assert photo_folder.name in pdf_text(pdf) and str(photo_folder.parent) not in pdf_text(pdf)  # the folder's name only
    grid = pdf_text_of_page(pdf, 3)
    assert f"Where '{worst}' flipped the top-1" in grid and grid.index(flips[0].image) < grid.index(flips[:12][-1].image)
    assert main(args) == 0 and "Ran 0 passes" in capsys.readouterr().out  # a finished sweep resumes to nothing
    assert main([*args[:3], "numerics", *args[4:]]) == 2 and "other settings" in capsys.readouterr().err
    assert main(["sweep-report", str(out), "--chart", str(png), "--markdown"]) == 0
    md = capsys.readouterr().out
    assert "| variant | images |" in md and "| bilinear resize | 15 |" in md
    assert png.read_bytes().startswith(b"\x89PNG") and not (out / "report.pdf").exists()  # --markdown: a PDF only on request
    assert main(["sweep-report", str(out), "--markdown", "--report", str(out / "report.pdf")]) == 0
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF") and "| variant |" in capsys.readouterr().out
    assert _markdown_without_qt(out) == md.splitlines()[:len(_markdown_without_qt(out))]
    assert main(["sweep-report", str(tmp_path / "nothing")]) == 2 and "holds no sweep" in capsys.readouterr().err


BLOCK_QT = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "pyqtgraph", "superqt", "shiboken6"):
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, Blocker())
from vggcompare.cli import main
code = main(sys.argv[1:])
bad = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "superqt", "shiboken6")]
print("loaded:", bad)
sys.exit(code)
"""


def _markdown_without_qt(out) -> list[str]:
    """``sweep-report DIR --markdown`` in a Python where importing PySide6, pyqtgraph or superqt fails."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", BLOCK_QT, "sweep-report", str(out), "--markdown"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "loaded: []" and "| bilinear resize | 15 |" in proc.stdout
    return lines[:-1]


def test_a_row_with_its_own_call_is_the_engines_run_bit_for_bit(probe_model, photo_folder, tmp_path):
    import hashlib

    from vggcompare.core.passes.engine import run_experiment

    cfg = _probe_config(probe_model).replace(passes=16)  # 16 passes fill a call: one image per group
    variants = variants_from_changes(cfg, VARIANTS)
    listing = photo_folder / "one.txt"
    listing.write_text("set/coffee.jpg\n")
    drive(run_sweep(str(listing), str(tmp_path / "o"), cfg, variants=variants))
    with SweepTable(tmp_path / "o") as table:
        rows = {r["variant"]: r["probabilities_sha256"] for r in table.rows()}
    for name, variant in variants:
        result = run_experiment(variant.replace(image=str(photo_folder / "set" / "coffee.jpg")))
        assert hashlib.sha256(result.probabilities.tobytes()).hexdigest() == rows[name], name
