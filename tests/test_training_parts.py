"""Training mode split into its parts: BatchNorm's batch statistics alone (Dropout kept off) and Dropout alone
(BatchNorm in inference), each equal to a Keras call that has only that part by construction; the run's note and
the checkup say how far each part moved the output."""

from __future__ import annotations

import numpy as np
import pytest

from sweep_helpers import drive

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import load_image
from vggcompare.core.input.model_view import model_input
from vggcompare.core.passes.engine import run_experiment


def _batch(photo, passes):
    return np.repeat(model_input(load_image(photo), (32, 32))[None], passes, axis=0)


@pytest.mark.parametrize("call", ("eager", "compiled"))
def test_batchnorm_alone_is_the_model_without_its_dropout_layer_in_training_mode(bn_models, photo, call):
    import keras

    model = keras.saving.load_model(bn_models["bn_dropout"], safe_mode=True)
    without = keras.Sequential([keras.Input((32, 32, 3))] + [l for l in model.layers if type(l) is not keras.layers.Dropout])
    want = np.asarray(without(_batch(photo, 4), training=True))  # Dropout is identity at inference: removed by construction
    cfg = ExperimentConfig(image=photo, model=bn_models["bn_dropout"], passes=4, seeding="once", training_mode=True, call=call)
    got = run_experiment(cfg.replace(training_part="batchnorm")).probabilities
    if call == "eager":
        assert np.array_equal(got, want)
    assert np.allclose(got, want, rtol=0, atol=1e-6)
    whole = run_experiment(cfg).probabilities
    assert np.abs(whole - got).max() > 1e-3  # the Dropout layer is on in the whole training mode: the test notices


def test_dropout_alone_keeps_batchnorm_in_inference_with_the_passes_keys(bn_models, photo):
    cfg = ExperimentConfig(image=photo, model=bn_models["bn_dropout"], passes=4, seeding="once")
    alone = run_experiment(cfg.replace(training_mode=True, training_part="dropout")).probabilities
    mc = run_experiment(cfg.replace(dropout=0.5)).probabilities  # MC dropout: the model's own Dropout on, BN inference
    assert np.array_equal(alone, mc)
    assert len({p.tobytes() for p in alone}) > 1  # a mask per pass
    plain = ExperimentConfig(image=photo, model=bn_models["bn"], passes=4, seeding="once")
    inference = run_experiment(plain).probabilities
    assert np.array_equal(run_experiment(plain.replace(training_mode=True, training_part="dropout")).probabilities, inference)
    assert np.abs(run_experiment(plain.replace(training_mode=True)).probabilities - inference).max() > 1e-3


def test_the_training_mode_note_splits_the_change_between_batchnorm_and_dropout(bn_models, photo):
    cfg = ExperimentConfig(image=photo, model=bn_models["bn_dropout"], passes=4, seeding="once", training_mode=True)
    note = next(n for n in run_experiment(cfg).notes if n.startswith("Training mode made the difference"))
    assert "training mode moved the top-5 probabilities by up to" in note
    assert "BatchNorm batch statistics alone moved them by up to" in note and "Dropout alone moved them by up to" in note
    note = next(n for n in run_experiment(cfg.replace(model=bn_models["bn"])).notes if n.startswith("Training mode made"))
    assert "Dropout alone: no such layer" in note
    part = run_experiment(cfg.replace(training_part="batchnorm"))
    assert "training mode, BatchNorm only" in part.name and "(Dropout kept off)" in " ".join(part.notes)


def test_the_call_note_says_what_each_part_did(bn_models, photo):
    cfg = ExperimentConfig(image=photo, model=bn_models["bn_dropout"], passes=2, seeding="once", training_mode=True, call="eager")
    notes = {part: " ".join(run_experiment(cfg.replace(training_part=part)).notes) for part in ("all", "batchnorm", "dropout")}
    assert "model(x, training=True)" in notes["all"] and "Dropout layers (1) are on with a mask keyed per pass" in notes["all"]
    assert "model(x, training=True)" in notes["batchnorm"] and "the Dropout layers (1) were kept off" in notes["batchnorm"]
    assert "model(x, training=False)" in notes["dropout"] and "kept their moving statistics" in notes["dropout"]
    assert "normalise with this call's own batch statistics" not in notes["dropout"]


def test_a_training_part_needs_training_mode_and_a_known_name(photo):
    with pytest.raises(ConfigError, match="needs training mode"):
        ExperimentConfig(image=photo, training_part="batchnorm").validate()
    with pytest.raises(ConfigError, match="training part"):
        ExperimentConfig(image=photo, training_mode=True, training_part="both").validate()
    assert "training_part" not in ExperimentConfig(image=photo).to_dict()  # files older versions read
    cfg = ExperimentConfig(image=photo, training_mode=True, training_part="dropout")
    assert ExperimentConfig.from_dict(cfg.to_dict()) == cfg


def test_the_checkup_lists_each_part_or_says_the_model_lacks_its_layer(bn_models, photo):
    from vggcompare.core.studies.checkup import MEASURED, run_checkup

    rows = {r.cause: r for r in drive(run_checkup(ExperimentConfig(image=photo, model=bn_models["bn"], seeding="once"), new_processes=False))[0].rows}
    assert rows["training mode: BatchNorm batch statistics"].status == MEASURED
    assert rows["training mode: BatchNorm batch statistics"].largest_change > 1e-3
    assert rows["dropout"].reason == "the model has no Dropout layer to keep on"
    rows = {r.cause: r for r in drive(run_checkup(ExperimentConfig(image=photo, model=bn_models["bn_dropout"], seeding="once"), new_processes=False))[0].rows}
    assert all(rows[k].status == MEASURED and rows[k].largest_change > 1e-3
               for k in ("training mode: BatchNorm batch statistics", "dropout"))
    # the model's own Dropout layers on, BatchNorm in inference: one computation, so one row measures it
    assert rows["training mode: Dropout active"].status != MEASURED
    assert "same computation as the dropout row" in rows["training mode: Dropout active"].reason


def test_vgg19_keeps_both_dropout_rows_since_its_mc_dropout_adds_layers(photo):
    from vggcompare.core.studies.checkup_causes import causes_for

    causes = {c.key: c for c in causes_for(ExperimentConfig(image=photo, model="vgg19-random"), None)}
    assert not causes["training mode: Dropout active"].not_applicable and not causes["dropout"].not_applicable
    assert causes["dropout"].setting == "dropout 0.5 after fc1 and fc2"


def test_a_checkup_does_not_split_its_training_mode_runs_again_since_it_has_a_row_per_part(bn_models, photo, monkeypatch):
    from vggcompare.core.passes import engine_steps
    from vggcompare.core.studies.checkup import run_checkup

    seen = []
    real = engine_steps.training_note
    monkeypatch.setattr(engine_steps, "training_note", lambda *a, **k: seen.append(a[4] if len(a) > 4 else k.get("parts")) or real(*a, **k))
    drive(run_checkup(ExperimentConfig(image=photo, model=bn_models["bn_dropout"], seeding="once"), new_processes=False))
    assert seen and all(not parts for parts in seen)
    seen.clear()
    run_experiment(ExperimentConfig(image=photo, model=bn_models["bn_dropout"], passes=1, training_mode=True))
    assert seen and set(seen[0]) == {"batchnorm", "dropout"}  # a run on its own still splits
