"""Right-click → "Save figure as…": the figure follows the panel's current choices and hides folders."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from vggcompare.core.atomic import atomic_write_bytes
from vggcompare.core.passes.engine import run_experiment
from vggcompare.gui.window import figure_menu as context
from vggcompare.render.plots.variance_plot import VariancePlot

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def result(gui_model):
    from vggcompare.core.config import AugmentConfig, ExperimentConfig
    from vggcompare.core.resources import sample_path

    return run_experiment(ExperimentConfig(image=str(sample_path("cat")), model=gui_model["model"], labels=gui_model["labels"],
                                           passes=6, seeding="once", augment=AugmentConfig(enabled=True)))


def _svg_text(path) -> str:
    return " ".join(" ".join(e.itertext()) for e in ET.parse(path).getroot().iter() if e.tag.endswith("text"))


@pytest.fixture
def panel(qtbot, result):
    """A spread plot showing the run, with the right-click menu; ``panel.saved`` and ``panel.errors`` record."""
    plot = VariancePlot()
    qtbot.addWidget(plot)
    plot.show_result(result)
    plot.saved, plot.errors = [], []
    def write(path, data):  # the window hands this to a file job; here it is written at once
        plot.saved.append(atomic_write_bytes(path, data))

    context.install_save_figure(plot, "variance", lambda: plot.result, write, plot.errors.append,
                                targets=[plot.plot_widget.viewport()])
    return plot


def test_saved_figure_follows_the_panels_order_and_names_no_folder(panel, tmp_path, monkeypatch):
    panel.sort.setChecked(True)
    saved, errors = panel.saved, panel.errors
    monkeypatch.setattr(context, "ask_figure_path", lambda _parent, _kind: (str(tmp_path / "spread.svg"), 1))
    panel.save_figure_now()
    assert not errors and saved == [tmp_path / "spread.svg"]
    text = _svg_text(saved[0])
    assert "classes, largest spread first" in text  # the sorted order the panel showed
    assert "cat.png" in text and str(tmp_path.parent) not in text and "/resources/samples" not in text


def test_cancelled_dialog_writes_nothing_and_png_scale_is_kept(panel, tmp_path, monkeypatch):
    saved, errors = panel.saved, panel.errors
    monkeypatch.setattr(context, "ask_figure_path", lambda _parent, _kind: None)
    panel.save_figure_now()
    assert saved == [] and errors == []
    monkeypatch.setattr(context, "ask_figure_path", lambda _parent, _kind: (str(tmp_path / "s.png"), 2))
    panel.save_figure_now()
    from PySide6.QtGui import QImage

    assert QImage(str(saved[0])).width() == 2400


def test_a_file_that_cannot_be_written_is_reported_not_raised(panel, tmp_path, monkeypatch):
    saved, errors = panel.saved, panel.errors
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setattr(context, "ask_figure_path", lambda _parent, _kind: (str(tmp_path / "a-file" / "s.svg"), 1))
    panel.save_figure_now()
    assert saved == [] and len(errors) == 1
