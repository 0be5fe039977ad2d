"""The causes a checkup tries: each one variant at its most common setting, and what the user's code does to hit it.

A cause is measured against the reference (the user's pipeline with nothing random on, one pass) unless it
names another cause to measure against (the DCT method and antialias are measured within TensorFlow's loader).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from vggcompare.core.config import DEFAULT_INTERPOLATION, ExperimentConfig
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.input.loaders import is_jpeg
from vggcompare.core.model.mc_dropout import adds_dropout_layers
from vggcompare.core.runtime_rules import DEPLOYMENT, RUNTIMES, SHORT, under_jax
from vggcompare.core.option_rules import why_not



TRAINING_CALLS = "earlier training-mode calls"  # BatchNorm statistics changed by them


@dataclass(frozen=True)
class Cause:
    """One cause: its name, the setting tried, the configuration changes, the sentence, and why it cannot apply."""

    key: str
    setting: str
    changes: dict[str, Any]
    sentence: str
    against: str | None = None  # another cause's key to measure against; None: the reference
    not_applicable: str = ""
    notes: tuple[str, ...] = field(default=())
    fresh_process: bool = False  # runs in a new Python process (threads, kernel library), measured against the reference


def reference_config(config: ExperimentConfig) -> ExperimentConfig:
    """The user's pipeline (loader, call path, model, preprocessing) with every source of variation off, one pass.

    The image is alone in its call (batch size 1), as a single prediction is: a sweep of the checkup then runs each
    image alone too, so its "batch size" cause measures a batch against the image alone, as on one image."""
    from vggcompare.core.studies.presets.base import clean  # (the presets package imports this module)

    return clean(config, passes=1, batch_size=1, training_mode=False, batch_neighbours="none")


def causes_for(ref: ExperimentConfig, image: LoadedImage | None) -> list[Cause]:
    """Every cause the tool knows, for this reference and image; those that cannot apply say why.

    Without an image (a sweep's variants) the causes that depend on the file are all kept."""
    jpeg = image is None or (image.data is not None and is_jpeg(image.data))
    other_loaders = [name for name in ("load-img", "tf-dataset", "opencv") if name != ref.loader]
    out = [Cause(f"loader {name}", f"{name} at its defaults", {"loader": name, "interpolation": DEFAULT_INTERPOLATION[name],
                                                                "pitfalls": (), "dct_method": "default", "antialias": False},
                 _LOADER_SENTENCES[name]) for name in other_loaders]
    cv = {"loader": "opencv", "interpolation": "bilinear", "pitfalls": ("opencv-bgr",)}
    out.append(Cause("OpenCV's BGR order", "cv2.imread without cvtColor", cv,
                     "Your code calls cv2.imread and feeds its BGR array to the model without cv2.cvtColor(…, COLOR_BGR2RGB)."))
    tf = {"loader": "tf-dataset", "interpolation": "bilinear", "pitfalls": ()}
    out.append(Cause("TensorFlow's default DCT", "decode_jpeg default vs INTEGER_ACCURATE", {**tf, "dct_method": "INTEGER_ACCURATE"},
                     "Your code decodes JPEGs with tf.io.decode_jpeg or decode_image, whose default IDCT is not PIL's "
                     "(dct_method='INTEGER_ACCURATE' matches it).", against="loader tf-dataset",
                     not_applicable="" if jpeg else "not a JPEG: the DCT method only changes JPEG decoding"))
    out.append(Cause("antialias", "tf.image.resize(antialias=True)", {**tf, "antialias": True},
                     "Your code resizes with tf.image.resize(…, antialias=True) where the dataset does not.",
                     against="loader tf-dataset"))
    resize = "bilinear" if ref.interpolation != "bilinear" else "nearest"
    out.append(Cause("resize filter", f"{resize} instead of {ref.interpolation}", {"interpolation": resize},
                     f"Your code resizes with {resize} (e.g. smart_resize or PIL's resize) where the reference uses {ref.interpolation}."))
    vgg = adds_dropout_layers(ref.model)  # else the dropout cause keys the model's own layers, as training mode does
    out += [
        Cause("preprocess_input twice", "double-preprocess", {"pitfalls": (*ref.pitfalls, "double-preprocess")},
              "Your code calls preprocess_input on an array it already preprocessed (it works in place on float arrays).",
              not_applicable="the model takes raw pixels (no preprocess_input to apply twice)" if ref.effective_preprocess == "none" else ""),
        Cause(INSIDE_TWICE, "tf mode outside, the model's own layers inside", {"preprocess": "tf"},
              "Your code calls preprocess_input (or divides by 127.5 and subtracts 1) on pixels for a model that "
              "already rescales or normalises them with its own layers.",
              not_applicable="" if ref.effective_preprocess == "none" else
              "the reference already preprocesses outside the model: its run note says whether the input is preprocessed twice"),
        Cause("rescale after preprocess_input", "rescale-after-preprocess", {"pitfalls": (*ref.pitfalls, "rescale-after-preprocess")},
              "Your code divides by 255 after preprocess_input, as ImageDataGenerator(rescale=1./255) does."),
        Cause("no BGR swap", "no-bgr-swap", {"pitfalls": (*ref.pitfalls, "no-bgr-swap")},
              "Your code subtracts the ImageNet means without turning RGB into BGR.",
              not_applicable=why_not("pitfalls=no-bgr-swap", ref)),
    ]
    out.append(Cause("EXIF orientation", "apply-exif", {"pitfalls": (*ref.pitfalls, "apply-exif")},
                     "Your code turns photos upright (ImageOps.exif_transpose, a viewer's export) where load_img does not.",
                     not_applicable=_switch_reason("apply-exif", ref, image is None or image.exif_orientation != 1, "no EXIF rotation")))
    out.append(Cause("transparency on white", "alpha-on-white", {"pitfalls": (*ref.pitfalls, "alpha-on-white")},
                     "Your code composites transparent pixels on white where load_img keeps the stored colours.",
                     not_applicable=_switch_reason("alpha-on-white", ref, image is None or image.transparent, "no transparent pixel")))
    other = "tf" if ref.effective_preprocess == "caffe" else "caffe"  # as the pitfalls demonstration picks it
    out.append(Cause("another architecture's preprocessing", f"{other} mode", {"preprocess": other, "pitfalls": _safe(ref, other)},
                     f"Your code imports preprocess_input from another model's module ({other} mode) than the model's."))
    for call, sentence in (("predict", "Your code calls model.predict(x) where the reference's is a compiled call."),
                           ("eager", "Your code calls model(x) eagerly, outside any tf.function."),
                           ("xla", "Your code compiles with jit_compile=True (XLA).")):
        if call != ref.call:
            out.append(Cause(f"call {call}", call, {"call": call}, sentence))
    out += [
        Cause("training mode", "training=True, alone", {"training_mode": True, "call": "compiled" if ref.call == "predict" else ref.call},
              "Your code calls model(x, training=True), or a layer inside it does: BatchNorm uses the batch's statistics."),
        Cause("training mode: BatchNorm batch statistics", "training=True, Dropout kept off",
              {"training_mode": True, "training_part": "batchnorm", "call": "compiled" if ref.call == "predict" else ref.call},
              "Your code runs BatchNorm in training mode (training=True, or a BatchNorm layer called with it) while Dropout is off."),
        Cause("training mode: Dropout active", "Dropout on, BatchNorm in inference",
              {"training_mode": True, "training_part": "dropout", "call": "compiled" if ref.call == "predict" else ref.call},
              "Your code leaves Dropout on (training=True on Dropout layers) while BatchNorm is frozen (trainable=False).",
              not_applicable="" if vgg else "for this model the same computation as the dropout row (its own Dropout "
                                            "layers on at their own rates, BatchNorm in inference): that row measures both"),
        Cause(TRAINING_CALLS, "BatchNorm statistics moved by 1 call", {"training_calls_before": 1},
              "Your code called model(x, training=True) once before predicting (a training step, a check in training "
              "mode, a layer calling BatchNorm with training=True): Keras 3 updated BatchNorm's moving statistics, and "
              "every later predict and model(x) uses them."),
        Cause("augmentation layers inside the model", "active because it was called with training=True",
              {"training_mode": True, "training_part": "augmentation", "call": "compiled" if ref.call == "predict" else ref.call},
              "Your code calls the model with training=True, so the augmentation layers inside it (RandomFlip, "
              "RandomRotation, …) change the image at random, as they do in training."),
        Cause("batch neighbours", "with 15 bundled photos", {"batch_neighbours": "samples", "batch_size": 16},
              "Your code predicts the image in one batch with other images instead of alone."),
        Cause("training mode in a batch", "training=True, with 15 photos",
              {"training_mode": True, "batch_neighbours": "samples", "batch_size": 16, "call": "compiled" if ref.call == "predict" else ref.call},
              "Your code calls the model in training mode on a batch of different images (a training loop's evaluation)."),
        Cause("batch size", "8 copies in one call", {"passes": 8, "batch_size": 8},
              "Your code predicts the image inside a batch of 8 rather than alone (row-position numerics)."),
        Cause("precision", "bfloat16", {"precision": "bfloat16"},
              "Your code sets keras.mixed_precision.set_global_policy('mixed_bfloat16')."),
        Cause("seeding with augmentation", "augmentation, unseeded", {"augment": {"enabled": True}, "seeding": "off"},
              "Your code augments test images (ImageDataGenerator, Random* layers) without a fixed seed."),
        Cause("dropout", "dropout 0.5 after fc1 and fc2" if vgg else "its Dropout layers on (their own rates)", {"dropout": 0.5},
              "Your code keeps dropout on at inference (training=True on Dropout, or MC dropout)." if vgg else
              "Your code keeps its Dropout layers on at inference (MC dropout, or training=True with BatchNorm frozen, "
              "trainable=False)."),
        Cause("new weights", "other random weights", {"reinit_weights": True, "passes": 1},
              "Your code builds the model again without loading fixed weights or a seed, so its initial weights change.",
              not_applicable=why_not("reinit_weights", ref)),
        _kernel_cause(ref),
        _threads_cause(ref),
    ]
    out.append(_keras2_cause(ref))
    out += runtime_causes(ref)
    if ref.backend == "jax":
        out = [c for c in out if c.key != "call xla"]
    return _without_layers(out, ref)


# The causes that switch Keras layers, by the key of core.model.model_forms.not_applicable's sentence
_LAYER_CAUSES = {"training mode": "training mode", "training mode: BatchNorm batch statistics": "training mode",
                 "training mode: Dropout active": "training mode", "augmentation layers inside the model": "training mode",
                 "training mode in a batch": "training mode", "dropout": "dropout", "precision": "bfloat16"}


def _without_layers(causes: list[Cause], ref: ExperimentConfig) -> list[Cause]:
    """A SavedModel or a tf_keras-read .h5 has no Keras 3 layers to switch: those causes say so in one sentence."""
    from dataclasses import replace

    from vggcompare.core.model.model_forms import not_applicable

    reasons = not_applicable(ref.model, ref.h5_reader) if ref.is_custom_model else {}
    if not reasons:
        return causes
    return [replace(c, not_applicable=c.not_applicable or reasons[_LAYER_CAUSES[c.key]]) if c.key in _LAYER_CAUSES else c
            for c in causes]


def _keras2_cause(ref: ExperimentConfig) -> Cause:
    """Keras 2 (tf_keras) against Keras 3 reading the same .h5 file."""
    from vggcompare.core.model.model_forms import tf_keras_available

    other = "keras" if ref.h5_reader == "tf-keras" else "tf-keras"
    reason = ""
    if not ref.model.lower().endswith((".h5", ".hdf5")):
        reason = "not an .h5 file"
    elif not tf_keras_available():
        reason = "tf_keras (Keras 2) is not installed here (pip install 'vggcompare[keras2]')"
    elif not ref.trust_model:
        reason = ("tf_keras reads an .h5 file with no safe mode, so this is measured only when you trust the model "
                  "(--trust-model)")
    names = {"keras": "Keras 3", "tf-keras": "tf_keras (Keras 2)"}
    return Cause("Keras 2 against Keras 3", f"{names[other]} instead of {names[ref.h5_reader]}", {"h5_reader": other},
                 "Your code loads the same .h5 file with tf.keras (Keras 2: TensorFlow 2.15 or older, or tf_keras) where "
                 "the reference reads it with Keras 3, or the other way round.", not_applicable=reason)


INSIDE_TWICE = "preprocessed outside and again inside the model"

def runtime_causes(ref: ExperimentConfig) -> list[Cause]:
    """One cause per runtime the model can be served by (the reference's own left out): its export, the runtime's call.

    A user's own exported file with its reference Keras model (``reference_model``) gets one more: that Keras model."""
    from vggcompare.core.model.runtimes.served import missing_package
    from vggcompare.core.runtime_rules import runtime_of_file

    defaults = {"tflite_xnnpack": True, "tflite_threads": None, "calibration": None}
    if runtime_of_file(ref.model):  # a user's own file: only the Keras model it came from is another runtime of it
        if not ref.reference_model:
            return []
        return [Cause("the Keras model it came from", os.path.basename(ref.reference_model),
                      {"model": ref.reference_model, "runtime": "keras", "reference_model": None, **defaults},
                      "Your exported file against the Keras model it was exported from (your training model).")]
    out = []
    for runtime in RUNTIMES:
        if runtime == ref.runtime:
            continue
        missing = missing_package(runtime, ref.backend) if runtime != "keras" else ""
        changes = {"runtime": runtime, "call": "compiled", **defaults}
        if runtime == "keras":
            out.append(Cause("runtime keras", SHORT[runtime], {**changes, "call": ref.call},
                             "Your code calls the Keras model itself rather than its export."))
            continue
        out.append(Cause(f"runtime {runtime}", SHORT[runtime], changes, DEPLOYMENT[runtime],
                         not_applicable=f"the package {missing.replace('_', '-')} is not installed"
                         f"{' (' + under_jax(runtime) + ')' if ref.backend == 'jax' else ''}" if missing else ""))
    return out


_LOADER_SENTENCES = {
    "load-img": "Your code reads the file with keras.utils.load_img (PIL, nearest resize).",
    "tf-dataset": "Your code reads files with keras.utils.image_dataset_from_directory (tf.io.decode_image + "
                  "tf.image.resize, bilinear) while serving with load_img.",
    "opencv": "Your code reads the file with cv2.imread and cv2.resize (linear), converting BGR to RGB.",
}


def kernels_in_force() -> str:
    """'onednn' or 'eigen': what TensorFlow uses in this process (TF_ENABLE_ONEDNN_OPTS if set, else the CPU's default)."""
    from vggcompare.core.model.cpu import default_kernels

    value = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower()
    if value in ("1", "true"):
        return "onednn"
    if value in ("0", "false"):
        return "eigen"
    return default_kernels().lower()


def _kernel_cause(ref: ExperimentConfig) -> Cause:
    here = ref.kernels if ref.kernels != "default" else kernels_in_force()
    other = "eigen" if here == "onednn" else "onednn"
    names = {"onednn": "oneDNN", "eigen": "Eigen"}
    return Cause("kernel library", f"{names[other]} instead of {names[here]} (new process)", {"kernels": other},
                 f"Your code runs on a CPU whose default is {names[other]} (or with TF_ENABLE_ONEDNN_OPTS="
                 f"{'1' if other == 'onednn' else '0'}): TensorFlow picks the kernel library from the CPU.",
                 fresh_process=True, not_applicable=why_not("kernels", ref))


def _threads_cause(ref: ExperimentConfig) -> Cause:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    reason = why_not("threads", ref)
    if not reason and cores < 2 and ref.threads in (None, 1):
        reason = "this machine gives the process one core: one thread is already its default"
    threads = 2 if ref.threads == 1 else 1
    return Cause("threads", f"{threads} thread{'s' * (threads > 1)} (new process)", {"threads": threads},
                 "Your code runs with another intra-op thread count (another machine, a container's CPU limit, "
                 "tf.config.threading).", fresh_process=True, not_applicable=reason)


def _switch_reason(pitfall: str, ref: ExperimentConfig, has_it: bool, missing: str) -> str:
    return why_not(f"pitfalls={pitfall}", ref) or ("" if has_it else f"the image has {missing}: this switch changes nothing")


def _safe(ref: ExperimentConfig, mode: str) -> tuple[str, ...]:
    """The reference's pitfalls that stay valid under another preprocessing mode."""
    other = ref.replace(preprocess=mode)
    return tuple(p for p in ref.pitfalls if not why_not(f"pitfalls={p}", other))
