"""Sweeps with --explain: the mean maps of each flipped image (its reference's and the variant's) are stored
with the group's rows, equal a run's maps, survive a resume without being computed again, and a damaged
map is one sentence. Float-exact: run under TF_ENABLE_ONEDNN_OPTS=1 and 0."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from sweep_helpers import drive

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.studies.sweep.run import run_sweep
from vggcompare.core.studies.sweep.plan import variants_from_changes
from vggcompare.core.storage.sweep_files import read_flipped
from vggcompare.core.storage.sweep_maps import SweepMapError, decode_map, encode_map
from vggcompare.core.storage.sweep_table import TABLE_FILE, SweepTable

# "raw" (preprocess none) makes this conv model answer "class 1" at ~1.0 on every photo; under caffe the cat is
# "class 0" (0.84) and the clock "class 1" (0.997): the cat flips, the clock does not, with wide margins.
VARIANTS = {"reference": {"name": "reference", "changes": {}}, "variants": [{"name": "raw", "changes": {"preprocess": "none"}}]}
CAT, CLOCK = 0, 1


@pytest.fixture(scope="module")
def cam_model(tmp_path_factory):
    """Conv2D(8)-GAP-Dense(16)-Dense(10) softmax, random weights from seed 1 (as test_explain's cam_models)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3, activation="relu"), layers.GlobalAveragePooling2D(),
                              layers.Dense(16, activation="relu"), layers.Dense(10, activation="softmax")])
    path = tmp_path_factory.mktemp("cam") / "cam.keras"
    model.save(path)
    return str(path)


def _listing(tmp_path, names=("cat.jpg", "clock.jpg")) -> str:
    path = tmp_path / f"list{len(names)}.txt"
    path.write_text("".join(f"{sweep_samples_folder() / n}\n" for n in names))
    return str(path)


def _config(model: str, method: str) -> ExperimentConfig:
    return ExperimentConfig(model=model, passes=4, seeding="once", seed=7, preprocess="caffe", explain=method,
                            explain_passes=3).replace(augment={"enabled": True})


@pytest.mark.parametrize("method", ["gradcam", "occlusion"])
def test_the_flipped_images_maps_are_stored_and_equal_a_runs_maps(cam_model, tmp_path, method):
    cfg = _config(cam_model, method)
    variants = variants_from_changes(cfg, VARIANTS)
    drive(run_sweep(_listing(tmp_path), str(tmp_path / "o"), cfg, variants=variants))
    with SweepTable(tmp_path / "o", create=False) as table:
        rows = {(r["image_index"], r["variant_index"]): r for r in table.rows()}
        maps = table.maps()
    assert rows[(CAT, 1)]["top1_changed"] and not rows[(CLOCK, 1)]["top1_changed"]
    assert set(maps) == {(CAT, 0), (CAT, 1)}  # only the flipped image, its reference's map and the variant's
    for k, (_name, variant) in enumerate(variants):
        run = run_experiment(variant.replace(image=str(sweep_samples_folder() / "cat.jpg"))).explanation
        got_method, got_class, got = maps[(CAT, k)]
        assert (got_method, got_class) == (method, run.class_name) and got.dtype == np.float16
        assert run.passes == 3 and (k or not run.identical)  # the reference's mean is over 3 different maps (raw saturates)
        np.testing.assert_array_equal(got, run.mean)  # float16 both: bit for bit
    flips = read_flipped(tmp_path / "o", "raw")
    assert [f.image_index for f in flips] == [CAT] and flips[0].has_maps and flips[0].map_method == method
    np.testing.assert_array_equal(flips[0].variant_map, maps[(CAT, 1)][2])
    assert flips[0].map_classes == (maps[(CAT, 0)][1], maps[(CAT, 1)][1])


def test_a_resumed_sweep_keeps_the_maps_and_computes_none_again(cam_model, tmp_path, monkeypatch):
    from vggcompare.core.studies.sweep import worker

    cfg = _config(cam_model, "occlusion")
    variants = variants_from_changes(cfg, VARIANTS)
    drive(run_sweep(_listing(tmp_path, ("cat.jpg",)), str(tmp_path / "o"), cfg, variants=variants))
    with SweepTable(tmp_path / "o", create=False) as table:
        first = table.maps()
    calls = []
    real = worker.explain_passes
    monkeypatch.setattr(worker, "explain_passes", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = drive(run_sweep(_listing(tmp_path), str(tmp_path / "o"), cfg, variants=variants))[0]  # the clock is new
    assert again.groups_run == 1 and calls == []  # the clock did not flip; the cat's maps were not made again
    with SweepTable(tmp_path / "o", create=False) as table:
        kept = table.maps()
    assert set(kept) == set(first) == {(CAT, 0), (CAT, 1)}
    assert all(np.array_equal(kept[key][2], first[key][2]) for key in first)


def test_a_sweep_without_maps_reads_as_before(cam_model, tmp_path):
    cfg = _config(cam_model, "gradcam").replace(explain=None, explain_passes=None)
    drive(run_sweep(_listing(tmp_path), str(tmp_path / "o"), cfg, variants=variants_from_changes(cfg, VARIANTS)))
    with SweepTable(tmp_path / "o", create=False) as table:
        assert table.maps() == {}
    flips = read_flipped(tmp_path / "o", "raw")
    assert [f.image_index for f in flips] == [CAT] and not flips[0].has_maps and flips[0].variant_map is None


def test_a_damaged_or_foreign_map_is_one_sentence(cam_model, tmp_path):
    cfg = _config(cam_model, "occlusion")
    drive(run_sweep(_listing(tmp_path, ("cat.jpg",)), str(tmp_path / "o"), cfg, variants=variants_from_changes(cfg, VARIANTS)))
    import io

    pickled = io.BytesIO()
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    wide = io.BytesIO()
    np.save(wide, np.zeros((4, 4), np.float64))
    for junk, words in ((b"not a map", "damaged or not a map"), (pickled.getvalue(), "damaged or not a map"),
                        (wide.getvalue(), "not a float16"), (encode_map(np.full((4, 4), np.inf)), "not finite")):
        with sqlite3.connect(tmp_path / "o" / TABLE_FILE) as db:
            db.execute("UPDATE maps SET npy = ? WHERE image_index = 0 AND variant_index = 1", (junk,))
        with pytest.raises(SweepMapError, match=words) as caught:
            read_flipped(tmp_path / "o", "raw")
        assert "image 0 under variant 1" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(SweepMapError):
        decode_map(b"", "nothing")


def test_the_cli_sweep_with_explain_stores_maps_and_the_reports_grid_page_has_them(cam_model, tmp_path, capsys):
    import re

    from poppler import need_poppler, pdf_text_of_page

    from vggcompare.cli import main

    out, pdf = tmp_path / "o", tmp_path / "r.pdf"
    args = ["sweep", _listing(tmp_path), "--model", cam_model, "--passes", "2", "--seed", "7", "--preprocess", "caffe",
            "--variants", _variants_file(tmp_path), "--out-dir", str(out), "--quiet"]
    assert main([*args, "--explain", "gradcam", "--explain-passes", "2", "--report", str(pdf)]) == 0
    with SweepTable(out, create=False) as table:
        assert set(table.maps()) == {(CAT, 0), (CAT, 1)}
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) == 3
    need_poppler()
    grid = " ".join(pdf_text_of_page(pdf, 3).split())
    assert "mean Grad-CAM map of the reference (left) and of the variant (right)" in grid and "cat.jpg" in grid
    plain = tmp_path / "plain.pdf"
    assert main([*args[:-2], str(tmp_path / "o2"), "--quiet", "--report", str(plain)]) == 0
    assert "No maps computed" in " ".join(pdf_text_of_page(plain, 3).split())
    with sqlite3.connect(out / TABLE_FILE) as db:
        db.execute("UPDATE maps SET npy = ? WHERE variant_index = 1", (b"junk",))
    capsys.readouterr()
    assert main(["sweep-report", str(out), "--report", str(tmp_path / "r2.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "explanation map of image 0 under variant 1" in err and err.count("\n") == 1


def _variants_file(tmp_path) -> str:
    import json

    path = tmp_path / "variants.json"
    path.write_text(json.dumps(VARIANTS))
    return str(path)
