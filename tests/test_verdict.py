"""Verdicts say what the numbers say: each sentence is checked against hand-made statistics."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vggcompare.core.analysis.compare import Comparison, comparison_verdict
from vggcompare.core.analysis.stats import PassStatistics
from vggcompare.core.analysis.verdict import fmt, run_verdict
from vggcompare.core.config import AugmentConfig, ExperimentConfig

LABELS = ["cat", "dog", "fish"]
PLAIN = ExperimentConfig(model="/m/tiny.keras", passes=5, seeding="once", seed=42)
AUGMENTED = PLAIN.replace(augment={"enabled": True})


def stats(passes=5, identical=False, mode=0, mode_count=5, distinct=1, max_dev=0.25, max_std=0.12, max_std_class=1):
    """PassStatistics with the fields the verdict reads set by hand (the rest filler)."""
    mean = np.array([0.6, 0.3, 0.1])
    return PassStatistics(
        passes=passes, classes=3, mean=mean, variance=np.zeros(3), min=mean.astype(np.float32), max=mean.astype(np.float32),
        top5=(), top1_mode=mode, top1_agreement=mode_count / passes, top1_mode_count=mode_count, distinct_top1=distinct,
        top1_counts={mode: mode_count}, max_abs_deviation_from_first=0.0 if identical else max_dev,
        all_bit_identical=identical, entropy_of_mean=0.0, mean_entropy=0.0, mutual_information=0.0,
        max_std=0.0 if identical else max_std, max_std_class=max_std_class,
    )


def sentences(text: str) -> list[str]:
    return [s if s.endswith(".") else s + "." for s in text.split(". ")]


@pytest.mark.parametrize("value, text", [(0, "0"), (0.5, "0.5"), (0.031234, "0.0312"), (0.001, "0.001"), (3.14e-6, "3.1e-06")])
def test_fmt_keeps_three_significant_digits_and_two_below_a_thousandth(value, text):
    assert fmt(value) == text


def test_a_single_pass_says_there_is_nothing_to_compare():
    verdict = run_verdict(stats(passes=1, identical=True, mode=2, mode_count=1), LABELS, PLAIN.replace(passes=1), False)
    assert verdict == "Only 1 pass was run, so there is nothing to compare within the run; top-1 was 'fish'."


def test_identical_passes_with_nothing_random_say_a_seed_has_nothing_to_change():
    first, second = sentences(run_verdict(stats(identical=True), LABELS, PLAIN, False))
    assert first == "All 5 passes gave bit-identical outputs; top-1 was 'cat' (0.6)."
    assert second.startswith("Nothing random was switched on, so there was nothing for a seed to change")


def test_identical_passes_under_every_pass_seeding_name_the_seed_and_the_sources():
    config = AUGMENTED.replace(seeding="every-pass", seed=9)
    verdict = run_verdict(stats(identical=True), LABELS, config, dropout_active=True)
    assert ("Re-seeding with 9 before every pass made each pass draw the same random augmentation and dropout at "
            "inference, so the passes could not differ.") in verdict


def test_differing_passes_report_their_numbers():
    verdict = run_verdict(stats(mode=1, mode_count=3, distinct=2, max_dev=0.25, max_std=0.125, max_std_class=2), LABELS, AUGMENTED, False)
    assert sentences(verdict)[:4] == [
        "Top-1 was 'dog' in 3 of 5 passes; the largest spread is in 'fish' (std 0.125).",
        "2 different top-1 labels appeared.",
        "The largest difference of any pass from pass 1 is 0.25.",
        "The passes differ because of random augmentation.",
    ]


def test_the_numbers_in_the_sentences_follow_the_statistics():
    one = run_verdict(stats(max_std=0.5, max_dev=0.75), LABELS, AUGMENTED, False)
    two = run_verdict(stats(max_std=2e-5, max_dev=4e-7), LABELS, AUGMENTED, False)
    assert "(std 0.5)" in one and "is 0.75." in one
    assert "(std 2e-05)" in two and "is 4e-07." in two
    assert "different top-1 labels" not in one  # one top-1 label: no sentence about several


def test_differing_passes_with_no_random_source_blame_floating_point_numerics():
    verdict = run_verdict(stats(), LABELS, PLAIN, False)
    assert "No random source was switched on, yet the passes differ: this is floating-point numerics" in verdict


def test_every_random_source_is_named():
    config = ExperimentConfig(model="vgg19-random", passes=5, seeding="once", augment=AugmentConfig(enabled=True), reinit_weights=True)
    verdict = run_verdict(stats(), LABELS, config, dropout_active=True)
    assert "because of random augmentation, new random weights for every pass and dropout at inference." in verdict


def test_dropout_on_through_training_mode_is_named_as_such():
    config = ExperimentConfig(passes=5, seeding="once", training_mode=True, training_part="dropout")
    verdict = run_verdict(stats(), LABELS, config, dropout_active=True)
    assert "because of dropout, on in training mode." in verdict
    assert "at inference" not in verdict
    assert "dropout at inference" in run_verdict(stats(), LABELS, config.replace(training_mode=False, training_part="all",
                                                                                    dropout=0.5), dropout_active=True)


@pytest.mark.parametrize("seeding, expected, absent", [
    ("off", "The run was unseeded, so a repeat will give different numbers", "makes the whole run repeatable, but"),
    ("once", "Seed 42 makes the whole run repeatable, but it does not make the passes agree", "The run was unseeded"),
])
def test_the_seeding_sentence_matches_the_seeding(seeding, expected, absent):
    verdict = run_verdict(stats(), LABELS, AUGMENTED.replace(seeding=seeding), False)
    assert expected in verdict and absent not in verdict


def test_dropout_requested_on_a_model_without_dropout_is_said_first():
    verdict = run_verdict(stats(identical=True), LABELS, PLAIN.replace(dropout=0.5), dropout_active=False)
    assert verdict.startswith("Dropout was requested but this model has no dropout layers: it had no effect.")
    assert "Dropout was requested" not in run_verdict(stats(), LABELS, PLAIN.replace(dropout=0.5), dropout_active=True)


@pytest.mark.parametrize("seeding, expected", [
    ("off", "The random weights were drawn once for this run without a seed, so a repeat of the run will give different numbers."),
    ("once", "The random weights were drawn from seed 42, so a repeat gives the same weights."),
])
def test_random_weights_say_whether_a_repeat_gets_the_same_weights(seeding, expected):
    config = ExperimentConfig(model="vgg19-random", passes=5, seeding=seeding)
    assert run_verdict(stats(identical=True), LABELS, config, False).endswith(expected)


def test_pitfalls_are_listed_singular_or_plural_and_only_notes_marked_note_are_kept():
    one = run_verdict(stats(identical=True), LABELS, PLAIN.replace(preprocess="caffe", pitfalls=("double-preprocess",)), False)
    two = run_verdict(stats(identical=True), LABELS, PLAIN.replace(preprocess="caffe", pitfalls=("double-preprocess", "no-bgr-swap")),
                      False, notes=["Note: the image was resized.", "internal detail"])
    assert "Pitfall on (double-preprocess): these change the input the same way in every pass" in one
    assert "Pitfalls on (double-preprocess, no-bgr-swap)" in two
    assert two.endswith("Note: the image was resized.") and "internal detail" not in two


COMPARISON = Comparison(
    bit_identical=False, same_shape=True, max_abs_difference=0.0123, max_difference_class=1, max_mean_difference=0.01,
    same_top1=True, top1_a=0, top1_b=0, top5_overlap=3, config_differences=(), mean_difference=np.zeros(3),
)


def test_a_bit_identical_pair_says_so_with_the_names_given():
    same = dataclasses.replace(COMPARISON, bit_identical=True, max_abs_difference=0.0)
    assert comparison_verdict(same, LABELS) == "B reproduces A bit for bit."
    assert comparison_verdict(same, LABELS, "the original", "the repeat") == "The repeat reproduces the original bit for bit."


def test_a_differing_pair_reports_its_numbers_and_blames_the_environment_when_settings_agree():
    assert sentences(comparison_verdict(COMPARISON, LABELS)) == [
        "Largest difference 0.0123 in 'dog'; same top-1 ('cat').",
        "The top-5 lists share 3 of 5 classes.",
        "The settings are identical, so the difference comes from unseeded random draws or the environment.",
    ]


def test_a_changed_top1_names_both_and_differing_settings_are_listed():
    cmp = dataclasses.replace(COMPARISON, same_top1=False, top1_b=2, top5_overlap=4, config_differences=("augment.enabled", "seed"))
    verdict = comparison_verdict(cmp, LABELS, "A", "B")
    assert "different top-1 (A: 'cat', B: 'fish')" in verdict and "share 4 of 5" in verdict
    assert verdict.endswith("Settings that differ: augment.enabled, seed.") and "identical" not in verdict


def test_runs_of_different_lengths_compare_mean_probabilities():
    cmp = dataclasses.replace(COMPARISON, same_shape=False)
    assert comparison_verdict(cmp, LABELS).startswith("Largest difference between mean probabilities 0.0123 in 'dog'")
