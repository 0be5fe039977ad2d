"""Explanation maps: where the model looked, per pass, and how much that place moved between passes.

An :class:`Explanation` holds one map per explained pass (the first K passes) at the model's input
resolution, stored as float16, with their mean and standard deviation. The maps are made here from
what the engine measured, the same way for every backend:

* Grad-CAM: the last convolutional block's activations A (h, w, k) and the gradient G of the score,
  α_k = mean over h, w of G, map = ReLU(Σ_k α_k A_k), upsampled bilinearly to the input size and
  scaled to its own maximum (0 to 1; a map with no positive part stays 0);
* occlusion: a G×G grid of patches, each filled with the input's channel means in turn; the map of a
  patch's pixels is the score of the whole input minus the score with that patch covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

METHODS = ("gradcam", "occlusion")
OCCLUSION_GRID = 7


@dataclass
class Explanation:
    """The maps of the first ``passes`` passes for one class; ``maps`` has 1 row when they are all identical."""

    method: str
    class_index: int
    class_name: str
    target: str  # "probability" or "logit": which score the maps explain
    layer: str  # Grad-CAM: the layer explained; occlusion: the grid
    maps: np.ndarray  # (K, H, W) float16, or (1, H, W) when identical
    mean: np.ndarray  # (H, W) float16
    std: np.ndarray  # (H, W) float16
    passes: int  # K
    identical: bool
    units: str
    notes: list[str] = field(default_factory=list)
    picture_png: bytes = b""  # the model's input before augmentation (PNG, input resolution), to draw the maps over

    def map_of(self, i: int) -> np.ndarray:
        """The map of pass ``i`` (0-based, below ``passes``)."""
        if not 0 <= i < self.passes:
            raise IndexError(f"pass {i + 1} has no map (the first {self.passes} passes were explained)")
        return self.maps[0] if self.identical else self.maps[i]

    @property
    def title(self) -> str:
        """'Grad-CAM of “tabby cat” (probability)', for plots and reports."""
        word = "Grad-CAM" if self.method == "gradcam" else "Occlusion"
        return f"{word} of “{self.class_name}” ({self.target})"


def describe(e: Explanation) -> str:
    """One sentence on the maps: what they explain and how far they moved between passes."""
    where = f"layer {e.layer}" if e.method == "gradcam" else e.layer
    head = f"{e.title}, {where}, the first {e.passes} pass{'es' if e.passes != 1 else ''}"
    if e.identical:
        return f"{head}: one map (every explained pass gave the same map)."
    std = np.asarray(e.std, dtype=np.float32)
    return f"{head}: the maps moved between passes (std up to {std.max():.3g}, {std.mean():.3g} on average)."


def gradcam_maps(activations: np.ndarray, gradients: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Grad-CAM maps (B, H, W) float32 from activations and gradients (B, h, w, k), each scaled to its maximum."""
    a = np.asarray(activations, dtype=np.float32)
    g = np.asarray(gradients, dtype=np.float32)
    alpha = g.mean(axis=(1, 2))  # (B, k)
    cams = np.maximum(np.einsum("bhwk,bk->bhw", a, alpha), 0.0)
    out = np.stack([upsample(c, size) for c in cams])
    peak = out.reshape(len(out), -1).max(axis=1)
    scale = np.where(peak > 0, peak, 1.0).astype(np.float32)
    return np.maximum(out, 0.0) / scale[:, None, None]


def upsample(cam: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an (h, w) float map to (H, W) with bilinear interpolation (PIL's)."""
    from PIL import Image

    height, width = size
    if cam.shape == (height, width):
        return cam.astype(np.float32)
    return np.asarray(Image.fromarray(cam.astype(np.float32), mode="F").resize((width, height), Image.BILINEAR), np.float32)


def grid_boxes(size: tuple[int, int], grid: int = OCCLUSION_GRID) -> list[tuple[int, int, int, int]]:
    """The occlusion patches (top, bottom, left, right), row by row, covering every pixel once."""
    rows = np.linspace(0, size[0], grid + 1).round().astype(int)
    cols = np.linspace(0, size[1], grid + 1).round().astype(int)
    return [(rows[r], rows[r + 1], cols[c], cols[c + 1]) for r in range(grid) for c in range(grid)]


def occluded_inputs(x: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """(1 + len(boxes), H, W, 3): the input itself, then one copy per patch filled with its channel means."""
    fill = x.reshape(-1, x.shape[-1]).mean(axis=0)
    out = np.repeat(x[None], 1 + len(boxes), axis=0)
    for j, (top, bottom, left, right) in enumerate(boxes, start=1):
        out[j, top:bottom, left:right] = fill
    return out


def occlusion_map(scores: np.ndarray, boxes: list[tuple[int, int, int, int]], size: tuple[int, int]) -> np.ndarray:
    """The (H, W) map from one pass's scores: scores[0] of the whole input, scores[1:] with each patch covered."""
    out = np.zeros(size, dtype=np.float32)
    for j, (top, bottom, left, right) in enumerate(boxes, start=1):
        out[top:bottom, left:right] = scores[0] - scores[j]
    return out


def summarise(maps: np.ndarray, *, method: str, class_index: int, class_name: str, target: str, layer: str,
              passes: int, notes: list[str]) -> Explanation:
    """Build the Explanation from float32 maps (K, H, W); K may be 1 when the passes were known to be the same."""
    maps = np.asarray(maps, dtype=np.float32)
    identical = len(maps) == 1 or all(np.array_equal(maps[0], m) for m in maps[1:])
    notes = list(notes)
    if identical and len(maps) > 1:
        notes.append(f"The maps of all {passes} explained passes are bit-identical, so one map is shown "
                     "and the spread is zero everywhere.")
    if method == "gradcam":
        units = "Grad-CAM: each pass's map scaled to its own maximum (0 to 1)"
    else:
        units = f"score of “{class_name}” ({target}) minus its score with the patch covered"
    return Explanation(
        method=method, class_index=class_index, class_name=class_name, target=target, layer=layer,
        maps=(maps[:1] if identical else maps).astype(np.float16),
        mean=maps.mean(axis=0).astype(np.float16), std=maps.std(axis=0).astype(np.float16),
        passes=passes, identical=identical, units=units, notes=notes,
    )


@dataclass
class MapDifference:
    """Two runs' mean maps and A − B, on one colour scale from -scale to scale; ``message`` when they cannot be compared."""

    a: np.ndarray | None
    b: np.ndarray | None
    difference: np.ndarray | None
    scale: float
    message: str = ""


def map_difference(a: Explanation | None, b: Explanation | None) -> MapDifference | None:
    """A's and B's mean maps and their difference A − B (float32); None when neither run made maps."""
    if a is None and b is None:
        return None
    if a is None or b is None:
        return MapDifference(None, None, None, 0.0, f"Only run {'A' if b is None else 'B'} made explanation maps.")
    if a.mean.shape != b.mean.shape:
        return MapDifference(None, None, None, 0.0, f"The maps have different sizes ({a.mean.shape[1]}×{a.mean.shape[0]} "
                             f"and {b.mean.shape[1]}×{b.mean.shape[0]}), so they are not subtracted.")
    ma, mb = a.mean.astype(np.float32), b.mean.astype(np.float32)
    diff = ma - mb
    scale = float(max(np.abs(ma).max(), np.abs(mb).max(), np.abs(diff).max())) or 1.0
    message = "" if (a.method, a.class_index) == (b.method, b.class_index) else (
        f"A explains {a.title}, B {b.title}: the difference mixes two questions.")
    return MapDifference(ma, mb, diff, scale, message)


def mass_inside(heat: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """The share of a map's positive mass inside a box (top, bottom, left, right); 0 for an empty map."""
    positive = np.maximum(np.asarray(heat, dtype=np.float64), 0.0)
    total = positive.sum()
    top, bottom, left, right = box
    return float(positive[top:bottom, left:right].sum() / total) if total > 0 else 0.0
