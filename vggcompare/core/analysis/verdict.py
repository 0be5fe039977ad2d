"""Plain-English verdicts, generated only from computed numbers and the configuration."""

from __future__ import annotations

from typing import Sequence

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.analysis.rows import RowPattern, row_sentence
from vggcompare.core.analysis.stats import PassStatistics


def fmt(x: float) -> str:
    """Format a probability or difference compactly: 0.031, 3.1e-06, 0."""
    if x == 0:
        return "0"
    if abs(x) >= 0.001:
        return f"{x:.3g}"
    return f"{x:.2g}"


def model_augmentation_active(config: ExperimentConfig) -> bool:
    """True when the model's own augmentation layers act at random: in training mode, whole or their part alone."""
    return config.training_mode and config.training_part in ("all", "augmentation")


def random_sources(config: ExperimentConfig, dropout_active: bool, model_augmentation: Sequence[str] = ()) -> list[str]:
    """The random sources this configuration switches on, in words.

    ``model_augmentation``: what each augmentation layer inside the model does (core.model.layer_kinds); they are
    a random source when the configuration calls them in training mode."""
    sources = []
    if model_augmentation and model_augmentation_active(config):
        sources.append(f"the model's own augmentation layer{'s' * (len(model_augmentation) > 1)}, active because it was "
                       f"called with training=True: {join_words(list(model_augmentation))}")
    if config.augment.enabled:
        sources.append("random augmentation")
    if config.reinit_weights:
        sources.append("new random weights for every pass")
    if dropout_active and config.training_mode and config.dropout is None:
        sources.append("dropout, on in training mode")
    elif dropout_active:
        sources.append("dropout at inference")
    return sources


def run_verdict(
    stats: PassStatistics,
    labels: Sequence[str],
    config: ExperimentConfig,
    dropout_active: bool,
    notes: Sequence[str] = (),
    rows: RowPattern | None = None,
    model_augmentation: Sequence[str] = (),
) -> str:
    """Return the verdict for one run: what the passes did, and why, from the numbers.

    ``rows`` is the row-position analysis (core.analysis.rows.row_pattern) of a run whose passes differ;
    when no random source is on it names which rows of each forward call differ and by how much.
    ``model_augmentation``: what each augmentation layer inside the model does (see :func:`random_sources`).
    """
    n = stats.passes
    sources = random_sources(config, dropout_active, model_augmentation)
    sentences: list[str] = []
    top = labels[stats.top1_mode]
    if config.dropout is not None and not dropout_active:
        sentences.append("Dropout was requested but this model has no dropout layers: it had no effect.")
    if n == 1:
        sentences.append(f"Only 1 pass was run, so there is nothing to compare within the run; top-1 was '{top}'.")
    elif stats.all_bit_identical:
        sentences.append(f"All {n} passes gave bit-identical outputs; top-1 was '{top}' ({fmt(stats.mean[stats.top1_mode])}).")
        if not sources:
            sentences.append(
                "Nothing random was switched on, so there was nothing for a seed to change: "
                "the same input through the same model gives the same numbers."
            )
        elif config.seeding == "every-pass":
            sentences.append(
                f"Re-seeding with {config.seed} before every pass made each pass draw the same "
                f"{' and '.join(sources)}, so the passes could not differ."
            )
    else:
        sentences.append(
            f"Top-1 was '{top}' in {stats.top1_mode_count} of {n} passes; the largest spread is in "
            f"'{labels[stats.max_std_class]}' (std {fmt(stats.max_std)})."
        )
        if stats.distinct_top1 > 1:
            sentences.append(f"{stats.distinct_top1} different top-1 labels appeared.")
        sentences.append(f"The largest difference of any pass from pass 1 is {fmt(stats.max_abs_deviation_from_first)}.")
        if sources:
            sentences.append(f"The passes differ because of {join_words(sources)}.")
        elif rows is not None:
            sentences.append("No random source was switched on, yet the passes differ: this is floating-point numerics.")
            sentences.append(row_sentence(rows, fmt))
        else:
            sentences.append(
                "No random source was switched on, yet the passes differ: this is floating-point "
                "numerics (for example the batch a pass was computed in)."
            )
        if config.seeding == "off" and sources:
            sentences.append(
                "The run was unseeded, so a repeat will give different numbers; a seed would make the "
                "whole run repeatable but would not remove this variation."
            )
        elif config.seeding == "once" and sources:
            sentences.append(
                f"Seed {config.seed} makes the whole run repeatable, but it does not make the passes "
                "agree with each other."
            )
    if config.model.endswith("-random") and not config.is_custom_model and not config.reinit_weights:
        if config.seeding == "off":
            sentences.append(
                "The random weights were drawn once for this run without a seed, so a repeat of the run "
                "will give different numbers."
            )
        else:
            sentences.append(f"The random weights were drawn from seed {config.seed}, so a repeat gives the same weights.")
    if config.pitfalls:
        sentences.append(
            f"Pitfall{'s' if len(config.pitfalls) > 1 else ''} on ({', '.join(config.pitfalls)}): "
            "these change the input the same way in every pass; compare with a run without them to see the damage."
        )
    sentences.extend(n for n in notes if n.startswith("Note:"))
    return " ".join(sentences)


def join_words(items: Sequence[str]) -> str:
    """Join words as a sentence does: 'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
