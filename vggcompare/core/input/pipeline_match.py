"""Which known pipeline made this array: the loaders, resize methods, decoders and preprocessing modes the tool
knows, searched for the one that reproduces an array from the user's own code.

No model pass. Each loader's picture is made once (one decode per JPEG DCT method, then every resize method),
and the array is mapped back through each preprocessing (caffe with or without its BGR swap, tf, torch, lite,
none, each with or without a rescale by 1/255, in RGB or BGR order) into pixel levels, so every candidate costs
one subtraction. The nearest candidate is then checked forward, through the tool's own preprocessing: an
exact match is bit for bit; otherwise the report gives its largest difference in pixel levels (0..255).
"""

from __future__ import annotations

from dataclasses import dataclass


import numpy as np

from vggcompare.core.config import LOADER_INTERPOLATIONS
from vggcompare.core.errors import ImageError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.input.preprocess import CAFFE_MEAN_BGR, TORCH_MEAN, TORCH_STD, preprocess

ROUNDING = 1e-3  # pixel levels: a difference below this is float rounding in the user's arithmetic, not another pipeline
_CV_FLAGS = {"nearest": "INTER_NEAREST", "bilinear": "INTER_LINEAR", "bicubic": "INTER_CUBIC", "area": "INTER_AREA",
             "lanczos4": "INTER_LANCZOS4"}


@dataclass(frozen=True)
class Preprocessing:
    """One preprocessing the tool knows: mode, BGR swap (caffe), rescale by 1/255 after it."""

    mode: str
    swap: bool = True
    rescale: bool = False

    def forward(self, picture: np.ndarray) -> np.ndarray:
        """The tool's own preprocessing of an RGB picture in 0..255."""
        pitfalls = (() if self.swap or self.mode != "caffe" else ("no-bgr-swap",)) + (("rescale-after-preprocess",) if self.rescale else ())
        return preprocess(picture[None], self.mode, pitfalls)[0]

    def inverse(self, y: np.ndarray) -> np.ndarray:
        """The RGB picture in 0..255 (float64) that this preprocessing maps to ``y``."""
        y = y.astype(np.float64) * (255.0 if self.rescale else 1.0)
        if self.mode == "caffe":
            x = y + CAFFE_MEAN_BGR.astype(np.float64)
            return x[..., ::-1] if self.swap else x
        if self.mode == "tf":
            return (y + 1.0) * 127.5
        if self.mode == "torch":
            return (y * TORCH_STD.astype(np.float64) + TORCH_MEAN.astype(np.float64)) * 255.0
        if self.mode == "lite":
            return y * 128.0 + 127.0
        return y

    def words(self) -> str:
        """In the user's words: 'caffe preprocessing, without the BGR swap', 'no preprocessing (raw 0..255 pixels)'."""
        if self.mode == "none":
            text = "no preprocessing (pixels 0..1)" if self.rescale else "no preprocessing (raw 0..255 pixels)"
            return text
        text = f"{self.mode} preprocessing"
        if self.mode == "caffe" and not self.swap:
            text += ", without the BGR swap"
        if self.rescale:
            text += ", then a rescale by 1/255"
        return text


PREPROCESSINGS = tuple(
    [Preprocessing(m, True, r) for m in ("none", "caffe", "tf", "torch", "lite") for r in (False, True)]
    + [Preprocessing("caffe", False, r) for r in (False, True)]
)


@dataclass(frozen=True)
class PipelineMatch:
    """The known pipeline nearest to an array: its parts, whether it reproduces the array, and the gap."""

    loader: str  # "load-img", "tf-dataset", "opencv"
    interpolation: str
    antialias: bool
    dct_method: str
    preprocessing: Preprocessing
    bgr: bool  # the picture's channels reversed (OpenCV without cvtColor, or a swap of the user's own)
    exact: bool  # bit for bit through the tool's own preprocessing
    largest_pixel_difference: float  # in pixel levels (0..255), after mapping the array back through the preprocessing
    candidates: int  # how many pipelines were searched
    loader_words: str

    @property
    def equal(self) -> bool:
        """The array is this pipeline's, up to float rounding in the user's arithmetic."""
        return self.exact or self.largest_pixel_difference < ROUNDING

    def pipeline_words(self) -> str:
        """'OpenCV (cv2.imread, cv2.resize INTER_LINEAR) + caffe preprocessing, without the BGR swap'."""
        order = ""
        if self.bgr:
            order = ", in BGR order (no cv2.cvtColor to RGB)" if self.loader == "opencv" else ", with the channels in BGR order"
        return f"{self.loader_words}{order} + {self.preprocessing.words()}"

    def sentence(self, who: str = "the array") -> str:
        """One sentence: what the array equals, or what it is nearest to and by how much."""
        if self.exact:
            return f"{who} equals {self.pipeline_words()}, bit for bit."
        if self.equal:
            return f"{who} equals {self.pipeline_words()}, up to float rounding ({self.largest_pixel_difference:.2g} pixel levels)."
        return (f"{who} matches no pipeline the tool knows ({self.candidates} searched); the nearest is "
                f"{self.pipeline_words()}, with a largest difference of {self.largest_pixel_difference:.3g} pixel levels.")


def loader_pictures(loaded: LoadedImage, size: tuple[int, int]) -> list[tuple[dict, str, np.ndarray]]:
    """Every picture the known loaders give for this file at ``size``: (settings, words, float32 H×W×3 RGB)."""
    from vggcompare.core.input.loaders import is_jpeg
    from vggcompare.core.input.model_view import model_input

    out = []
    for method in LOADER_INTERPOLATIONS["load-img"]:
        out.append(({"loader": "load-img", "interpolation": method},
                    f"keras.utils.load_img ({method})", model_input(loaded, size, method)))
        if loaded.exif_orientation != 1:
            out.append(({"loader": "load-img", "interpolation": method, "exif": True},
                        f"load_img ({method}) with the EXIF orientation applied", model_input(loaded, size, method, ("apply-exif",))))
    if loaded.data is None:
        return out
    out += _opencv_pictures(loaded, size)
    jpeg = is_jpeg(loaded.data)
    out += _tensorflow_pictures(loaded, size, ("default", "INTEGER_FAST", "INTEGER_ACCURATE") if jpeg else ("default",))
    return out


def _opencv_pictures(loaded: LoadedImage, size: tuple[int, int]) -> list[tuple[dict, str, np.ndarray]]:
    import cv2

    bgr = cv2.imdecode(np.frombuffer(loaded.data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        return []
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    height, width = size
    return [({"loader": "opencv", "interpolation": method},
             f"OpenCV (cv2.imread, cv2.resize {flag})",
             np.asarray(cv2.resize(rgb, (width, height), interpolation=getattr(cv2, flag)), dtype=np.float32))
            for method, flag in _CV_FLAGS.items()]


def _tensorflow_pictures(loaded: LoadedImage, size: tuple[int, int], dct_methods: tuple[str, ...]) -> list[tuple[dict, str, np.ndarray]]:
    import tensorflow as tf

    out = []
    raw = tf.constant(loaded.data)
    for dct in dct_methods:
        try:
            img = (tf.io.decode_jpeg(raw, channels=3, dct_method=dct) if dct != "default"
                   else tf.image.decode_image(raw, channels=3, expand_animations=False))
        except Exception:  # noqa: BLE001 - TensorFlow cannot decode this file: its pipelines are not candidates
            return out
        decoder = f"tf.io.decode_jpeg(dct_method='{dct}')" if dct != "default" else "tf.io.decode_image"
        for method in LOADER_INTERPOLATIONS["tf-dataset"]:
            for antialias in (False, True):
                picture = tf.image.resize(img, size, method=method, antialias=antialias).numpy().astype(np.float32)
                words = f"TensorFlow ({decoder}, tf.image.resize {method}{', antialias' if antialias else ''})"
                out.append(({"loader": "tf-dataset", "interpolation": method, "antialias": antialias, "dct_method": dct}, words, picture))
    return out


def as_picture_array(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The user's array as (H, W, 3) at ``size``; a leading batch of one is dropped. ImageError if it cannot be."""
    a = np.asarray(array)
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
    if a.shape != (size[0], size[1], 3) or not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise ImageError(f"the array to match must be {size[0]}×{size[1]}×3 (or 1×{size[0]}×{size[1]}×3) numbers, "
                         f"not {a.dtype} with shape {a.shape}")
    return a


def match_pipeline(array: np.ndarray, loaded: LoadedImage, size: tuple[int, int] | None = None,
                   pictures: list[tuple[dict, str, np.ndarray]] | None = None) -> PipelineMatch:
    """The known pipeline that reproduces ``array`` (what the user's code feeds the model) for the file ``loaded``.

    ``size`` defaults to the array's own height and width; ``pictures`` (from :func:`loader_pictures`) may be
    passed to reuse the decoded pictures across several arrays of the same file.
    """
    a = np.asarray(array)
    size = size or (a.shape[-3], a.shape[-2])
    a = as_picture_array(a, size)
    if pictures is None:
        pictures = loader_pictures(loaded, size)
    step = max(1, (size[0] * size[1]) // 4096)  # rank on a sample of pixels, then measure the best in full
    flat = [p.reshape(-1, 3) for _, _, p in pictures]
    sample = np.stack([f[::step] for f in flat])
    ranked = []
    for order, prep in enumerate(PREPROCESSINGS):
        back = prep.inverse(a).reshape(-1, 3)
        for bgr in (False, True):
            target = np.ascontiguousarray((back[:, ::-1] if bgr else back)[::step], dtype=np.float32)
            gaps = np.abs(sample - target).max(axis=(1, 2))
            for k in np.argsort(gaps, kind="stable")[:3]:
                ranked.append((float(gaps[k]), bgr, order, int(k), prep))
    ranked.sort(key=lambda item: item[:3])  # equal gaps: RGB order first, then the simpler preprocessing
    best = None
    for _, bgr, _, k, prep in ranked[:8]:
        target = prep.inverse(a).reshape(-1, 3)
        target = target[:, ::-1] if bgr else target
        gap = float(np.abs(flat[k] - target).max())
        if best is None or gap < best[0]:
            best = (gap, k, prep, bgr)
    gap, k, prep, bgr = best
    settings, words, picture = pictures[k]
    seen = picture[..., ::-1] if bgr else picture
    exact = bool(a.dtype == np.float32 and np.array_equal(prep.forward(np.ascontiguousarray(seen)), a)) or \
        bool(prep.mode == "none" and not prep.rescale and np.array_equal(seen, a.astype(np.float32)))
    return PipelineMatch(settings["loader"], settings["interpolation"], settings.get("antialias", False),
                         settings.get("dct_method", "default"), prep, bgr, exact, gap,
                         len(pictures) * len(PREPROCESSINGS) * 2, words)


__all__: list[str] = ["PipelineMatch", "Preprocessing", "loader_pictures", "match_pipeline"]
