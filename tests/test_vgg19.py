"""A few tests on the real VGG19 architecture (random weights, small N)."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.errors import ModelError

pytestmark = pytest.mark.vgg19


def test_new_weights_every_pass_seeded_once_repeats_exactly(photo):
    c = ExperimentConfig(image=photo, model="vgg19-random", passes=3, seeding="once", seed=5, reinit_weights=True)
    a, b = run_experiment(c), run_experiment(c)
    assert np.array_equal(a.probabilities, b.probabilities)
    assert not a.statistics.all_bit_identical
    assert "new random weights for every pass" in a.verdict
    assert a.environment.passes_per_call == 1


def test_random_vgg19_without_random_sources_gives_identical_passes(photo):
    r = run_experiment(ExperimentConfig(image=photo, model="vgg19-random", passes=3, seeding="once", batch_size=1))
    assert r.statistics.all_bit_identical and r.probabilities.shape == (3, 1000)
    assert r.labels[0] == "tench" and r.labels[281] == "tabby"


def test_dropout_is_inserted_after_fc1_and_fc2(photo):
    r = run_experiment(ExperimentConfig(image=photo, model="vgg19-random", passes=2, seeding="once", dropout=0.5))
    assert not r.statistics.all_bit_identical
    assert "dropout at inference" in r.verdict


def test_local_weights_file_loads_and_reproduces_the_model(photo, tmp_path):
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    from vggcompare.core.model import prepare as models

    base = ExperimentConfig(image=photo, model="vgg19-random", passes=1, seeding="once", seed=11)
    reference = run_experiment(base)
    prepared = models.prepare_model(base)
    path = tmp_path / "my_vgg19_weights.h5"
    with h5py.File(path, "w") as f:  # the same layout as Keras' ImageNet file
        legacy_h5_format.save_weights_to_hdf5_group(f, prepared.model)
    loaded = run_experiment(base.replace(model="vgg19", weights=str(path)))
    assert np.array_equal(loaded.probabilities, reference.probabilities)
    assert "my_vgg19_weights.h5" in loaded.environment.model
    # a weights file of another architecture is refused with a sentence
    small = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    wrong = tmp_path / "wrong.h5"
    with h5py.File(wrong, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, small)
    with pytest.raises(ModelError, match="does not hold VGG19 weights"):
        run_experiment(base.replace(model="vgg19", weights=str(wrong)))
    models.clear_cache()


def test_seeded_random_weights_are_the_same_after_a_rebuild(photo):
    from vggcompare.core.model import prepare as models

    c = ExperimentConfig(image=photo, model="vgg19-random", passes=1, seeding="once", seed=9)
    before = run_experiment(c)
    models.clear_cache()  # the next run builds VGG19 again, possibly at recycled addresses
    after = run_experiment(c)
    assert np.array_equal(before.probabilities, after.probabilities)
