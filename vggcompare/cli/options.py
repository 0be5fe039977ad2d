"""Command-line options shared by the commands, and the one kind of error a user sees."""

from __future__ import annotations

import argparse
import dataclasses
import os

from vggcompare.core.input.keras_layers import LAYERS_DEFAULTS
from vggcompare.core.config import (
    BACKENDS,
    CALLS,
    DCT_METHODS,
    LOADER_INTERPOLATIONS,
    LOADERS,
    ENGINES,
    EXPLAIN_METHODS,
    FILL_MODES,
    H5_READERS,
    KERNELS,
    PITFALLS,
    TRAINING_PARTS,
    PRECISIONS,
    RUNTIMES,
    SEEDINGS,
    AugmentConfig,
    ExperimentConfig,
)


class UserError(Exception):
    """A problem with what the user asked for; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, status 2, no usage dump
        raise UserError(message)


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Add the experiment options shared by run, screenshot and preset."""
    p.add_argument("--model", default="vgg19", help="a built-in model: vgg19 (ImageNet), vgg19-random, efficientnet-lite0 (real weights, no download), resnet50, mobilenetv2-random, … (vggcompare models lists them), a .keras/.h5 file or a SavedModel folder")
    p.add_argument("--h5-reader", choices=H5_READERS, default="keras",
                   help="an .h5 model read by keras (Keras 3, safe mode) or tf-keras (Keras 2; needs --trust-model)")
    p.add_argument("--trust-model", action="store_true",
                   help="run a model form that is a program (a SavedModel folder, an .h5 read by tf-keras): TensorFlow "
                        "runs its graph with no safe mode, so only for a model you trust")
    p.add_argument("--weights", help="local ImageNet weights file for a built-in keras.applications model (--model vgg19, resnet50, …)")
    p.add_argument("--labels", help="labels file for a custom model, one class name per line")
    p.add_argument("--passes", type=int, default=20, help="number of forward passes N (1 to 100000)")
    p.add_argument("--seed", type=int, default=42, help="the seed S")
    p.add_argument("--seeding", choices=SEEDINGS, default="off", help="off, once per run, or before every pass")
    p.add_argument("--augment", action="store_true", help="random augmentation (defaults: the popular answer's)")
    p.add_argument("--augment-engine", choices=ENGINES, default="generator",
                   help="generator: Keras' legacy ImageDataGenerator, bit for bit; layers: Keras 3 preprocessing layers")
    p.add_argument("--rotation", type=float, default=None,
                   help="generator: rotation_range in degrees (default 20); layers: RandomRotation factor (default 0.05)")
    p.add_argument("--shift", type=range_value, default=None, help="both shift ranges (default 0.2); see --width-shift")
    p.add_argument("--width-shift", type=range_value, default=None,
                   help="width_shift_range: a fraction (0.2), whole pixels (20) or a list (0.1,0.3); layers: a fraction")
    p.add_argument("--height-shift", type=range_value, default=None, help="height_shift_range, as --width-shift")
    p.add_argument("--shear", type=float, default=None, help="generator: shear_range in degrees (default 0.2); layers: RandomShear x_factor")
    p.add_argument("--zoom", type=range_value, default=None, help="zoom_range z (factors in [1-z, 1+z]) or lo,hi; layers: RandomZoom factor")
    p.add_argument("--no-flip", action="store_true", help="no random horizontal flip")
    p.add_argument("--fill-mode", choices=FILL_MODES, default=None, help="default: nearest (generator), reflect (layers)")
    p.add_argument("--apply-exif", action="store_true", help="apply the EXIF orientation, as photo viewers do (Keras' load_img does not)")
    p.add_argument("--alpha-on-white", action="store_true", help="composite transparent pixels on white (Keras' load_img drops alpha)")
    p.add_argument("--reinit-weights", action="store_true", help="new random weights every pass (vgg19-random)")
    p.add_argument("--dropout", nargs="?", type=float, const=0.5, default=None, metavar="P",
                   help="dropout at inference (MC dropout); P defaults to 0.5")
    p.add_argument("--interpolation", choices=sorted({m for ms in LOADER_INTERPOLATIONS.values() for m in ms}), default=None,
                   help="resize method of the loader (default: load_img's nearest; tf-dataset's and opencv's bilinear)")
    p.add_argument("--loader", choices=LOADERS, default="load-img",
                   help="load-img: keras.utils.load_img; tf-dataset: image_dataset_from_directory's decode_image + "
                        "tf.image.resize; opencv: cv2.imread + cvtColor + cv2.resize")
    p.add_argument("--antialias", action="store_true", help="tf-dataset: tf.image.resize(antialias=True)")
    p.add_argument("--dct-method", choices=DCT_METHODS, default="default", help="tf-dataset, JPEGs: tf.io.decode_jpeg's dct_method")
    p.add_argument("--call", choices=CALLS, default="compiled",
                   help="compiled (tf.function / jax.jit), predict (model.predict), eager (model(x)), xla (jit_compile=True)")
    p.add_argument("--training-mode", action="store_true", help="call with training=True (BatchNorm uses the batch's statistics)")
    p.add_argument("--training-part", choices=TRAINING_PARTS, default="all",
                   help="with --training-mode: all, batchnorm (Dropout and augmentation layers kept off), dropout "
                        "(BatchNorm in inference) or augmentation (the model's own augmentation layers alone)")
    p.add_argument("--batch-neighbours", default="none", metavar="none|samples|FOLDER",
                   help="other images in each forward call (outputs discarded); --batch-size sets the rows per call")
    p.add_argument("--preprocess", choices=("auto", "caffe", "tf", "torch", "lite", "none"), default="auto",
                   help="auto: the model's own preprocess_input mode (recorded in the result)")
    p.add_argument("--pitfall", action="append", choices=PITFALLS, default=[], help="reproduce a common mistake (repeatable)")
    p.add_argument("--batch-size", type=int, default=None, help="passes per forward call (default: automatic)")
    p.add_argument("--precision", choices=PRECISIONS, default="float32")
    p.add_argument("--deterministic-ops", action="store_true", help="tf.config.experimental.enable_op_determinism()")
    p.add_argument("--threads", type=int, default=None, help="TensorFlow intra-op threads")
    p.add_argument("--kernels", choices=KERNELS, default="default",
                   help="TensorFlow's CPU kernel library: the CPU's default, or oneDNN or Eigen forced")
    p.add_argument("--backend", choices=BACKENDS, default="tensorflow", help="the Keras backend")
    p.add_argument("--runtime", choices=RUNTIMES, default=None,
                   help="where the model is served: keras (its own call), savedmodel (model.export), tflite, tflite-float16, "
                        "tflite-int8-dynamic, tflite-int8 (TFLiteConverter + LiteRT), onnxruntime (model.export onnx); "
                        "a .tflite or .onnx --model runs in its own runtime")
    p.add_argument("--no-xnnpack", action="store_true",
                   help="TFLite: the interpreter without its default XNNPACK delegate (BUILTIN_WITHOUT_DEFAULT_DELEGATES)")
    p.add_argument("--tflite-threads", type=int, default=None, metavar="N", help="TFLite: the interpreter's num_threads")
    p.add_argument("--calibration", default=None, metavar="FOLDER",
                   help="tflite-int8: the representative images (default: the 15 bundled sweep photos)")
    p.add_argument("--reference-model", default=None, metavar="MODEL.keras",
                   help="with a .tflite or .onnx --model: the Keras model it was exported from, shown beside it")
    p.add_argument("--explain", choices=EXPLAIN_METHODS, default=None,
                   help="a map of where the model looked for each of the first K passes: Grad-CAM or occlusion (7×7)")
    p.add_argument("--explain-class", default=None, metavar="CLASS",
                   help="the class the maps explain: a label or a 0-based number (default: the top-1 of the mean)")
    p.add_argument("--explain-passes", type=int, default=None, metavar="K", help="explain the first K passes (default 16)")


def config_from_args(args: argparse.Namespace, image: str | None) -> ExperimentConfig:
    """Build and validate the experiment configuration from parsed options."""
    base = AugmentConfig() if args.augment_engine == "generator" else LAYERS_DEFAULTS
    given = {"rotation": args.rotation, "shear": args.shear, "zoom": args.zoom, "fill_mode": args.fill_mode,
             "width_shift": args.shift, "height_shift": args.shift}
    given.update({k: v for k, v in (("width_shift", args.width_shift), ("height_shift", args.height_shift)) if v is not None})
    augment = dataclasses.replace(base, enabled=args.augment, horizontal_flip=not args.no_flip,
                                  **{k: v for k, v in given.items() if v is not None})
    switches = tuple(name for name, on in (("apply-exif", args.apply_exif), ("alpha-on-white", args.alpha_on_white)) if on)
    return ExperimentConfig(
        image=image, model=args.model, weights=args.weights, labels=args.labels, passes=args.passes,
        seeding=args.seeding, seed=args.seed, augment=augment, reinit_weights=args.reinit_weights,
        dropout=args.dropout, preprocess=args.preprocess,
        pitfalls=tuple(dict.fromkeys((*args.pitfall, *switches))), batch_size=args.batch_size, precision=args.precision,
        deterministic_ops=args.deterministic_ops, threads=args.threads,
        kernels=args.kernels, backend=args.backend, h5_reader=args.h5_reader, trust_model=args.trust_model,
        **pipeline_from_args(args), **_explain_args(args),
    ).validate()


def pipeline_from_args(args: argparse.Namespace) -> dict:
    """The loader and call-path fields; a batch-neighbours folder that cannot serve is refused here."""
    from vggcompare.core.config import DEFAULT_INTERPOLATION

    neighbours = args.batch_neighbours
    if neighbours not in ("none", "samples"):
        from vggcompare.core.passes.neighbours import neighbour_folder

        neighbours = os.path.abspath(neighbours)
        neighbour_folder(neighbours)
    return {"loader": args.loader, "interpolation": args.interpolation or DEFAULT_INTERPOLATION[args.loader],
            "antialias": args.antialias, "dct_method": args.dct_method, "call": args.call,
            "training_mode": args.training_mode, "training_part": args.training_part, "batch_neighbours": neighbours,
            **runtime_from_args(args)}


def runtime_from_args(args: argparse.Namespace) -> dict:
    """Where the model is served: --runtime (a .tflite or .onnx --model picks its own), the TFLite settings, the
    calibration folder (one that holds no image is refused here) and the reference Keras model."""
    from vggcompare.core.runtime_rules import runtime_of_file

    runtime = args.runtime or runtime_of_file(args.model or "") or "keras"
    calibration = args.calibration
    if calibration is not None:
        from vggcompare.core.model.runtimes.calibration import calibration_files

        calibration = os.path.abspath(calibration)
        calibration_files(calibration)
    reference = os.path.abspath(args.reference_model) if args.reference_model else None
    return {"runtime": runtime, "tflite_xnnpack": not args.no_xnnpack, "tflite_threads": args.tflite_threads,
            "calibration": calibration, "reference_model": reference}


def _explain_args(args: argparse.Namespace) -> dict:
    """The explanation options, for commands that have them."""
    return {name: getattr(args, name, None) for name in ("explain", "explain_class", "explain_passes")}


def range_value(text: str) -> float | int | tuple[float, ...]:
    """Parse a generator range as Keras takes it: '0.2' (float), '20' (int: whole pixels) or '0.1,0.3' (a list)."""
    items = [t for t in text.strip().strip("[]()").replace(" ", "").split(",") if t]
    try:
        values = [int(t) if t.lstrip("+-").isdigit() else float(t) for t in items]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or a list of numbers") from None
    if not values:
        raise argparse.ArgumentTypeError("an empty range")
    return values[0] if len(values) == 1 and "," not in text else tuple(values)


def load_config_file(path: str) -> ExperimentConfig:
    """Read an ExperimentConfig from a JSON file: a bare config, or a result file's 'config'."""
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the configuration file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = data["config"]
    return ExperimentConfig.from_dict(data)


def check_output_path(path: str, force: bool, kind: str = "file") -> None:
    """Refuse, before any work, an output path that exists (unless forced) or cannot be written."""
    import tempfile

    target = os.path.abspath(path)
    if kind == "file" and os.path.isdir(target):
        raise UserError(f"{path} is a folder; give a file name")
    if kind == "file" and os.path.exists(target) and not force:
        raise UserError(f"{path} already exists; add --force to replace it")
    folder = target if kind == "folder" else os.path.dirname(target)
    try:  # the only sure test, even for root: make the folder and a scratch file in it
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise UserError(f"cannot write to {folder}") from None


def parse_size(text: str) -> tuple[int, int]:
    """Parse '1600x1000' into (1600, 1000)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UserError(f"--size must look like 1600x1000, not {text!r}") from None
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise UserError("--size must be between 320x240 and 8000x8000")
    return w, h
