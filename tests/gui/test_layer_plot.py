"""The 'through the network' plot: markers by kind, the 'enters at' label, hover text; in the compare view and as a
figure (SVG, PDF, PNG) with its CSV."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.analysis.layers import LayerTrace, compare_layers


def _comparison():
    rng = np.random.default_rng(0)
    base = [rng.normal(size=256).astype(np.float32) for _ in range(5)]
    moved = [a.copy() for a in base]
    moved[2] = moved[2] * 1.01
    moved[3] = moved[3] * 1.1
    moved[4] = moved[4] * 1.2
    kinds = ["Conv2D", "ReLU", "BatchNormalization", "ReLU", "Dense"]
    names = ["conv", "relu", "bn", "relu_2", "dense"]
    return compare_layers(LayerTrace(names, kinds, base), LayerTrace(names, kinds, moved))


def test_the_plot_marks_kinds_labels_where_it_enters_and_names_layers_on_hover(qtbot):
    from vggcompare.render.plots.layer_plot import LayerPlot, floor_of, hover_text

    plot = LayerPlot()
    qtbot.addWidget(plot.widget)
    comparison = _comparison()
    plot.show(comparison)
    assert "enters at bn" in plot.label.toPlainText() and "BatchNormalization" in plot.label.toPlainText()
    symbols = sorted(item.opts["symbol"] for item in plot.points)
    assert symbols == ["d", "o", "s", "t1"]  # dense, others, convolution, BatchNorm
    texts = [t for item in plot.points for t in item.data["data"]]
    assert any(t.startswith("0: conv — Conv2D (convolution)\nbit-identical") for t in texts)
    assert hover_text(comparison.rows[2]).startswith("2: bn — BatchNormalization (BatchNorm)")
    assert floor_of(comparison) < min(r.relative for r in comparison.rows if r.relative > 0)
    assert plot.widget.getPlotItem().getAxis("left").logMode


def test_the_compare_view_shows_the_layer_plot_only_with_a_layer_comparison(qtbot):
    from vggcompare.gui.compare.compare_view import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    view.show_layers(_comparison())
    assert not view.layers.widget.isHidden() and view.layers_sentence.text().startswith("Enters at bn")
    view.show_layers(None)
    assert view.layers.widget.isHidden() and view.layers_title.isHidden()


@pytest.fixture(scope="module")
def layer_files(tmp_path_factory, photo):
    """Two saved results of a BatchNorm probe, inference and training mode, with their layer fingerprints."""
    import keras
    from keras import layers

    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.passes.engine import run_experiment
    from vggcompare.core.storage.result_file import save_result

    keras.utils.set_random_seed(4)
    folder = tmp_path_factory.mktemp("layer_files")
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Rescaling(1 / 255, name="rescale"), layers.Conv2D(4, 3, name="conv"),
                              layers.BatchNormalization(name="bn"), layers.GlobalAveragePooling2D(name="gap"),
                              layers.Dense(10, activation="softmax", name="dense")])
    path = str(folder / "bn.keras")
    model.save(path)
    cfg = ExperimentConfig(image=photo, model=path, passes=1, seeding="once")
    a = run_experiment(cfg, layers=True)
    b = run_experiment(cfg.replace(training_mode=True), layers=True)
    return str(save_result(a, folder / "a.json")), str(save_result(b, folder / "b.json"))


def test_figure_plot_layers_writes_svg_pdf_png_and_the_csv(layer_files, tmp_path, capsys):
    import xml.etree.ElementTree as ET

    from poppler import need_poppler, pdf_text
    from vggcompare.cli import main

    need_poppler()
    a, b = layer_files
    for ext in ("svg", "pdf", "png"):
        args = ["figure", a, "--plot", "layers", "--against", b, "--allow-model", "--out", str(tmp_path / f"l.{ext}"),
                "--size", "900x500"]
        assert main(args + (["--csv", str(tmp_path / "l.csv")] if ext == "svg" else [])) == 0
    out = capsys.readouterr().out
    assert "Layers: Enters at bn" in out
    root = ET.parse(tmp_path / "l.svg").getroot()
    svg = " ".join(" ".join(e.itertext()) for e in root.iter() if e.tag.endswith("text"))
    assert "enters at bn" in svg and "enters at bn" in pdf_text(tmp_path / "l.pdf")
    rows = (tmp_path / "l.csv").read_text().splitlines()
    assert rows[0].startswith("index,layer,kind") and [r.split(",")[1] for r in rows[1:]] == ["rescale", "conv", "bn", "gap", "dense"]
    assert main(["figure", a, "--plot", "layers", "--out", str(tmp_path / "x.svg")]) == 2


def test_the_comparison_report_shows_where_the_difference_enters(layer_files, tmp_path):
    from poppler import need_poppler, pdf_text
    from vggcompare.core.storage.result_file import load_result
    from vggcompare.render.report.compare_page import write_comparison_report

    need_poppler()
    a, b = (load_result(p) for p in layer_files)  # fingerprints only: compared by their hashes and samples
    path = write_comparison_report(a, b, tmp_path / "r.pdf")
    text = pdf_text(path)
    assert "Through the network" in text and "enters at bn" in text
    assert text.count("\f") <= 1  # one page


def test_the_layers_demonstration_answers_where_training_mode_breaks_the_model(qtbot, photo, tmp_path):
    import keras
    from keras import layers

    from sweep_helpers import drive
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.studies.presets.run import run_preset
    from vggcompare.gui.present.pages import AnswerPage
    from vggcompare.gui.present.questions import question

    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Rescaling(1 / 255, name="rescale"), layers.Conv2D(4, 3, name="conv"),
                              layers.BatchNormalization(name="bn"), layers.GlobalAveragePooling2D(name="gap"),
                              layers.Dense(10, activation="softmax", name="dense")])
    model.save(tmp_path / "bn.keras")
    outcome = drive(run_preset("layers", ExperimentConfig(image=photo, model=str(tmp_path / "bn.keras"))))[0]
    assert outcome.headline.startswith("Training mode enters at bn (BatchNormalization")
    assert outcome.rows[0][:3] == ["training mode", "bn", "bn"]
    assert question("layers") == "Where does training mode break the model?"
    page = AnswerPage()
    qtbot.addWidget(page)
    page.show_answer("layers", "done", outcome)
    assert page.layers is not None and not page.layers.widget.isHidden() and "enters at bn" in page.layers.label.toPlainText()
    page.show_answer("layers", "running")
    assert page.layers.widget.isHidden()


def test_a_training_mode_run_with_layers_says_where_it_enters_and_its_report_shows_it(layer_files, tmp_path):
    from poppler import need_poppler, pdf_text
    from vggcompare.core.storage.result_file import load_result, save_result
    from vggcompare.render.report.run_page import write_run_report

    need_poppler()
    plain, trained = (load_result(p) for p in layer_files)
    assert plain.layer_comparison is None  # inference: nothing to compare against
    comparison = trained.layer_comparison
    assert comparison.enters_at.name == "bn" and comparison.rows[1].identical  # conv, before it, untouched
    again = load_result(save_result(trained, tmp_path / "again.json"))
    assert again.layer_comparison.to_dict() == comparison.to_dict()
    text = pdf_text(write_run_report(trained, tmp_path / "run.pdf"))
    assert "training mode against inference" in text and "enters at bn" in text and text.count("\f") <= 1


def test_the_layer_figure_says_under_its_plot_what_was_compared(qtbot):
    from PySide6.QtWidgets import QLabel

    from vggcompare.core.analysis.result import RunResult
    from vggcompare.render.figures.build import _layers

    comparison = _comparison()
    matched = "TFLite (experimental_preserve_all_tensors=True): 3 of 5 Keras layers matched to a tensor; " + ", ".join(
        f"layer_{i}" for i in range(60))
    comparison.notes[:] = [matched]
    panel = _layers(None, RunResult.__new__(RunResult), {"layers": comparison})
    qtbot.addWidget(panel)
    texts = [label.text() for label in panel.findChildren(QLabel)]
    shown = next(text for text in texts if "3 of 5 Keras layers matched" in text)
    assert shown.endswith("…") and len(shown) < len(matched)  # a long list of names is cut at a word
