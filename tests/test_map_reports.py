"""Reports and figures with explanation maps: the one-page reports stay one page (A4 and Letter), and the
figure's mean-map title stays on one line, level with the std map's."""

from __future__ import annotations

import pytest
from poppler import need_poppler, pdf_info, pdf_text

from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.passes.engine import run_experiment


@pytest.fixture(scope="module")
def mapped(tiny_models, photo):
    """Augmented runs with Grad-CAM maps (long thumbnail captions, a spread to plot) and one without augmentation."""
    c = ExperimentConfig(image=photo, model=tiny_models["dropout"], labels=tiny_models["labels"], passes=16, seeding="once",
                         augment=AugmentConfig(enabled=True), explain="gradcam")
    return run_experiment(c), run_experiment(c.replace(augment=AugmentConfig(enabled=False), passes=4))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_run_report_with_maps_is_one_page_with_the_maps_spread_and_settings(mapped, tmp_path, paper):
    need_poppler()
    from vggcompare.render.report import write_run_report

    for k, result in enumerate(mapped):
        pdf = write_run_report(result, tmp_path / f"run{k}.pdf", page_size=paper)
        info = pdf_info(pdf)
        assert info["Pages"] == "1" and paper in info["Page size"].lower(), (k, info)
        text = pdf_text(pdf)
        assert "Where the model looked" in text and "Environment" in text
        assert ("Spread over the passes" if result.statistics.all_bit_identical else "Spread of every class") in text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_comparison_report_with_maps_is_one_page(mapped, tmp_path, paper):
    need_poppler()
    from vggcompare.render.report import write_comparison_report

    pdf = write_comparison_report(*mapped, tmp_path / "cmp.pdf", page_size=paper)
    assert pdf_info(pdf)["Pages"] == "1"
    text = pdf_text(pdf)
    assert "Where the model looked, A and B" in text and "Settings and environment that differ" in text


def test_the_figures_mean_map_title_is_one_line_level_with_the_std_title(qapp, mapped):
    from PySide6.QtGui import QFont, QFontMetrics

    from vggcompare.render.figures.build import build_figure
    from vggcompare.render.figures.paper import discard

    figure = build_figure("explanation", mapped[0], width=1200, height=None, caption=False)
    panel = figure.panel
    assert panel.mean_caption.geometry().top() == panel.std_caption.geometry().top()
    bold = QFont(panel.mean_caption.font())
    bold.setBold(True)
    title = panel.mean_caption.text().split("<br>")[0].replace("<b>", "").replace("</b>", "")
    assert title == "Mean map of 16 passes" and QFontMetrics(bold).horizontalAdvance(title) < panel.mean_caption.width()
    for caption in (panel.mean_caption, panel.std_caption):  # no caption is cut off at the bottom
        assert caption.height() >= caption.heightForWidth(caption.width())
    discard(figure)
