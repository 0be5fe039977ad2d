"""``vggcompare.run``: N forward passes of the caller's model on one image, in the caller's process."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    from vggcompare.api.run_result import RunResult

Preprocess = Callable[[np.ndarray], Any]
Loader = Callable[[str], Any]


def run(
    model: Any,
    image: Any,
    *,
    passes: int = 20,
    seeding: str | int = "off",
    seed: int = 42,
    augment: bool | dict = False,
    dropout: float | None = None,
    preprocess: str | Preprocess = "auto",
    loader: str | Loader = "load-img",
    interpolation: str | None = None,
    call: str = "compiled",
    runtime: str | None = None,
    explain: str | None = None,
    labels: str | os.PathLike | Sequence[str] | None = None,
    progress: bool = True,
    **settings: Any,
) -> "RunResult":
    """Run ``passes`` forward passes of ``model`` on ``image`` and return their probabilities and verdict.

    It runs in this process, on the model object itself when one is given, and leaves the process as it
    found it (random states and seeds, dtype policy, op determinism, the model's BatchNorm statistics).

    Parameters
    ----------
    model : str, path or keras.Model
        A built-in name (``vggcompare models`` lists them), a ``.keras``/``.h5`` file, or a model in memory.
    image : path, PIL.Image.Image or numpy.ndarray
        The picture; an array must be H×W×3 uint8 (RGB).
    passes : int
        How many forward passes (1 to 100,000).
    seeding : {"off", "once", "every-pass"} or int
        Seeding of the random sources; an int means "once" with that seed.
    seed : int
        The seed for ``seeding="once"`` or ``"every-pass"``.
    augment : bool or dict
        Random augmentation: True for the popular answer's ImageDataGenerator, or a dict of AugmentConfig fields.
    dropout : float, optional
        MC dropout at this rate (VGG19: inserted after fc1 and fc2; other models: their own Dropout layers).
    preprocess : str or callable
        A mode (``auto``, ``caffe``, ``tf``, ``torch``, ``lite``, ``none``) or your own function: it gets a
        float32 (B, H, W, 3) batch of RGB values in 0..255 and returns the batch the model receives.
    loader : str or callable
        ``load-img``, ``tf-dataset``, ``opencv``, or your own function: it gets the image file's path and returns
        the H×W×3 picture at the model's input size (uint8, or float in 0..255).
    interpolation : str, optional
        The loader's resize method (default: the loader's own default).
    call : {"compiled", "predict", "eager", "xla"}
        How the model is called.
    runtime : str, optional
        An exported runtime to serve the model with, where this version supports it.
    explain : {"gradcam", "occlusion"}, optional
        Explanation maps for the first passes.
    labels : path or list of str, optional
        Class names, for a model that does not output the 1000 ImageNet classes.
    progress : bool
        Show a progress bar (tqdm.auto: a widget in a notebook, a line in a terminal).
    **settings
        Any other field of :class:`vggcompare.core.config.ExperimentConfig` (``batch_size``, ``precision``,
        ``training_mode``, ``pitfalls``, ``deterministic_ops``, …).

    Returns
    -------
    RunResult
        ``probabilities`` (passes × classes, float32), ``statistics``, ``verdict``; shown as HTML in a notebook.

    Raises
    ------
    VggCompareError
        One sentence for anything wrong with the arguments, the model or your functions.

    Examples
    --------
    >>> import keras, vggcompare as vc
    >>> model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(10, activation="softmax")])
    >>> result = vc.run(model, "cat.png", passes=8, labels=[f"class {i}" for i in range(10)])
    >>> result.top1, result.statistics.all_bit_identical
    ('class 3', True)
    """
    from vggcompare.api.arguments import augment_argument, build_config, image_argument, model_argument, pipeline_arguments
    from vggcompare.api.arguments import seeding_arguments
    from vggcompare.api.caller_state import caller_state
    from vggcompare.api.progress import drive
    from vggcompare.api.run_result import RunResult
    from vggcompare.core.passes.engine import run_passes

    chosen = model_argument(model, labels)
    picture = image_argument(image)
    changes, pipeline = pipeline_arguments(preprocess, loader)
    changes.update(seeding_arguments(seeding))
    if "seed" not in changes:
        changes["seed"] = seed
    changes.update(passes=passes, augment=augment_argument(augment), dropout=dropout, interpolation=interpolation,
                   call=call, explain=explain, **settings)
    changes.update(runtime_setting(runtime))
    config = build_config(chosen, picture, changes)
    # Only a training-mode call moves BatchNorm's moving statistics (and the engine puts them back after each call);
    # reading and writing every such variable of a large model costs more than a small model's passes otherwise.
    with caller_state(chosen.held if config.training_mode else None):
        check_label_count(chosen, config)
        result = drive(run_passes(config, picture, pipeline=pipeline), "vggcompare run", progress)
    return RunResult.from_core(result, chosen.held)


def runtime_setting(runtime: str | None) -> dict[str, Any]:
    """``runtime=`` as a configuration field, where this version's configuration has one."""
    if runtime is None:
        return {}
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.errors import ConfigError

    if "runtime" not in {f.name for f in dataclasses.fields(ExperimentConfig)}:
        raise ConfigError("this version of vggcompare cannot serve the model with another runtime (runtime=)")
    return {"runtime": runtime}


def check_label_count(chosen: Any, config: Any) -> None:
    """Labels given as a list for a model file: their count against the model's outputs, in one sentence."""
    if chosen.label_count is None or chosen.held is not None:
        return
    from vggcompare.core.errors import LabelsError
    from vggcompare.core.model.prepare import prepare_model
    from vggcompare.core.passes.engine_steps import start_engine

    start_engine(config)
    classes = prepare_model(config.replace(labels=None)).classes
    if classes != chosen.label_count:
        raise LabelsError(f"labels has {chosen.label_count} names but the model outputs {classes} classes")
