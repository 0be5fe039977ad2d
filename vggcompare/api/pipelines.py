"""``vggcompare.compare_pipelines``: your training code's input against your serving code's, through your model;
and ``vggcompare.match_pipeline``: which known pipeline made an array."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    from vggcompare.api.comparison import Comparison
    from vggcompare.core.input.pipeline_match import PipelineMatch


def _fed(fn: Callable, role: str, path: str, size: tuple[int, int]) -> np.ndarray:
    """What ``fn`` feeds the model for the file ``path``, as float32 (H, W, 3); UserFunctionError if it cannot."""
    from vggcompare.core.errors import UserFunctionError
    from vggcompare.core.input.user_functions import _as_array, _call, function_name

    value = _call(fn, role, path)
    array = _as_array(value)
    name, (h, w) = function_name(fn), size
    expected = f"expected what your code feeds the model: an array of shape ({h}, {w}, 3) or (1, {h}, {w}, 3)"
    if array is None or array.dtype == object:
        raise UserFunctionError(f"your {role} function {name} returned a {type(value).__name__}; {expected}")
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.shape != (h, w, 3):
        raise UserFunctionError(f"your {role} function {name} returned an array of shape {tuple(np.shape(value))}; {expected}")
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise UserFunctionError(f"your {role} function {name} returned an array of dtype {array.dtype}; {expected}")
    return array


def compare_pipelines(
    model: Any,
    image: Any,
    *,
    training: Callable[[str], Any],
    serving: Callable[[str], Any],
    labels: str | os.PathLike | Sequence[str] | None = None,
    call: str = "compiled",
) -> "Comparison":
    """Feed the model what your training code and your serving code each make of one image, and compare.

    Each function takes the image file's path and returns what that code feeds the model: an (H, W, 3) or
    (1, H, W, 3) array at the model's input size, already preprocessed. The comparison holds the output
    difference, whether the top-1 or the top-5 changed, the pixel difference as a picture, and which known
    pipeline (loader, resize, decoder, preprocessing, channel order) each array equals, if any.

    Examples
    --------
    >>> def training(path):   # what the training data pipeline feeds
    ...     img = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    ...     return tf.image.resize(img, (224, 224)).numpy() / 127.5 - 1
    >>> def serving(path):    # what the server feeds
    ...     return np.asarray(keras.utils.load_img(path, target_size=(224, 224)), np.float32) / 127.5 - 1
    >>> found = vc.compare_pipelines(model, "cat.jpg", training=training, serving=serving)
    >>> found.match_sentences()[1]
    'your serving array equals keras.utils.load_img (nearest) + tf preprocessing, bit for bit.'
    """
    from vggcompare.api.arguments import build_config, image_argument, model_argument
    from vggcompare.api.caller_state import caller_state
    from vggcompare.api.comparison import Comparison
    from vggcompare.core.analysis.compare import compare_probabilities, comparison_verdict
    from vggcompare.core.analysis.stats import compute_statistics
    from vggcompare.core.input.pipeline_match import loader_pictures, match_pipeline
    from vggcompare.core.model.prepare import prepare_model
    from vggcompare.core.passes.engine_steps import start_engine

    chosen = model_argument(model, labels)
    picture = image_argument(image)
    config = build_config(chosen, picture, {"passes": 1, "call": call, "seeding": "once"})
    with caller_state(chosen.held):
        start_engine(config)
        prepared = prepare_model(config)
        if chosen.label_count is not None and chosen.label_count != prepared.classes:
            from vggcompare.core.errors import LabelsError

            raise LabelsError(f"labels has {chosen.label_count} names but the model outputs {prepared.classes} classes")
        size = prepared.input_size
        arrays = {"training": _fed(training, "training", picture.source, size),
                  "serving": _fed(serving, "serving", picture.source, size)}
        probs = {k: prepared.forward(np.ascontiguousarray(v[None], dtype=np.float32), None, call) for k, v in arrays.items()}
    pictures = loader_pictures(picture, size)
    matches = {k: match_pipeline(v, picture, size, pictures) for k, v in arrays.items()}
    labels_ = list(prepared.labels)
    stats = {k: compute_statistics(p, labels_) for k, p in probs.items()}
    numbers = compare_probabilities(probs["training"], probs["serving"], stats["training"], stats["serving"],
                                    ("the array each function feeds the model",))
    verdict = comparison_verdict(numbers, labels_, "training", "serving")
    back = {k: m.preprocessing.inverse(arrays[k]) for k, m in matches.items()}
    levels = all(m.largest_pixel_difference < 1.0 for m in matches.values())
    if levels:
        diff, units = np.abs(back["training"] - back["serving"]).max(axis=-1), "pixel levels (0..255)"
    else:
        diff = np.abs(arrays["training"].astype(np.float64) - arrays["serving"].astype(np.float64)).max(axis=-1)
        units = "model input units"
    top = float(diff.max())
    verdict += (" The two arrays are identical." if top == 0 else f" The arrays differ by up to {top:.3g} {units}.")
    return Comparison("training", "serving", labels_, numbers, verdict, (), diff, units, matches)


def match_pipeline(array: Any, image: Any) -> "PipelineMatch":
    """Which pipeline the tool knows made ``array`` (what your code feeds the model) from ``image``'s file.

    Examples
    --------
    >>> vc.match_pipeline(my_serving_array, "cat.jpg").sentence("your serving array")  # doctest: +SKIP
    'your serving array equals OpenCV (cv2.imread, cv2.resize INTER_LINEAR) + caffe preprocessing, without the BGR swap, bit for bit.'
    """
    from vggcompare.api.arguments import image_argument
    from vggcompare.core.input.pipeline_match import match_pipeline as match

    return match(np.asarray(array), image_argument(image))
