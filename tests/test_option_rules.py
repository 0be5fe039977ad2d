"""Each option's requirements and conflicts, stated once: the table, validation, the CLI, the checkup and preprocessing read it."""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np
import pytest

import vggcompare
from vggcompare.cli import main
from vggcompare.core import option_rules
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.preprocess import preprocess
from vggcompare.core.option_rules import CONFLICTS, REQUIRES, RULES, check, is_on, why_not
from vggcompare.core.studies.checkup_causes import causes_for

BGR = "pitfalls=no-bgr-swap"
BGR_SENTENCE = "the pitfall no-bgr-swap only applies to caffe preprocessing (VGG19's)"

# For each option, a configuration that breaks its first rule (the option on, the condition broken).
BREAKING = {
    BGR: dict(preprocess="tf", pitfalls=("no-bgr-swap",)),
    "reinit_weights": dict(reinit_weights=True),
    "weights": dict(model="vgg19-random", weights="w.h5"),
    "antialias": dict(antialias=True),
    "dct_method": dict(dct_method="INTEGER_ACCURATE"),
    "pitfalls=opencv-bgr": dict(pitfalls=("opencv-bgr",)),
    "pitfalls=apply-exif": dict(loader="opencv", interpolation="bilinear", pitfalls=("apply-exif",)),
    "pitfalls=alpha-on-white": dict(loader="opencv", interpolation="bilinear", pitfalls=("alpha-on-white",)),
    "training_part": dict(training_part="batchnorm"),
    "training_mode": dict(training_mode=True, call="predict"),
    "kernels": dict(kernels="onednn", backend="jax"),
    "h5_reader": dict(h5_reader="tf-keras", model="model.keras"),
    "deterministic_ops": dict(deterministic_ops=True, backend="jax"),
    "threads": dict(threads=2, backend="jax"),
    "pitfalls=double-preprocess": dict(pitfalls=("double-preprocess",), preprocess_function="mine"),
    "pitfalls=rescale-after-preprocess": dict(pitfalls=("rescale-after-preprocess",), preprocess_function="mine"),
    "interpolation": dict(interpolation="bilinear", loader_function="mine"),
    "explain_class": dict(explain_class="cat"),
    "explain_passes": dict(explain_passes=2),
    # where the model is served
    "model": dict(model="app.tflite", runtime="onnxruntime"),
    "call": dict(call="eager", runtime="savedmodel"),
    "precision": dict(precision="bfloat16", runtime="tflite"),
    "dropout": dict(dropout=0.5, runtime="tflite-int8"),
    "explain=gradcam": dict(explain="gradcam", runtime="onnxruntime"),
    "tflite_xnnpack": dict(tflite_xnnpack=False, runtime="onnxruntime"),
    "tflite_threads": dict(tflite_threads=2),
    "calibration": dict(calibration="photos", runtime="tflite"),
    "reference_model": dict(reference_model="model.keras"),
}


def test_every_rule_is_written_in_the_documented_format():
    fields = {f.name for f in dataclasses.fields(ExperimentConfig)}
    readable = fields | {"effective_preprocess", "model_preprocess", "is_custom_model"}
    for rule in RULES:
        assert rule.option.partition("=")[0] in fields and rule.kind in (REQUIRES, CONFLICTS), rule.option
        assert rule.reads and set(rule.reads) <= readable, rule.option
        assert rule.sentence[:1].islower() and not rule.sentence.endswith(".") and "\n" not in rule.sentence, rule.option
    assert {rule.option for rule in RULES} == set(BREAKING)


@pytest.mark.parametrize("option", list(BREAKING))
def test_validation_refuses_each_broken_rule_with_its_sentence(option):
    config = ExperimentConfig(**BREAKING[option])
    assert is_on(option, config) and why_not(option, config)
    with pytest.raises(ConfigError) as caught:
        config.validate()
    assert str(caught.value) == why_not(option, config)


def test_an_option_that_is_off_breaks_no_rule_and_asking_with_a_few_values_answers_their_rules():
    config = ExperimentConfig(preprocess="tf")
    assert not is_on(BGR, config) and why_not(BGR, config) == BGR_SENTENCE
    check(config)  # the rule's option is off: nothing to refuse
    assert why_not(BGR, {"effective_preprocess": "caffe"}) == "" and why_not(BGR, {"effective_preprocess": "lite"}) == BGR_SENTENCE
    assert why_not("antialias", {"loader": "tf-dataset"}) == "" and why_not("antialias", {"loader": "opencv"})


def test_the_bgr_rule_follows_the_models_own_preprocessing():
    assert why_not(BGR, ExperimentConfig(model="vgg19")) == ""  # auto: caffe
    assert why_not(BGR, ExperimentConfig(model="efficientnet-lite0")) == BGR_SENTENCE  # auto: lite
    assert why_not(BGR, ExperimentConfig(model="vgg19", preprocess_function="mine"))  # its own function replaces caffe


def test_the_cli_the_preprocessing_and_the_checkup_say_the_bgr_rule_in_its_words(capsys, photo):
    code = main(["run", photo, "--model", "vgg19-random", "--preprocess", "tf", "--pitfall", "no-bgr-swap", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and f"error: {BGR_SENTENCE}" in err and "Traceback" not in err
    with pytest.raises(ConfigError, match=r"only applies to caffe preprocessing \(VGG19's\)$"):
        preprocess(np.zeros((1, 4, 4, 3), np.float32), "tf", ("no-bgr-swap",))
    causes = {c.key: c for c in causes_for(ExperimentConfig(model="efficientnet-lite0"), None)}
    assert causes["no BGR swap"].not_applicable == BGR_SENTENCE
    assert not {c.key: c for c in causes_for(ExperimentConfig(model="vgg19"), None)}["no BGR swap"].not_applicable


def test_the_bgr_sentence_is_written_only_in_the_table():
    package = pathlib.Path(vggcompare.__file__).parent
    holders = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if "only applies to caffe" in p.read_text())
    assert holders == ["core/option_rules.py"]
    assert option_rules.rules_for(BGR)[0].sentence == BGR_SENTENCE


@pytest.mark.parametrize("option, value", [("threads", 1), ("kernels", "eigen"), ("deterministic_ops", True)])
def test_tensorflows_process_settings_do_not_apply_to_a_tflite_or_onnx_runtime_but_do_to_a_savedmodel(option, value):
    for runtime in ("tflite", "tflite-int8", "onnxruntime"):
        config = ExperimentConfig(runtime=runtime, **{option: value})
        with pytest.raises(ConfigError, match="TensorFlow's setting, which a TFLite interpreter or an ONNX Runtime session does not read"):
            config.validate()
    ExperimentConfig(runtime="savedmodel", **{option: value}).validate()  # a SavedModel runs in TensorFlow


def test_the_checkup_of_a_tflite_reference_says_why_the_kernel_library_and_threads_do_not_apply():
    causes = {c.key: c for c in causes_for(ExperimentConfig(model="efficientnet-lite0", runtime="tflite"), None)}
    for key in ("kernel library", "threads"):
        assert "does not read" in causes[key].not_applicable, causes[key]
    saved = {c.key: c for c in causes_for(ExperimentConfig(model="efficientnet-lite0", runtime="savedmodel"), None)}
    assert "does not read" not in saved["threads"].not_applicable
