"""Demonstrations on a model served by an exported runtime, or given as a SavedModel folder: the steps that do not
apply are skipped (with the run they are compared with), each with the option rule's or the model form's sentence,
and the others run."""

from __future__ import annotations

import importlib.util

import pytest

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.job_driver import drive
from vggcompare.core.model.model_forms import not_applicable
from vggcompare.core.option_rules import why_not
from vggcompare.core.studies.presets.base import Preset, Step
from vggcompare.core.studies.presets.registry import PRESETS
from vggcompare.core.studies.presets.run import run_preset
from vggcompare.core.studies.sweep.plan import preset_variants

BF16_ON_A_RUNTIME = why_not("precision", {"runtime": "tflite"})
TRAINING_ON_A_RUNTIME = why_not("training_mode", {"runtime": "tflite", "call": "compiled"})


def _labels(steps) -> list[str]:
    return [step.label for step in steps]


def test_the_sentences_are_the_option_rules():
    assert BF16_ON_A_RUNTIME.startswith("bfloat16 is a Keras precision policy")
    assert TRAINING_ON_A_RUNTIME.startswith("an exported model has no training mode")


def test_numerics_on_an_exported_runtime_skips_the_precision_pair_and_tensorflows_process_settings():
    keras_cfg = ExperimentConfig(model="probe.keras", passes=2)
    all_steps, none_skipped = PRESETS["numerics"].applicable(keras_cfg)
    assert none_skipped == [] and "bfloat16" in _labels(all_steps)  # served by Keras, nothing is left out
    steps, notes = PRESETS["numerics"].applicable(keras_cfg.replace(runtime="tflite"))
    assert notes[:2] == [f"'float32' is skipped with 'bfloat16', the run it is compared with.",
                         f"'bfloat16' is skipped: {BF16_ON_A_RUNTIME}."]
    tensorflows = {"determinism", "threads", "kernels"}  # settings a LiteRT interpreter does not read
    skipped = {"float32", "bfloat16"} | {step.label for step in all_steps if step.pair in tensorflows}
    assert _labels(steps) == [label for label in _labels(all_steps) if label not in skipped]
    assert f"'1 thread (fresh process)' is skipped: {why_not('threads', {'runtime': 'tflite'})}." in notes
    assert all(step.config.runtime == "tflite" for step in steps)
    paired = [step for step in steps if step.pair]
    assert len(paired) % 2 == 0 and all(a.pair == b.pair for a, b in zip(paired[::2], paired[1::2]))
    saved_steps, saved_notes = PRESETS["numerics"].applicable(keras_cfg.replace(runtime="savedmodel"))
    assert "1 thread (fresh process)" in _labels(saved_steps)  # a SavedModel runs in TensorFlow


def test_a_saved_model_folder_skips_the_steps_its_form_cannot_take(tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"")  # the form is known from the folder; nothing of it is read here
    reasons = not_applicable(str(folder))
    cfg = ExperimentConfig(model=str(folder), passes=2, trust_model=True)
    steps, notes = PRESETS["layers"].applicable(cfg)
    assert _labels(steps) == ["inference"]
    assert notes == [f"'training mode' is skipped: {reasons['training mode']}.", f"'bfloat16' is skipped: {reasons['bfloat16']}."]
    steps, notes = PRESETS["numerics"].applicable(cfg)
    assert f"'bfloat16' is skipped: {reasons['bfloat16']}." in notes and "float32" not in _labels(steps)
    if importlib.util.find_spec("jax") is not None:
        assert f"'JAX backend (fresh process)' is skipped: {reasons['jax backend']}." in notes
        assert "TensorFlow backend (fresh process)" not in _labels(steps)


def test_a_sweep_of_numerics_on_an_exported_runtime_keeps_float32_as_its_reference():
    variants, notes = preset_variants("numerics", ExperimentConfig(model="probe.keras", passes=2, runtime="tflite"))
    names = [name for name, _cfg in variants]
    assert names[0] == "float32" and "bfloat16" not in names
    assert f"'bfloat16' is skipped: {BF16_ON_A_RUNTIME}." in notes


def test_the_numerics_demonstration_runs_on_tflite_and_says_what_it_skipped(probe_model, photo):
    cfg = ExperimentConfig(image=photo, model=probe_model[0], passes=2, runtime="tflite")
    outcome = drive(run_preset("numerics", cfg))
    assert "bfloat16" not in outcome.runs and "float32" not in outcome.runs
    assert f"'bfloat16' is skipped: {BF16_ON_A_RUNTIME}." in outcome.notes
    assert all(run.config.runtime == "tflite" for run in outcome.runs.values())
    assert outcome.rows and not any("bfloat16" in row[0] for row in outcome.rows)
    assert all(len(row) == len(outcome.columns) for row in outcome.rows)


def test_the_layers_demonstration_on_tflite_runs_inference_and_says_nothing_else_applies(probe_model, photo):
    cfg = ExperimentConfig(image=photo, model=probe_model[0], passes=1, runtime="tflite")
    outcome = drive(run_preset("layers", cfg))
    assert list(outcome.runs) == ["inference"] and outcome.rows == []
    assert outcome.headline.startswith("Neither training mode nor a bfloat16 copy applies")
    assert f"'training mode' is skipped: {TRAINING_ON_A_RUNTIME}." in outcome.notes


@pytest.mark.parametrize("name", ["popular-1", "popular-2"])
def test_the_popular_answers_examples_run_on_tflite_with_no_step_skipped(name, probe_model, photo):
    outcome = drive(run_preset(name, ExperimentConfig(image=photo, model=probe_model[0], passes=2, runtime="tflite")))
    assert outcome.runs and outcome.headline and not any("skipped" in note for note in outcome.notes)
    assert all(run.config.runtime == "tflite" for run in outcome.runs.values())


def test_a_demonstration_with_no_step_that_applies_says_why_in_one_sentence(monkeypatch, probe_model, photo):
    only_bf16 = Preset("bf16-only", "bfloat16 alone", "One bfloat16 run.",
                       lambda cfg, _image=None: [Step("bfloat16", cfg.replace(precision="bfloat16"))], lambda _o: None)
    monkeypatch.setitem(PRESETS, only_bf16.name, only_bf16)
    cfg = ExperimentConfig(image=photo, model=probe_model[0], passes=1, runtime="tflite")
    with pytest.raises(ConfigError, match="no step of the demonstration 'bfloat16 alone' applies to this model: bfloat16 is"):
        drive(run_preset("bf16-only", cfg))


def test_the_checkup_demonstration_on_an_exported_runtime_skips_the_call_paths_and_training_mode():
    steps, notes = PRESETS["checkup"].applicable(ExperimentConfig(model="probe.keras", passes=1, runtime="tflite"))
    call_rule = why_not("call", {"runtime": "tflite"})
    skipped_calls = [note for note in notes if note.startswith("'call ")]
    assert skipped_calls and all(note.endswith(f"is skipped: {call_rule}.") for note in skipped_calls)
    assert any(note.endswith(f"is skipped: {TRAINING_ON_A_RUNTIME}.") for note in notes)
    assert all(step.config.call == "compiled" and not step.config.training_mode for step in steps)
    assert any(step.label.startswith("runtime keras") for step in steps)  # the other runtimes still run
