"""The pass engine on tiny models: seeding, augmentation, dropout, chunking, cancellation."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.passes.engine import run_experiment, run_passes
from vggcompare.core.errors import ConfigError, LabelsError, RunCancelled


def cfg(models, photo, **kw):
    base = dict(image=photo, model=models["dropout"], labels=models["labels"], passes=12, batch_size=4)
    base.update(kw)
    return ExperimentConfig(**base)


AUG = AugmentConfig(enabled=True)


def test_seeded_once_run_repeats_bit_for_bit_with_augmentation(tiny_models, photo):
    c = cfg(tiny_models, photo, seeding="once", seed=7, augment=AUG)
    a, b = run_experiment(c), run_experiment(c)
    assert np.array_equal(a.probabilities.view(np.uint32), b.probabilities.view(np.uint32))
    assert a.augmentation == b.augmentation
    assert not a.statistics.all_bit_identical  # the passes differ from each other
    assert "Seed 7 makes the whole run repeatable" in a.verdict


def test_unseeded_runs_differ(tiny_models, photo):
    c = cfg(tiny_models, photo, seeding="off", augment=AUG)
    a, b = run_experiment(c), run_experiment(c)
    assert not np.array_equal(a.probabilities, b.probabilities)
    assert "unseeded" in a.verdict


def test_every_pass_seeding_makes_all_passes_identical(tiny_models, photo):
    # one pass per call: the same input at another row of one call may round differently on some CPUs
    c = cfg(tiny_models, photo, seeding="every-pass", augment=AUG, dropout=0.5, batch_size=1)
    r = run_experiment(c)
    assert r.statistics.all_bit_identical
    assert np.all(r.statistics.variance == 0)
    assert len({tuple(sorted(p.items())) for p in r.augmentation}) == 1
    assert r.verdict.startswith("All 12 passes gave bit-identical outputs")


def test_fixed_model_without_augmentation_gives_identical_passes_and_zero_variance(tiny_models, photo):
    r = run_experiment(cfg(tiny_models, photo, model=tiny_models["plain"], seeding="off", batch_size=1))
    assert r.statistics.all_bit_identical
    assert r.statistics.max_std == 0.0
    assert r.statistics.variance.max() == 0.0
    assert "Nothing random was switched on" in r.verdict


def test_pass_draws_do_not_depend_on_batch_size(tiny_models, photo):
    a = run_experiment(cfg(tiny_models, photo, seeding="once", augment=AUG, dropout=0.5, batch_size=1))
    b = run_experiment(cfg(tiny_models, photo, seeding="once", augment=AUG, dropout=0.5, batch_size=5))
    assert a.augmentation == b.augmentation
    assert [t.png for t in a.thumbnails] == [t.png for t in b.thumbnails]
    # same draws per pass: the outputs agree up to batch-size numerics
    assert np.abs(a.probabilities - b.probabilities).max() < 1e-5


def test_mc_dropout_varies_passes_and_is_reported(tiny_models, photo):
    r = run_experiment(cfg(tiny_models, photo, seeding="once", dropout=0.5))
    assert not r.statistics.all_bit_identical
    assert "dropout at inference" in r.verdict
    assert r.augmentation == []


def test_dropout_on_model_without_dropout_is_inert_and_says_so(tiny_models, photo):
    r = run_experiment(cfg(tiny_models, photo, model=tiny_models["plain"], dropout=0.5, batch_size=1))
    assert r.statistics.all_bit_identical
    assert "Dropout was requested but this model has no dropout layers: it had no effect." in r.verdict


def test_without_dropout_switch_a_dropout_model_is_deterministic(tiny_models, photo):
    r = run_experiment(cfg(tiny_models, photo, batch_size=1))
    assert r.statistics.all_bit_identical


def test_logits_model_gets_softmax_and_a_note(tiny_models, photo):
    r = run_experiment(cfg(tiny_models, photo, model=tiny_models["logits"], passes=2))
    assert np.allclose(r.probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert any("softmax was applied" in n for n in r.notes)


def test_a_result_holds_probabilities_augmentation_thumbnails_environment_and_timings(tiny_models, photo):
    r = run_experiment(cfg(tiny_models, photo, seeding="once", augment=AUG, passes=10))
    assert r.probabilities.shape == (10, 10) and r.probabilities.dtype == np.float32
    assert len(r.augmentation) == 10 and {"seed", "theta", "tx", "ty", "shear", "zx", "zy", "flip_horizontal"} == set(r.augmentation[0])
    assert 1 <= len(r.thumbnails) <= 8 and r.thumbnails[0].caption.startswith("pass 1:")
    for key in ("tensorflow", "keras", "numpy", "python", "device", "cpu", "intra_op_threads", "precision"):
        assert r.environment.value(key) is not None and not r.environment.extra
    assert r.timings.passes_per_second > 0
    assert r.labels[0] == "thing 0"


def test_progress_is_reported_in_order_and_ends_at_n(tiny_models, photo):
    seen = []
    run_experiment(cfg(tiny_models, photo, passes=10, batch_size=3), progress=seen.append)
    done = [p.done for p in seen if p.stage == "passes"]
    assert seen[0].stage == "loading"
    assert done == sorted(done) and done[-1] == 10 and done[0] == 0
    assert done[1:] == [3, 6, 9, 10]


def test_cancel_stops_within_one_chunk_and_returns_no_result(tiny_models, photo):
    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > 3

    gen = run_passes(cfg(tiny_models, photo, passes=40, batch_size=2), cancel=cancel)
    reports = []
    with pytest.raises(RunCancelled):
        for report in gen:
            reports.append(report)
    assert max(r.done for r in reports) <= 4


def test_labels_count_mismatch_is_a_clear_error(tiny_models, photo, tmp_path):
    bad = tmp_path / "labels.txt"
    bad.write_text("a\nb\nc\n")
    with pytest.raises(LabelsError, match="has 3 names but the model has 10 classes"):
        run_experiment(cfg(tiny_models, photo, labels=str(bad)))


@pytest.fixture(scope="module")
def probe_two_layers(tiny_models):
    """Flatten → Dense(16) → Dense(10, softmax), tiny weights: probabilities near 0.1 that move with every rounding.

    The tiny CNNs saturate their softmax on this photo (one-hot in float32 and bfloat16 alike), so they cannot tell
    a bfloat16 run from a float32 one. The engine keeps the last layer in float32; the hidden one runs in bfloat16.
    """
    import keras

    keras.utils.set_random_seed(5)
    small = keras.initializers.RandomNormal(stddev=1e-3)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(16, kernel_initializer=small),
                              keras.layers.Dense(10, activation="softmax", kernel_initializer=small)])
    path = tiny_models["folder"] / "probe_two_layers.keras"
    model.save(path)
    return str(path)


def test_bfloat16_precision_is_recorded_and_rounds_the_outputs(tiny_models, photo, probe_two_layers):
    a = run_experiment(cfg(tiny_models, photo, model=probe_two_layers, passes=2))
    b = run_experiment(cfg(tiny_models, photo, model=probe_two_layers, passes=2, precision="bfloat16"))
    assert a.probabilities.max() < 0.5  # the probe is not saturated, so a change of precision shows
    assert b.environment.precision == "bfloat16" and a.environment.precision == "float32"
    change = np.abs(a.probabilities - b.probabilities).max()
    assert 1e-6 < change < 0.05  # bfloat16 keeps 8 bits of mantissa: the output moves, a little (0 if it were ignored)


def test_reinit_weights_needs_random_vgg19():
    with pytest.raises(ConfigError, match="vgg19-random"):
        ExperimentConfig(model="x.keras", reinit_weights=True).validate()


def test_a_failure_inside_the_model_becomes_one_sentence(tiny_models, photo, monkeypatch):
    import tensorflow as tf

    from vggcompare.core.model import prepare as models
    from vggcompare.core.errors import VggCompareError

    def oom(self, batch, keys=None):
        raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor with shape [16,224,224,64]")

    monkeypatch.setattr(models.PreparedModel, "forward", oom)
    with pytest.raises(VggCompareError, match="ResourceExhaustedError.*set fewer passes per call"):
        run_experiment(cfg(tiny_models, photo, passes=2))
