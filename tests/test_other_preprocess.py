"""Another architecture's preprocess_input: named plainly in the pitfalls demonstration and the sweep variants."""

from __future__ import annotations

import pytest

from vggcompare.core.catalog import other_architecture_preprocess
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.job_driver import drive
from vggcompare.core.resources import sample_path
from vggcompare.core.studies.presets.run import run_preset
from vggcompare.core.studies.sweep.plan import preset_variants


@pytest.mark.parametrize("model, expected", [
    ("efficientnet-lite0", ("caffe", "VGG's preprocessing (caffe) on EfficientNet-Lite0")),
    ("vgg19", ("tf", "MobileNet's preprocessing (tf) on VGG19")),
    ("mobilenetv2-random", ("caffe", "VGG's preprocessing (caffe) on MobileNetV2")),
    ("densenet121", ("caffe", "VGG's preprocessing (caffe) on DenseNet121")),
])
def test_each_model_gets_another_architectures_mode_named_plainly(model, expected):
    cfg = ExperimentConfig(model=model)
    assert other_architecture_preprocess(cfg.model, cfg.effective_preprocess) == expected


def test_the_sweep_variants_hold_it_after_the_reference():
    variants, _ = preset_variants("pitfalls", ExperimentConfig(model="efficientnet-lite0"))
    names = [n for n, _ in variants]
    assert names[:2] == ["reference (lite, nearest)", "VGG's preprocessing (caffe) on EfficientNet-Lite0"]
    assert dict(variants)[names[1]].effective_preprocess == "caffe"


def test_vggs_preprocessing_on_efficientnet_lite0_moves_the_real_models_answer():
    cfg = ExperimentConfig(image=str(sample_path("cat")), model="efficientnet-lite0", passes=1)
    out = drive(run_preset("pitfalls", cfg))
    name = "VGG's preprocessing (caffe) on EfficientNet-Lite0"
    ref, wrong = out.runs["reference (lite, nearest)"], out.runs[name]
    assert ref.labels[ref.statistics.top1_mode] == "Egyptian cat"
    assert dict(out.bars)[name] > 0.1  # caffe's inputs (about ±128) are far outside (x − 127) / 128's ±1
    assert wrong.config.preprocess == "caffe" and wrong.environment.preprocess == "caffe"
    assert [row[0] for row in out.rows][:2] == ["reference (lite, nearest)", name]
