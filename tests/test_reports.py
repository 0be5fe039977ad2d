"""PDF reports read back as a reader sees them: one page each, the verdict in words, no folders."""

from __future__ import annotations

import pytest

from poppler import need_poppler, pdf_info, pdf_text, pdf_text_of_page, rendered_pages
from test_presets import drive
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.studies.presets.run import run_preset


@pytest.fixture(scope="module")
def private(tiny_models, photo, tmp_path_factory):
    """The test picture, model and labels copied into a folder whose name must never be printed."""
    import shutil

    folder = tmp_path_factory.mktemp("home") / "ann-private-folder"
    folder.mkdir()
    paths = {key: str(shutil.copy(src, folder)) for key, src in
             (("image", photo), ("model", tiny_models["dropout"]), ("labels", tiny_models["labels"]))}
    paths["folder"] = str(folder)
    return paths


@pytest.fixture(scope="module")
def runs(private):
    c = ExperimentConfig(image=private["image"], model=private["model"], labels=private["labels"], passes=5,
                         seeding="once", augment=AugmentConfig(enabled=True))
    return run_experiment(c), run_experiment(c.replace(seed=7)), run_experiment(c.replace(augment=AugmentConfig(enabled=False)))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_run_report_is_one_page_with_the_verdict_and_no_folder(runs, private, tmp_path):
    need_poppler()
    from vggcompare.render.report import write_run_report

    pdf = write_run_report(runs[0], tmp_path / "run.pdf", page_size="a4")
    assert len(rendered_pages(pdf, tmp_path)) == 1
    text = pdf_text(pdf)
    assert _words(runs[0].verdict) in text
    assert "photo.png" in text and private["folder"] not in text and "ann-private-folder" not in text
    assert "a4" in pdf_info(pdf)["Page size"].lower()


def test_full_paths_shows_the_folder_when_asked(runs, private, tmp_path):
    need_poppler()
    from vggcompare.render.report import write_run_report

    text = pdf_text(write_run_report(runs[0], tmp_path / "run.pdf", full_paths=True, page_size="letter"))
    assert "ann-private-folder" in text.replace(" ", "")
    assert "letter" in pdf_info(tmp_path / "run.pdf")["Page size"].lower()


def test_bit_identical_run_says_so_in_one_line_instead_of_a_plot(runs, tmp_path):
    need_poppler()
    from vggcompare.render.report import write_run_report

    assert runs[2].statistics.all_bit_identical
    pdf = write_run_report(runs[2], tmp_path / "same.pdf")
    assert len(rendered_pages(pdf, tmp_path)) == 1
    assert "All 5 passes were bit-identical: every class's variance is exactly 0" in pdf_text(pdf)


def test_comparison_report_is_one_page_with_both_runs_and_what_differs(runs, private, tmp_path):
    need_poppler()
    from vggcompare.core.analysis.compare import compare_results
    from vggcompare.render.report import write_comparison_report

    pdf = write_comparison_report(runs[0], runs[1], tmp_path / "cmp.pdf")
    assert len(rendered_pages(pdf, tmp_path)) == 1
    text = pdf_text(pdf)
    assert _words(compare_results(runs[0], runs[1]).verdict) in text
    assert "Settings and environment that differ" in text and "seed" in text
    assert text.count("Top 5 classes") == 2 and "ann-private-folder" not in text


@pytest.fixture(scope="module")
def matrix(private):
    cfg = ExperimentConfig(image=private["image"], model=private["model"], labels=private["labels"], passes=3)
    return drive(run_preset("matrix", cfg))


def test_seeding_by_augmentation_report_is_one_page_without_the_appendix(matrix, tmp_path):
    need_poppler()
    from vggcompare.render.report import write_preset_report

    pdf = write_preset_report(matrix, tmp_path / "matrix.pdf")
    assert len(rendered_pages(pdf, tmp_path)) == 1
    text = pdf_text(pdf)
    assert _words(matrix.headline) in text and "augmentation off" in text and "ann-private-folder" not in text


def test_the_matrix_report_names_its_image_by_file_name(matrix, private, tmp_path):
    need_poppler()
    from pathlib import Path

    from vggcompare.render.report import write_preset_report

    name = Path(private["image"]).name
    assert {Path(r.config.image).name for r in matrix.runs.values()} == {name}  # every run analysed the one picture
    text = pdf_text(write_preset_report(matrix, tmp_path / "matrix.pdf"))
    assert f"Image: {name}." in text and "ann-private-folder" not in text
    full = pdf_text(write_preset_report(matrix, tmp_path / "matrix-full.pdf", full_paths=True))
    assert f"Image: {_words(private['image'])}." in full


def test_appendix_gives_identical_runs_one_line_and_varying_runs_a_page(matrix, tmp_path):
    need_poppler()
    from vggcompare.render.report import write_preset_report

    pdf = write_preset_report(matrix, tmp_path / "matrix.pdf", appendix=True)
    varying = [label for label, r in matrix.runs.items() if not r.statistics.all_bit_identical]
    identical = [label for label in matrix.runs if label not in varying]
    assert varying and identical
    assert len(rendered_pages(pdf, tmp_path)) == 1 + 1 + len(varying)  # page, appendix lines, a page per varying run
    text = pdf_text(pdf)
    assert all(f"{label}: all 3 passes bit-identical" in text for label in identical)
    assert all(f"Run: {label}" in text for label in varying)


def test_a_wide_table_turns_the_page_to_landscape(matrix, tmp_path):
    need_poppler()
    from dataclasses import replace

    from vggcompare.render.report import write_preset_report

    wide = replace(matrix, columns=[f"a long column heading {i}" for i in range(6)],
                   rows=[[f"a cell with a fair amount of text {i}" for i in range(6)]])
    size = pdf_info(write_preset_report(wide, tmp_path / "wide.pdf", page_size="a4"))["Page size"]
    width, height = (float(v) for v in size.split("pts")[0].split(" x "))
    assert width > height
    assert "a4" in size.lower()


def test_the_page_size_follows_the_locale():
    from PySide6.QtCore import QLocale
    from PySide6.QtGui import QPageSize

    from vggcompare.render.report.page import locale_page_size

    assert locale_page_size(QLocale("en_US")).id() == QPageSize.PageSizeId.Letter
    assert locale_page_size(QLocale("de_DE")).id() == QPageSize.PageSizeId.A4
    assert locale_page_size(QLocale("en_GB")).id() == QPageSize.PageSizeId.A4


def test_comparing_a_run_with_itself_says_so_in_one_line_instead_of_an_empty_plot(runs, tmp_path):
    need_poppler()
    from vggcompare.render.report import write_comparison_report

    text = pdf_text(write_comparison_report(runs[0], runs[0], tmp_path / "same.pdf"))
    assert "B reproduces A bit for bit." in text
    assert "None: every class's mean probability is the same in A and B." in text and "class number" not in text


def test_settings_table_writes_range_pairs_and_the_augmentation_engine(runs):
    from dataclasses import replace

    from vggcompare.render.report.blocks import settings_pairs

    augment = AugmentConfig(enabled=True, zoom=[0.8, 1.2], width_shift=[-3, 0, 3])
    pairs = dict(settings_pairs(replace(runs[0], config=runs[0].config.replace(augment=augment))))
    assert "zoom [0.8, 1.2]" in pairs["augmentation"] and "shift [-3, 0, 3]/0.2" in pairs["augmentation"]
    assert pairs["augmentation"].startswith("on (generator)")


def test_a_table_longer_than_a_page_continues_on_the_next_instead_of_running_off(matrix, tmp_path):
    need_poppler()
    from dataclasses import replace

    from vggcompare.render.report import write_preset_report

    long = replace(matrix, rows=[[f"row {i}", "a", "b"] for i in range(120)])
    pdf = write_preset_report(long, tmp_path / "long.pdf", page_size="a4")
    assert len(rendered_pages(pdf, tmp_path)) >= 2
    text = pdf_text(pdf)
    assert "row 0 " in text and "row 119 " in text
    header = " ".join(matrix.columns)
    pages = [pdf_text_of_page(pdf, n) for n in (1, 2)]
    assert header in pages[0] and header in pages[1]  # the continued table repeats its header row
    assert "row 0 " not in pages[1] and any(f"row {i} " in pages[1] for i in range(20, 120))  # and goes on from where it stopped


def test_a_table_without_rows_still_shows_its_header(matrix, tmp_path):
    need_poppler()
    from dataclasses import replace

    from vggcompare.render.report import write_preset_report

    pdf = write_preset_report(replace(matrix, rows=[]), tmp_path / "empty.pdf", page_size="a4")
    assert " ".join(matrix.columns) in pdf_text(pdf)
