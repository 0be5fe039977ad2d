"""The augmentation and loading settings: their forms, their checks, the command line, JSON round trips."""

from __future__ import annotations

import argparse
import json

import pytest

from vggcompare.cli.options import add_run_options, config_from_args, range_value
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.keras_layers import LAYERS_DEFAULTS


def parsed(*args: str) -> ExperimentConfig:
    p = argparse.ArgumentParser()
    add_run_options(p)
    return config_from_args(p.parse_args(list(args)), "x.png")


@pytest.mark.parametrize("text, value", [("0.2", 0.2), ("20", 20), ("20.0", 20.0), ("0.1,0.3", (0.1, 0.3)),
                                         ("[5, 10, 15]", (5, 10, 15)), ("0.8,1.2", (0.8, 1.2))])
def test_ranges_keep_the_form_keras_distinguishes(text, value):
    got = range_value(text)
    assert got == value and type(got) is type(value)  # 20 (whole pixels) is not 20.0 (a uniform draw)


def test_the_flags_keep_their_generator_meaning():
    c = parsed("--augment", "--rotation", "30", "--shift", "0.1", "--height-shift", "12", "--zoom", "0.9,1.3", "--no-flip")
    a = c.augment
    assert (a.engine, a.rotation, a.width_shift, a.height_shift, a.zoom, a.horizontal_flip, a.fill_mode) == (
        "generator", 30.0, 0.1, 12, (0.9, 1.3), False, "nearest")
    assert parsed("--augment").augment == AugmentConfig(enabled=True)


def test_layers_engine_takes_its_own_defaults_and_units():
    a = parsed("--augment", "--augment-engine", "layers").augment
    assert a == LAYERS_DEFAULTS.__class__(**{**LAYERS_DEFAULTS.__dict__, "enabled": True})
    assert (a.rotation, a.fill_mode) == (0.05, "reflect")
    with pytest.raises(ConfigError, match="RandomRotation factor"):
        parsed("--augment", "--augment-engine", "layers", "--rotation", "20")


def test_loading_switches_sit_with_the_pitfalls():
    c = parsed("--apply-exif", "--alpha-on-white", "--pitfall", "no-bgr-swap")
    assert c.pitfalls == ("no-bgr-swap", "apply-exif", "alpha-on-white")
    assert "pitfall apply-exif" in c.summary()


@pytest.mark.parametrize("changes, message", [
    ({"width_shift": (0.1, "a")}, "width_shift_range as a list"),
    ({"zoom": (1.2, 0.8)}, "zoom_range as a pair"),
    ({"engine": "albumentations"}, "augmentation engine"),
    ({"engine": "layers", "rotation": 0.1, "rescale": 0.5}, "belong to the generator engine"),
    ({"height_shift": -1}, "height_shift_range"),
])
def test_bad_augmentation_settings_are_one_sentence(changes, message):
    with pytest.raises(ConfigError, match=message):
        ExperimentConfig(augment=AugmentConfig(enabled=True, **changes)).validate()


def test_list_forms_survive_a_json_round_trip():
    c = ExperimentConfig(augment=AugmentConfig(enabled=True, width_shift=[4, 8], zoom=[0.8, 1.1], rescale=1 / 255,
                                               preprocess_first=True))
    back = ExperimentConfig.from_dict(json.loads(json.dumps(c.to_dict())))
    assert back == c and back.augment.width_shift == (4, 8) and hash(back)


def test_the_command_line_says_what_keras_does_with_an_exif_rotation(capsys, tiny_models, tmp_path):
    import numpy as np
    from PIL import Image

    from vggcompare.cli import main

    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    Image.fromarray(np.full((20, 30, 3), 90, np.uint8)).save(path, exif=exif)
    base = ["run", str(path), "--model", tiny_models["plain"], "--labels", tiny_models["labels"], "--passes", "2"]
    assert main(base) == 0
    assert "Note: This photo has EXIF orientation 6" in capsys.readouterr().out
    assert main([*base, "--apply-exif", "--augment", "--seeding", "once"]) == 0
    out = capsys.readouterr().out
    assert "Note: EXIF orientation 6 applied, as a photo viewer does" in out
    assert "ImageDataGenerator(rotation_range=20.0" in out and "seed=42): pass i is batch i." in out
