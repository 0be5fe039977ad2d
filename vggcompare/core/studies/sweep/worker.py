"""One sweep worker: the model built once, then groups of images sent through each variant in fixed-size calls.

The same code runs in the local process and in each Ray actor, so both produce the same rows. Pass i of
every image draws its augmentation and dropout from the engine's keyed streams (run seed, i), and each
variant's rows go through the engine's own forward loop (:func:`vggcompare.core.passes.forward.forward_calls`),
in calls of the engine's size, padded as the engine pads them.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Generator

import numpy as np

from vggcompare.core.analysis.sweep_stats import image_numbers
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ExportError, ImageError
from vggcompare.core.input import augment as aug
from vggcompare.core.input.images import LoadedImage, encode_png, load_image, to_thumbnail
from vggcompare.core.input.loaders import loader_input
from vggcompare.core.model.backend import EngineSettings, apply_start_settings, import_tensorflow, set_deterministic_ops, set_threads
from vggcompare.core.model.prepare import PreparedModel, prepare_model
from vggcompare.core.storage.sweep_maps import encode_map
from vggcompare.core.passes.engine import AUTO_BATCH, auto_batch_size
from vggcompare.core.passes.explain import KeptPasses, check_explainable, explain_passes, explained_count
from vggcompare.core.passes.forward import STREAM_INIT, dropout_keys, forward_calls, hold_pass_weights

# An item of a group: (image index, name shown in errors, the file's bytes or the reason it could not be read)
Item = tuple[int, str, "bytes | str"]
THUMBNAIL_SIDE = 160


def call_size(config: ExperimentConfig, rows: int) -> int:
    """Rows per forward call for a variant: its passes per call (the engine's chunk), at most a group's rows."""
    if config.reinit_weights:
        return 1
    if config.training_mode:  # each image alone in its calls, as a run of it would be: BatchNorm sees no other image
        return config.passes
    return min(config.batch_size or AUTO_BATCH, rows)


class SweepWorker:
    """Holds the variants and the model for them; runs groups of images through every variant."""

    def __init__(self, variants: list[tuple[str, ExperimentConfig]], group: int, allow_download: bool = True) -> None:
        self.variants = variants
        self.group = group
        self.allow_download = allow_download
        self.labels: list[str] = []
        self.model_description = ""
        self._bases: dict[int, tuple] = {}  # each variant's pass-key base, by id of its config (its maps reuse the passes' keys)

    def start(self, threads: int | None = None) -> None:
        """Start the backend with the reference's settings and build the model (once per process)."""
        ref = self.variants[0][1]
        apply_start_settings(EngineSettings.from_config(ref))
        import_tensorflow()
        set_threads(threads if threads is not None else ref.threads)
        if ref.seeding != "off":
            import keras

            keras.utils.set_random_seed(ref.seed)
        prepared = prepare_model(ref, allow_download=self.allow_download)
        self.labels = list(prepared.labels)
        self.model_description = prepared.description

    def run_group(self, items: list[Item]) -> Generator[int, None, tuple[list[dict], dict[int, bytes]]]:
        """Run one group through every variant; yield passes done after each call; return (rows, thumbnails).

        An image that cannot be read gets a row with its error under every variant; its passes are reported done.
        """
        images: dict[int, LoadedImage] = {}
        errors: dict[int, str] = {}
        for index, name, data in items:
            try:
                if isinstance(data, str):
                    raise ImageError(data)
                images[index] = load_image(data, name=name)
            except ImageError as exc:
                errors[index] = str(exc)
        thumbs = {i: encode_png(to_thumbnail(np.asarray(im.image, np.float32), THUMBNAIL_SIDE)) for i, im in images.items()}
        if errors:  # their passes count as done for the progress, though none runs
            yield len(errors) * sum(cfg.passes for _, cfg in self.variants)
        probs: list[dict[int, np.ndarray]] = []
        pictures: list[dict[int, np.ndarray]] = []
        failed: dict[tuple[int, int], str] = {}  # (image, variant): what the variant's loader could not read
        for k, (_name, cfg) in enumerate(self.variants):
            readable = {}
            try:
                size = prepare_model(cfg, allow_download=self.allow_download).input_size
            except ExportError as exc:  # a converter that refuses the model: an error row for each image, not a crash
                failed.update({(index, k): str(exc) for index in images})
                size = None
            for index, loaded in images.items() if size is not None else ():
                try:
                    readable[index] = loader_input(loaded, size, cfg)[0]
                except ImageError as exc:
                    failed[(index, k)] = str(exc)
            if len(readable) < len(images):
                yield (len(images) - len(readable)) * cfg.passes
            try:
                out = yield from self._run_variant(cfg, readable)
            except ExportError as exc:  # random weights are exported once drawn, so a refusal can come here
                failed.update({(index, k): str(exc) for index in readable})
                out = {}
            probs.append(out)
            pictures.append(readable)
        rows = []
        for index, name, _data in items:
            for k, (variant, cfg) in enumerate(self.variants):
                row = {"image_index": index, "variant_index": k, "image": name, "variant": variant, "passes": cfg.passes}
                if index in errors or (index, k) in failed or (index, 0) in failed:
                    row["error"] = errors.get(index) or failed.get((index, k)) or f"the reference: {failed[(index, 0)]}"
                else:
                    row.update(self._numbers(probs[0][index], probs[k][index]))
                rows.append(row)
        if any(cfg.explain for _, cfg in self.variants):
            yield from self._explain_flips(rows, pictures, probs)
        return rows, thumbs

    def _explain_flips(self, rows: list[dict], pictures: list, probs: list) -> Generator[int, None, None]:
        """Add the mean map to the rows whose top-1 flipped, and to their images' reference rows.

        Only flipped images get maps (the flip grid shows no other, and a flip is known once the variant
        ran): each map is what a run of that image under that variant would compute, from the same first
        K passes' inputs, keys and weights (core.passes.explain). Yields 0 after each map (a cancellation point).
        """
        flipped = {r["image_index"] for r in rows if r.get("top1_changed")}
        for row in rows:
            i, k = row["image_index"], row["variant_index"]
            if i in flipped and (k == 0 or row["top1_changed"]):
                e = self._mean_map(k, pictures[k][i], probs[k][i])
                row.update(map_method=e.method, map_class=e.class_name, map_npy=encode_map(e.mean))
                yield 0

    def _mean_map(self, k: int, picture: np.ndarray, probabilities: np.ndarray):
        """Variant k's explanation of one image, as :func:`run_passes` would make it for a run of that image."""
        cfg = self.variants[k][1]
        prepared = prepare_model(cfg, allow_download=self.allow_download)
        set_deterministic_ops(cfg.deterministic_ops)
        self._hold(prepared, cfg)
        base = self._bases[id(cfg)]
        kept = KeptPasses(explained_count(cfg))
        augmenter = aug.PassAugmenter(cfg.augment, base[0] % 2**32, cfg.seeding) if cfg.augment.enabled else None
        indices = range(kept.count)
        keys = dropout_keys(base, cfg, indices, kept.count) if prepared.keys is not None else None
        kept.add(self._rows(cfg, picture, augmenter, 0, kept.count), keys, indices)
        hold = (lambda i: hold_pass_weights(prepared, base, cfg, i)) if cfg.reinit_weights else None
        return explain_passes(prepared, cfg, kept, probabilities, auto_batch_size(cfg), hold)

    @staticmethod
    def _hold(prepared: PreparedModel, cfg: ExperimentConfig) -> None:
        # A sweep holds one set of random weights, drawn from the seed, for every image (even unseeded).
        if prepared.random_weights and not cfg.reinit_weights:
            prepared.hold_weights((cfg.seed, STREAM_INIT))

    def _numbers(self, reference: np.ndarray, variant: np.ndarray) -> dict:
        n = image_numbers(reference, variant)
        return {
            "top1_label": self.labels[n.top1_index], "top1_probability": n.top1_probability,
            "reference_top1_label": self.labels[n.reference_top1_index],
            "top1_changed": n.top1_changed, "top5_overlap": n.top5_overlap, "largest_change": n.largest_change,
            "largest_change_label": self.labels[n.largest_change_index], "kl_divergence": n.kl_divergence,
            "within_std": n.within_std,
            "probabilities_sha256": hashlib.sha256(np.ascontiguousarray(variant, np.float32).tobytes()).hexdigest(),
        }

    def _run_variant(self, cfg: ExperimentConfig, images: dict[int, np.ndarray]) -> Generator[int, None, dict[int, np.ndarray]]:
        """Every image's (N, C) probabilities under one variant (from its loader's pictures), in calls of a fixed size."""
        if not images:
            return {}
        prepared = prepare_model(cfg, allow_download=self.allow_download)
        check_explainable(prepared, cfg)  # an unknown class, or Grad-CAM without a conv layer: before the passes
        set_deterministic_ops(cfg.deterministic_ops)
        self._hold(prepared, cfg)
        base = (secrets.randbits(63),) if cfg.seeding == "off" else (cfg.seed,)
        self._bases[id(cfg)] = base
        n = cfg.passes
        order = list(images)
        # each image's passes are augmented as a run of the tool on that image alone would augment them
        augmenters = [aug.PassAugmenter(cfg.augment, base[0] % 2**32, cfg.seeding) if cfg.augment.enabled else None for _ in order]
        pictures = [images[i] for i in order]
        total = len(order) * n
        size = call_size(cfg, self.group * n)
        out = np.empty((total, prepared.classes), np.float32)

        def inputs(rows: range) -> np.ndarray:  # the rows of one or more images, each image's passes in order
            return np.concatenate([self._rows(cfg, pictures[k], augmenters[k], max(rows.start, k * n) - k * n,
                                              min(rows.stop, (k + 1) * n) - k * n)
                                   for k in range(rows.start // n, (rows.stop - 1) // n + 1)])

        for call in forward_calls(prepared, cfg, base, total, size, inputs, pass_of=lambda i: i % n):
            out[call.rows.start : call.rows.stop] = call.outputs
            yield len(call.rows)
        return {index: out[k * n : (k + 1) * n] for k, index in enumerate(order)}

    @staticmethod
    def _rows(cfg: ExperimentConfig, picture: np.ndarray, augmenter: aug.PassAugmenter | None, first: int, last: int) -> np.ndarray:
        """Passes first..last-1 of one image, augmented and preprocessed: what the model receives."""
        return aug.model_batch(augmenter, picture, range(first, last), cfg.effective_preprocess, cfg.pitfalls)[0]
