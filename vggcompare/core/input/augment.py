"""Augmentation for the pass engine: one object per run that gives each pass its augmented picture.

Two engines (``AugmentConfig.engine``), one implementation each:

* ``generator`` (`core.input.generator`): Keras' legacy ``ImageDataGenerator``. Pass i is batch i
  of ``flow(x, batch_size=1, seed=S)``: it draws from ``S + i``, so it depends only on the seed and
  i, never on the batch it is computed in.
* ``layers`` (`core.input.keras_layers`): Keras 3's preprocessing layers, called once per pass in
  pass order, as a script's loop calls them. Chunking cannot change it either.

Seeding ``once`` uses the run seed S; ``every-pass`` gives every pass pass 0's draw; ``off`` uses a
seed from the operating system's entropy.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

import numpy as np

from vggcompare.core.config import AugmentConfig
from vggcompare.core.input import generator, keras_layers
from vggcompare.core.input.preprocess import preprocess


class PassAugmenter:
    """Augments the passes of one run, in order; records what each pass drew."""

    def __init__(self, cfg: AugmentConfig, seed: int, seeding: str) -> None:
        self.cfg, self.seed, self.seeding = cfg, int(seed), seeding
        self._stack = None
        self._next = 0
        self._plain = dataclasses.replace(cfg, rescale=None)  # rescale waits until after preprocessing

    def _generator_seed(self, i: int) -> int:
        return (self.seed + (0 if self.seeding == "every-pass" else i)) % 2**32

    def augment(self, image: np.ndarray, indices: Sequence[int]) -> tuple[np.ndarray, list[dict[str, Any]]]:
        """The augmented (len(indices), H, W, C) float32 batch of passes ``indices`` and their records."""
        h, w = image.shape[:2]
        out = np.empty((len(indices), *image.shape), dtype=np.float32)
        records = []
        for j, i in enumerate(indices):
            if self.cfg.engine == "generator":
                record = generator.draw(self.cfg, self._generator_seed(i), h, w)
                out[j] = generator.apply(image, record, self.cfg if self.cfg.preprocess_first else self._plain)
            else:
                if i != self._next:
                    raise ValueError("the layers engine augments passes in order")
                if self._stack is None or self.seeding == "every-pass":
                    self._stack = keras_layers.build(self.cfg, self.seed)
                out[j], record = keras_layers.run_pass(self._stack, image)
            self._next = i + 1
            records.append(record)
        return out, records


def model_batch(
    augmenter: PassAugmenter | None, picture: np.ndarray, indices: Sequence[int], mode: str, pitfalls: tuple[str, ...],
    shown_below: int = 0, own_preprocess: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, list[dict[str, Any]], dict[int, np.ndarray]]:
    """What the model gets for passes ``indices``: (inputs, augmentation records, pictures to show).

    Without augmentation every pass is ``preprocess(picture)``. With it, the picture is augmented
    then preprocessed, as in a training pipeline; with ``preprocess_first`` (the popular answer's
    order) it is preprocessed, then augmented. The generator's ``rescale`` comes last, where the
    generator applies it. The pictures to show (0..255, for passes below ``shown_below``) are the
    augmented pictures before preprocessing. ``own_preprocess`` (the caller's function, see
    core.input.user_functions) replaces ``preprocess(batch, mode, pitfalls)``.
    """
    def prepare(batch: np.ndarray) -> np.ndarray:
        return own_preprocess(batch) if own_preprocess is not None else preprocess(batch, mode, pitfalls)

    if augmenter is None:
        batch = np.broadcast_to(picture, (len(indices), *picture.shape)).copy()
        return prepare(batch), [], {i: picture for i in indices if i < shown_below}
    cfg = augmenter.cfg
    if cfg.preprocess_first:
        x, records = augmenter.augment(prepare(picture[None])[0], indices)
        plain = dataclasses.replace(cfg, rescale=None)
        shown = {i: generator.apply(picture, r, plain) for i, r in zip(indices, records) if i < shown_below}
        return x, records, shown
    batch, records = augmenter.augment(picture, indices)
    shown = {i: batch[j] for j, i in enumerate(indices) if i < shown_below}
    x = prepare(batch)
    if cfg.rescale:
        x *= np.float32(cfg.rescale)
    return x, records, shown


def describe(cfg: AugmentConfig, record: dict[str, Any]) -> str:
    """A short caption of what one pass's augmentation did to the picture."""
    return generator.describe(record) if cfg.engine == "generator" else keras_layers.describe(record)


def augment_notes(cfg: AugmentConfig, seed: int | None, seeding: str = "once") -> list[str]:
    """Sentences for the result: the known generator swap, or the layers script to reproduce."""
    if cfg.engine == "generator":
        moved = [n for n, v in (("height_shift_range moved it sideways", cfg.height_shift),
                                ("width_shift_range moved it up and down", cfg.width_shift)) if v]
        args = ", ".join(f"{k}={v!r}" for k, v in generator.keras_arguments(cfg).items())
        where = "preprocess_input first, then " if cfg.preprocess_first else ""
        notes = [f"The generator engine's passes are those of ImageDataGenerator({args}), {where}flow(x, batch_size=1, "
                 f"seed={seed}): {'every pass is batch 0' if seeding == 'every-pass' else 'pass i is batch i'}." if seed is not None else ""]
        if moved:
            notes.append(f"Note: in the generator engine, {' and '.join(moved)}: a known Keras behaviour (keras-team/keras#17398).")
        return [n for n in notes if n]
    if seed is None:
        return []
    return ["The layers engine's passes are those of a plain Keras 3 script, each pass one call "
            f"augment(x[None], training=True) after: {keras_layers.script(cfg, seed, one_line=True)}"]
