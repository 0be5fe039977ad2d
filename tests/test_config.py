"""The configuration: bounds, round trips, differences, summaries."""

from __future__ import annotations

import pytest

from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.errors import ConfigError


def test_defaults_are_the_popular_answers_augmentation():
    a = AugmentConfig()
    assert (a.rotation, a.width_shift, a.height_shift, a.shear, a.zoom, a.horizontal_flip, a.fill_mode) == (
        20.0, 0.2, 0.2, 0.2, 0.2, True, "nearest")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"passes": 0}, "number of passes must be from 1 to 100000"),
        ({"passes": 100_001}, "number of passes"),
        ({"passes": 2.5}, "whole number"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"batch_size": 0}, "passes per call"),
        ({"batch_size": 10_000}, "passes per call"),
        ({"threads": 0}, "thread count"),
        ({"dropout": 1.0}, "dropout rate"),
        ({"dropout": 0.0}, "above 0"),
        ({"seeding": "sometimes"}, "seeding must be one of"),
        ({"precision": "float16"}, "precision"),
        ({"interpolation": "cubic"}, "interpolation"),
        ({"pitfalls": ("typo",)}, "pitfall"),
        ({"pitfalls": ("no-bgr-swap", "no-bgr-swap")}, "only once"),
        ({"reinit_weights": True}, "vgg19-random"),
        ({"augment": AugmentConfig(rotation=400)}, "rotation"),
        ({"augment": AugmentConfig(zoom=1.5)}, "zoom"),
        ({"augment": AugmentConfig(fill_mode="mirror")}, "fill mode"),
        ({"model": "vgg19-random", "weights": "w.h5"}, "weights file only applies"),
    ],
)
def test_out_of_range_settings_are_refused_with_a_sentence(changes, message):
    with pytest.raises(ConfigError, match=message):
        ExperimentConfig(**changes).validate()


def test_round_trip_through_dict_is_exact():
    c = ExperimentConfig(image="x.png", model="vgg19-random", passes=7, seeding="once", seed=3,
                         augment=AugmentConfig(enabled=True, rotation=5), reinit_weights=True, dropout=0.3,
                         pitfalls=("double-preprocess",), batch_size=4, precision="bfloat16", threads=1)
    assert ExperimentConfig.from_dict(c.to_dict()) == c


def test_unknown_fields_are_refused():
    with pytest.raises(ConfigError, match="unknown configuration field"):
        ExperimentConfig.from_dict({"passes": 3, "colour": "red"})
    with pytest.raises(ConfigError, match="unknown augmentation field"):
        ExperimentConfig.from_dict({"augment": {"spin": 1}})


def test_differences_name_the_changed_fields():
    a = ExperimentConfig()
    b = a.replace(seeding="once", augment={"enabled": True})
    assert a.differences(b) == ["augment.enabled", "seeding"]
    assert a.differences(a) == []


def test_summary_is_one_readable_line():
    c = ExperimentConfig(model="vgg19-random", passes=8, seeding="once", seed=42, augment=AugmentConfig(enabled=True))
    assert c.summary() == "VGG19 random weights, 8 passes, seed 42 once, augmentation on"


def test_preprocess_auto_resolves_by_model():
    assert ExperimentConfig().effective_preprocess == "caffe"
    assert ExperimentConfig(model="m.keras").effective_preprocess == "none"
