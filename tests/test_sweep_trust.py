"""A sweep of a model form that is a program (a SavedModel folder) runs only with the user's trust, on either engine."""

from __future__ import annotations

import json
import shutil

import pytest

from vggcompare.cli import main
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.core.storage.sweep_table import SweepTable
from vggcompare.core.studies.sweep.plan import variants_from_changes

SIDE = 32
BILINEAR = {"variants": [{"name": "bilinear", "changes": {"interpolation": "bilinear"}}]}


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    """A probe (Flatten → Dense(10, tiny weights) → softmax) exported as a SavedModel folder with model.export."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras

    keras.utils.set_random_seed(5)
    model = keras.Sequential([
        keras.Input((SIDE, SIDE, 3)), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.RandomNormal(stddev=1e-4)),
    ])
    folder = tmp_path_factory.mktemp("served") / "probe"
    model.export(str(folder), verbose=False)
    return str(folder)


@pytest.fixture()
def two_photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("cat.jpg", "coffee.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    return str(folder)


def _options(saved_model, tmp_path, out):
    variants = tmp_path / "variants.json"
    variants.write_text(json.dumps(BILINEAR))
    return ["--model", saved_model, "--passes", "2", "--variants", str(variants), "--out-dir", str(tmp_path / out), "--quiet"]


def test_a_sweep_of_a_saved_model_is_refused_in_one_sentence_without_trust_and_runs_with_it(saved_model, two_photos,
                                                                                           tmp_path, capsys):
    assert main(["sweep", two_photos, *_options(saved_model, tmp_path, "refused")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SavedModel folder" in err and "--trust-model" in err and "Traceback" not in err
    assert not (tmp_path / "refused" / "sweep.sqlite").exists()  # refused before any output is made
    assert main(["sweep", two_photos, *_options(saved_model, tmp_path, "trusted"), "--trust-model"]) == 0
    assert "SavedModel" in capsys.readouterr().out
    with SweepTable(tmp_path / "trusted") as table:
        rows = table.rows()
    assert len(rows) == 2 * 2 and not any(r["error"] for r in rows)
    assert sum(r["largest_change"] > 0 for r in rows if r["variant"] == "bilinear") == 2  # the probe notices the filter


def test_a_variants_file_cannot_grant_trust(saved_model):
    config = ExperimentConfig(model=saved_model, passes=2)
    spec = {"variants": [{"name": "trusting", "changes": {"trust_model": True}}]}
    with pytest.raises(ConfigError, match="a file cannot grant"):
        variants_from_changes(config, spec)


def test_the_ray_engine_runs_a_trusted_saved_model_as_the_local_engine_does(saved_model, two_photos, tmp_path, capsys):
    pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[test,ray]')")
    assert main(["sweep", two_photos, *_options(saved_model, tmp_path, "ray-refused"), "--engine", "ray"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--trust-model" in err
    local = _options(saved_model, tmp_path, "local")
    assert main(["sweep", two_photos, *local, "--trust-model"]) == 0
    ray = _options(saved_model, tmp_path, "ray")
    assert main(["sweep", two_photos, *ray, "--trust-model", "--engine", "ray", "--cpus-per-actor", "1"]) == 0
    assert "(ray)" in capsys.readouterr().out
    with SweepTable(tmp_path / "local") as a, SweepTable(tmp_path / "ray") as b:
        assert b.rows() == a.rows() and not any(r["error"] for r in b.rows())


def test_the_python_api_sweeps_a_saved_model_on_ray_only_with_trust_model(saved_model, two_photos, tmp_path):
    pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[test,ray]')")
    import vggcompare as vc
    from vggcompare.core.model.trust import UntrustedModelError

    with pytest.raises(UntrustedModelError, match="SavedModel folder"):
        vc.sweep(saved_model, two_photos, preset="serving", engine="ray", out=tmp_path / "refused", progress=False)
    found = vc.sweep(saved_model, two_photos, preset="serving", engine="ray", out=tmp_path / "ray", progress=False,
                     passes=1, trust_model=True)
    assert found.summary["images_finished"] == 2 and "SavedModel" in found.summary["model"]
    assert all(v["errors"] == 0 for v in found.summary["variants"])


def test_a_rerun_of_a_trusted_sweeps_row_needs_the_trust_again(saved_model, two_photos, tmp_path):
    from vggcompare.core.job_driver import drive
    from vggcompare.core.model.trust import UntrustedModelError
    from vggcompare.core.studies.sweep.rerun import rerun_row
    from vggcompare.core.studies.sweep.run import run_sweep

    config = ExperimentConfig(model=saved_model, passes=2, trust_model=True)
    out = str(tmp_path / "sweep")
    drive(run_sweep(two_photos, out, config, variants=variants_from_changes(config, BILINEAR)), lambda _p: None)
    with pytest.raises(UntrustedModelError, match="SavedModel folder"):
        drive(rerun_row(out, "cat.jpg", "bilinear"), lambda _p: None)
    reference, bilinear, *names = drive(rerun_row(out, "cat.jpg", "bilinear", trust_model=True), lambda _p: None)
    assert names == ["reference", "bilinear"] and "SavedModel" in reference.environment.model
    assert not (reference.probabilities == bilinear.probabilities).all()
