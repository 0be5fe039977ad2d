"""Call paths (compiled, predict, eager, xla), training mode and batch neighbours: each path is the library's own
call, keyed dropout and chunking hold on every path, and training mode never changes the model for the next run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from vggcompare.cli import main
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import load_image
from vggcompare.core.input.model_view import model_input
from vggcompare.core.passes.engine import run_experiment

PATHS = ("compiled", "predict", "eager", "xla")


def _batch(photo, passes):
    picture = model_input(load_image(photo), (32, 32))
    return np.repeat(picture[None], passes, axis=0)


def test_predict_and_eager_are_the_libraries_own_calls(tiny_models, photo):
    import keras

    model = keras.saving.load_model(tiny_models["plain"], safe_mode=True)
    x = _batch(photo, 4)
    cfg = ExperimentConfig(image=photo, model=tiny_models["plain"], passes=4, seeding="once", batch_size=4)
    predicted = run_experiment(cfg.replace(call="predict")).probabilities
    assert np.array_equal(predicted, model.predict(x, batch_size=4, verbose=0))
    eager = run_experiment(cfg.replace(call="eager")).probabilities
    assert np.array_equal(eager, np.asarray(model(x, training=False)))
    xla = run_experiment(cfg.replace(call="xla"))
    assert np.allclose(xla.probabilities, eager, atol=1e-6)
    assert any("jit_compile=True" in n for n in xla.notes) and xla.environment.call_path == "xla"


@pytest.mark.parametrize("call", PATHS)
def test_dropout_keys_seeding_and_chunking_hold_on_every_path(tiny_models, photo, call):
    cfg = ExperimentConfig(image=photo, model=tiny_models["dropout"], passes=6, seeding="once", dropout=0.5, call=call)
    by3 = run_experiment(cfg.replace(batch_size=3)).probabilities
    by2 = run_experiment(cfg.replace(batch_size=2)).probabilities
    # pass i's mask depends on its key, not on its call (other masks move outputs by ~0.1; batch-size numerics by <1e-6)
    assert np.allclose(by3, by2, rtol=0, atol=1e-6)
    assert len({p.tobytes() for p in by3}) > 1  # dropout really varies the passes
    compiled = run_experiment(cfg.replace(batch_size=3, call="compiled")).probabilities
    if call != "xla":
        assert np.allclose(by3, compiled, atol=1e-6)  # the same masks on these paths
    else:  # XLA's stateless random numbers come from another algorithm: other masks, still keyed per pass
        assert not np.allclose(by3, compiled, atol=1e-6)


def test_training_mode_uses_batch_statistics_and_leaves_the_model_as_it_was(bn_models, photo):
    from vggcompare.core.model.prepare import prepare_model

    cfg = ExperimentConfig(image=photo, model=bn_models["bn"], passes=2, seeding="once")
    before = [np.asarray(v.value).copy() for v in prepare_model(cfg).model.non_trainable_variables]
    inference = run_experiment(cfg).probabilities
    trained = run_experiment(cfg.replace(training_mode=True))
    assert np.abs(trained.probabilities - inference).max() > 1e-3
    assert any("1 BatchNorm layer(s) using the batch's statistics" in n for n in trained.notes)
    assert not any("Dropout layer(s) dropping" in n for n in trained.notes)
    after = [np.asarray(v.value) for v in prepare_model(cfg).model.non_trainable_variables]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert np.array_equal(run_experiment(cfg).probabilities, inference)  # the next run is unchanged
    eager = run_experiment(cfg.replace(training_mode=True, call="eager")).probabilities
    assert np.allclose(eager, trained.probabilities, atol=1e-6)
    assert trained.environment.training_mode is True and trained.environment.batchnorm_layers == 1


def test_training_mode_keys_the_models_own_dropout(bn_models, photo):
    cfg = ExperimentConfig(image=photo, model=bn_models["bn_dropout"], passes=4, seeding="once", training_mode=True)
    a, b = run_experiment(cfg), run_experiment(cfg)
    assert np.array_equal(a.probabilities, b.probabilities)  # seeded: repeatable
    assert len({p.tobytes() for p in a.probabilities}) > 1  # the Dropout layer is on, a mask per pass
    assert any("BatchNorm layer(s)" in n and "Dropout layer(s) dropping units" in n for n in a.notes)


def test_training_mode_without_batchnorm_or_dropout_changes_nothing(tiny_models, photo):
    cfg = ExperimentConfig(image=photo, model=tiny_models["plain"], passes=2, seeding="once")
    trained = run_experiment(cfg.replace(training_mode=True))
    assert np.array_equal(trained.probabilities, run_experiment(cfg).probabilities)
    assert any(n.startswith("No BatchNorm, Dropout or augmentation layer: training mode changes nothing") for n in trained.notes)
    with pytest.raises(ConfigError, match="model.predict always calls the model with training=False"):
        cfg.replace(training_mode=True, call="predict").validate()


def test_batch_neighbours_change_batchnorm_in_training_mode(bn_models, photo, tmp_path):
    from PIL import Image

    rng = np.random.default_rng(1)
    for k in range(3):
        Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).save(tmp_path / f"n{k}.png")
    cfg = ExperimentConfig(image=photo, model=bn_models["bn"], passes=2, seeding="once", training_mode=True)
    alone = run_experiment(cfg).probabilities
    shared = run_experiment(cfg.replace(batch_neighbours=str(tmp_path), batch_size=4))
    assert np.abs(shared.probabilities - alone).max() > 1e-4
    assert shared.environment.rows_per_call == 4 and shared.environment.passes_per_call == 1
    assert any("3 other image(s)" in n for n in shared.notes)
    inference = run_experiment(cfg.replace(training_mode=False, batch_neighbours=str(tmp_path), batch_size=4))
    assert inference.probabilities.shape == (2, 10)  # without training mode only row-position numerics remain


def test_an_empty_or_missing_neighbours_folder_is_one_error_line(capsys, tiny_models, photo, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no images")
    for folder, words in ((tmp_path / "empty", "holds no image files"), (tmp_path / "gone", "does not exist")):
        code = main(["run", photo, "--model", tiny_models["plain"], "--passes", "1", "--quiet", "--batch-neighbours", str(folder)])
        _out, err = capsys.readouterr()
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and words in err


def test_under_jax_xla_says_jit_is_already_xla(tiny_models, photo, tmp_path):
    pytest.importorskip("jax")
    out = tmp_path / "r.json"
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    base = [sys.executable, "-m", "vggcompare", "run", photo, "--model", tiny_models["dropout"], "--passes", "4", "--backend",
            "jax", "--seeding", "once", "--dropout", "--quiet", "--batch-size", "2"]
    runs = {}
    for call in ("xla", "predict", "eager"):
        proc = subprocess.run([*base, "--call", call, "--out", str(out), "--force"], capture_output=True, text=True,
                              timeout=600, env=env)
        assert proc.returncode == 0, proc.stderr
        runs[call] = json.loads(out.read_text())
    assert any("jax.jit already compiles with XLA" in n for n in runs["xla"]["notes"])
    for call in ("predict", "eager"):  # keyed dropout holds under JAX's predict and eager calls too
        assert np.allclose(runs[call]["probabilities"], runs["xla"]["probabilities"], atol=1e-6)


def test_many_compiled_calls_do_not_print_tensorflows_retracing_warning(tiny_models, photo):
    """Each batch size is its own traced function of the same code, which TensorFlow's heuristic calls retracing."""
    import logging

    from vggcompare.core.model.prepare import clear_cache, prepare_model

    clear_cache()
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    try:
        prepared = prepare_model(ExperimentConfig(image=photo, model=tiny_models["plain"]))
        for b in range(1, 9):
            prepared.forward(_batch(photo, b))
    finally:
        logger.removeHandler(handler)
    assert not any("retracing" in m for m in seen)
