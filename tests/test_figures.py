"""`vggcompare figure`: one plot as SVG or PDF (vector, text as text) or PNG, without the image's folder."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from poppler import need_poppler, pdf_text
from vggcompare.cli import main
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.storage import export
from vggcompare.core.storage.result_file import save_result

PLOTS = ("top5", "variance", "passes", "inputs", "difference")


@pytest.fixture(scope="module")
def saved(tiny_models, photo, tmp_path_factory):
    """Two saved results of a picture kept in a folder that must not be printed."""
    import shutil

    folder = tmp_path_factory.mktemp("home") / "bob-private-folder"
    folder.mkdir()
    image = str(shutil.copy(photo, folder))
    c = ExperimentConfig(image=image, model=tiny_models["dropout"], labels=tiny_models["labels"], passes=4,
                         seeding="once", augment=AugmentConfig(enabled=True))
    a, b = run_experiment(c), run_experiment(c.replace(seed=9))
    out = tmp_path_factory.mktemp("results")
    return {"a": str(save_result(a, out / "a.json")), "b": str(save_result(b, out / "b.json")), "result": a}


def _png_size(path) -> tuple[int, int]:
    with Image.open(path) as picture:
        return picture.size


def _svg_text(path) -> str:
    root = ET.parse(path).getroot()  # raises if the SVG is not well-formed XML
    return " ".join(" ".join(e.itertext()) for e in root.iter() if e.tag.endswith("text"))


@pytest.mark.parametrize("plot", PLOTS)
def test_every_plot_is_written_as_svg_pdf_and_png(plot, saved, tmp_path, capsys):
    need_poppler()
    against = ["--against", saved["b"]] if plot == "difference" else []
    for ext in ("svg", "pdf", "png"):
        assert main(["figure", saved["a"], "--plot", plot, "--out", str(tmp_path / f"f.{ext}"), "--size", "900x500", *against]) == 0
    capsys.readouterr()
    svg, pdf = _svg_text(tmp_path / "f.svg"), pdf_text(tmp_path / "f.pdf")
    top = saved["result"].statistics.top5[0].label
    expected = {"top5": top, "variance": "thing", "passes": top, "inputs": "Pass 1", "difference": "B − A"}[plot]
    assert expected in svg and expected in pdf  # text stays text in both vector formats
    for text in (svg, pdf):
        assert "photo.png" in text and "bob-private-folder" not in text
    assert _png_size(tmp_path / "f.png") == (900, 500)


def test_svg_and_pdf_hold_no_picture_of_the_plot(saved, tmp_path, capsys):
    assert main(["figure", saved["a"], "--plot", "variance", "--out", str(tmp_path / "v.svg")]) == 0
    assert main(["figure", saved["a"], "--plot", "variance", "--out", str(tmp_path / "v.pdf")]) == 0
    capsys.readouterr()
    assert "<image" not in (tmp_path / "v.svg").read_text()
    assert b"/Subtype /Image" not in (tmp_path / "v.pdf").read_bytes()


def test_png_scale_multiplies_the_pixels_and_full_paths_shows_the_folder(saved, tmp_path, capsys):
    assert main(["figure", saved["a"], "--plot", "passes", "--out", str(tmp_path / "p.png"), "--size", "600x400", "--scale", "3"]) == 0
    assert _png_size(tmp_path / "p.png") == (1800, 1200)
    assert main(["figure", saved["a"], "--plot", "passes", "--out", str(tmp_path / "p.svg"), "--full-paths"]) == 0
    capsys.readouterr()
    assert "bob-private-folder" in _svg_text(tmp_path / "p.svg")


def test_figure_mistakes_are_one_line_errors(saved, tmp_path, capsys):
    assert main(["figure", saved["a"], "--plot", "difference", "--out", str(tmp_path / "d.svg")]) == 2
    assert "--against" in capsys.readouterr().err
    assert main(["figure", saved["a"], "--plot", "top5", "--out", str(tmp_path / "d.gif")]) == 2
    assert ".svg, .pdf or .png" in capsys.readouterr().err
    (tmp_path / "x.png").write_bytes(b"")
    assert main(["figure", saved["a"], "--plot", "top5", "--out", str(tmp_path / "x.png")]) == 2
    assert "--force" in capsys.readouterr().err


def test_report_command_writes_run_and_comparison_reports(saved, tmp_path, capsys):
    need_poppler()
    assert main(["report", saved["a"], "--out", str(tmp_path / "r.pdf")]) == 0
    assert main(["report", saved["a"], "--against", saved["b"], "--out", str(tmp_path / "c.pdf")]) == 0
    capsys.readouterr()
    assert "bob-private-folder" not in pdf_text(tmp_path / "r.pdf") + pdf_text(tmp_path / "c.pdf")
    assert "comparison report" in pdf_text(tmp_path / "c.pdf")


def test_csv_exports_name_no_folder(saved):
    r = saved["result"]
    assert "bob-private-folder" in r.config.image  # the result keeps the full path, for reproducing
    for text in (export.class_statistics_csv(r), export.pass_probabilities_csv(r)):
        assert "bob-private-folder" not in text and "photo.png" not in text


def test_the_spread_figure_of_a_bit_identical_run_is_its_message(tiny_models, photo, tmp_path, capsys):
    """Such a run has no spread plot at all (the panel says so in words), so the figure is the words."""
    plain = run_experiment(ExperimentConfig(image=photo, model=tiny_models["plain"], labels=tiny_models["labels"],
                                            passes=3, seeding="once"))
    assert plain.statistics.all_bit_identical
    path = save_result(plain, tmp_path / "same.json")
    assert main(["figure", str(path), "--plot", "variance", "--out", str(tmp_path / "same.svg")]) == 0
    assert "All 3 passes were bit-identical" in _svg_text(tmp_path / "same.svg")
    assert "Traceback" not in capsys.readouterr().err
