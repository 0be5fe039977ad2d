"""The training-vs-serving demonstration: load_img, image_dataset_from_directory's path and OpenCV at their defaults
on one file, with the picture of their pixel differences, and as a sweep."""

from __future__ import annotations

import json
import shutil

import numpy as np

from sweep_helpers import drive
from vggcompare.cli import main
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.input.images import decode_png, load_image
from vggcompare.core.input.loaders import loader_input
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.core.studies.presets.run import run_preset


def test_serving_compares_the_three_loaders_and_draws_their_pixel_differences(probe_model):
    path, _ = probe_model
    image = str(sweep_samples_folder() / "brick.jpg")
    outcome = drive(run_preset("serving", ExperimentConfig(image=image, model=path, preprocess="none"), load_image(image)))[0]
    loaders = [r.config.loader for r in outcome.runs.values()]
    assert loaders == ["load-img", "tf-dataset", "opencv"]
    assert [r.config.interpolation for r in outcome.runs.values()] == ["nearest", "bilinear", "bilinear"]
    picture = decode_png(outcome.pictures["pixel-differences.png"])
    loaded = load_image(image)
    a, b, c = (loader_input(loaded, (32, 32), r.config)[0] for r in outcome.runs.values())
    assert picture.shape == (32, 32 * 2 + 4, 3)
    assert np.array_equal(picture[:, :32], np.clip(np.abs(b - a) * 8, 0, 255).astype(np.uint8))
    assert np.array_equal(picture[:, 36:], np.clip(np.abs(c - a) * 8, 0, 255).astype(np.uint8))
    assert picture[:, :32].any()  # the loaders really give other pixels
    assert all(float(row[3]) > 0 for row in outcome.rows[1:])  # and the probe notices
    assert "of 2 other loaders changed the top-1" in outcome.headline


def test_serving_from_the_cli_writes_the_picture_and_sweeps(probe_model, tmp_path, capsys):
    from vggcompare.core.studies.sweep.run import run_sweep

    path, _ = probe_model
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("brick.jpg", "text.jpg"):
        shutil.copy(sweep_samples_folder() / name, folder / name)
    assert main(["preset", "serving", str(folder / "text.jpg"), "--model", path, "--out-dir", str(tmp_path / "o"), "--quiet"]) == 0
    assert (tmp_path / "o" / "serving-pixel-differences.png").is_file()
    capsys.readouterr()
    drive(run_sweep(str(folder), str(tmp_path / "s"), ExperimentConfig(model=path, preprocess="none"), preset="serving"))
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert len(summary["variants"]) == 2 and all(v["images"] == 2 for v in summary["variants"])
