"""Runs of different models with the same 1000 ImageNet classes compare class by class; other classes are refused."""

from __future__ import annotations

import pytest

from vggcompare.cli import main
from vggcompare.core.analysis.compare import compare_results
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.resources import sample_path
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.storage.result_file import save_result


@pytest.fixture(scope="module")
def runs(tiny_models):
    image = str(sample_path("coffee"))
    base = ExperimentConfig(image=image, passes=2, seeding="once")
    return {
        "lite0": run_experiment(base.replace(model="efficientnet-lite0")),
        "mobilenet": run_experiment(base.replace(model="mobilenetv2-random")),
        "tiny": run_experiment(base.replace(model=tiny_models["plain"], labels=tiny_models["labels"])),
        "tiny-names": run_experiment(base.replace(model=tiny_models["plain"], labels=tiny_models["names"])),
    }


def test_two_models_on_the_imagenet_classes_compare_class_by_class(runs):
    a, b = runs["lite0"], runs["mobilenet"]
    cmp = compare_results(a, b)
    assert cmp.verdict.startswith("A is EfficientNet-Lite0 ImageNet and B is MobileNetV2 random weights: two models on "
                                  "the same 1000 classes, compared class by class.")
    assert "They disagree on the top-1" in cmp.verdict and not cmp.numbers.same_top1
    assert "model" in cmp.numbers.config_differences and cmp.numbers.mean_difference.shape == (1000,)
    same = compare_results(a, a)  # the same model: no models sentence
    assert not same.verdict.startswith("A is")


def test_the_cli_compare_report_and_figure_take_two_models_and_refuse_other_classes(runs, tmp_path, capsys):
    paths = {}
    for name, r in runs.items():
        paths[name] = str(tmp_path / f"{name}.json")
        save_result(r, paths[name])
    assert main(["compare", paths["lite0"], paths["mobilenet"]]) == 0
    out = capsys.readouterr().out
    assert "Verdict: A is EfficientNet-Lite0 ImageNet and B is MobileNetV2 random weights" in out
    for pair in (("lite0", "tiny"), ("tiny", "tiny-names")):
        assert main(["compare", paths[pair[0]], paths[pair[1]]]) == 2
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: the runs' classes differ") and "class by class" in lines[0]
    assert main(["report", paths["tiny"], "--against", paths["tiny-names"], "--out", str(tmp_path / "r.pdf")]) == 2
    assert "classes differ" in capsys.readouterr().err and not (tmp_path / "r.pdf").exists()
    assert main(["report", paths["lite0"], "--against", paths["mobilenet"], "--out", str(tmp_path / "m.pdf")]) == 0
    assert (tmp_path / "m.pdf").stat().st_size > 1000
