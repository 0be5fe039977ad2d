"""Layer by layer: where a difference between two runs of the same network enters, and how it grows.

A :class:`LayerTrace` holds one run's activations of the image's row, one per layer in the model's order (or,
from a result file, a :class:`Fingerprint` of each: a few statistics, a strided sample and the SHA-256 of the
float32 bytes, as Polygraphy's saved outputs). :func:`compare_layers` compares two traces of the same
architecture: per layer the largest absolute difference, the relative L2 difference ||a − b|| / ||a|| and the
cosine similarity.

"Enters at" is the first layer whose relative L2 difference exceeds the float32 round-off bound of that layer:

    bound(n) = ROUNDOFF_FACTOR · sqrt(n) · eps32,   eps32 = 2**-23 ≈ 1.19e-7,   n = the layer's elements per image

A relative L2 difference is a norm over the layer's n elements; round-off in each element is a few eps32 of its
value, and across a layer's elements the errors are not independent (one reordered sum feeds a whole channel),
so the bound grows with sqrt(n) rather than staying flat. The factor was set by measurement (docs/layers.md):
pairs that differ only by round-off (oneDNN against Eigen kernels, a batch of 8 against the image alone, the
compiled call against eager and XLA, on EfficientNet-Lite0 and a probe CNN) stay below it at every layer, while a
bfloat16 copy (8-bit mantissa, eps 2**-8) and training mode's batch statistics exceed it at their first layer.
A bit-identical pair differs by 0 everywhere. "First differs at" is the first layer that is not bit-identical.

Very deep models (over :data:`MAX_LAYERS` layers) are grouped by top-level block (the layer name's prefix up to
its first "_" or "/"); each group reports its last layer's numbers, and the comparison says so.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EPS32 = float(np.finfo(np.float32).eps)
ROUNDOFF_FACTOR = 4.0
MAX_LAYERS = 300
SAMPLE = 256  # values kept in a fingerprint, strided over the layer
MARKED_KINDS = ("BatchNormalization", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv1D", "Conv3D", "Dense")


def roundoff_bound(size: int) -> float:
    """The relative L2 difference float32 round-off can reach in a layer of ``size`` elements (see the module)."""
    return ROUNDOFF_FACTOR * math.sqrt(max(int(size), 1)) * EPS32


def mark_of(kind: str) -> str:
    """'batchnorm', 'conv', 'dense' or '' for a layer class name (the plot marks the first three)."""
    if "BatchNormalization" in kind:
        return "batchnorm"
    if "Conv" in kind:
        return "conv"
    if kind == "Dense" or kind.endswith("Dense"):
        return "dense"
    return ""


@dataclass(frozen=True)
class Fingerprint:
    """What a result file keeps of one activation: shape, statistics, a strided sample and the bytes' SHA-256."""

    shape: tuple[int, ...]
    sha256: str
    minimum: float
    maximum: float
    mean: float
    l2: float
    sample: np.ndarray  # float32, up to SAMPLE values at a fixed stride

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(np.prod(self.shape)) if self.shape else 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (floats as the shortest text that round-trips)."""
        return {"shape": list(self.shape), "sha256": self.sha256, "min": self.minimum, "max": self.maximum,
                "mean": self.mean, "l2": self.l2, "sample": self.sample.astype(np.float64).tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Fingerprint":
        """Read :meth:`to_dict`'s form back; ValueError when malformed."""
        try:
            shape = tuple(int(s) for s in data["shape"])
            sample = np.asarray(data["sample"], dtype=np.float32)
            values = [float(data[k]) for k in ("min", "max", "mean", "l2")]
            digest = str(data["sha256"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("a layer fingerprint is malformed") from None
        if sample.ndim != 1 or len(digest) != 64:
            raise ValueError("a layer fingerprint is malformed")
        return cls(shape, digest, *values, sample)


def fingerprint(values: np.ndarray) -> Fingerprint:
    """The fingerprint of one activation (taken as float32)."""
    a = np.ascontiguousarray(values, dtype=np.float32)
    flat = a.reshape(-1)
    stride = max(1, flat.size // SAMPLE)
    wide = flat.astype(np.float64)
    return Fingerprint(tuple(int(s) for s in a.shape), hashlib.sha256(a.tobytes()).hexdigest(),
                       float(wide.min()) if flat.size else 0.0, float(wide.max()) if flat.size else 0.0,
                       float(wide.mean()) if flat.size else 0.0, float(np.sqrt(np.dot(wide, wide))),
                       flat[::stride][:SAMPLE].copy())


@dataclass
class LayerTrace:
    """One run's activations, layer by layer, for the image's row of its first forward call.

    ``arrays`` holds the float32 activations (in-process) or is None; ``fingerprints`` is filled from them on
    demand, or read from a result file. ``notes`` says what the instrumented pass did (nested models opened,
    the final output against the plain pass's). ``partial`` marks an exported runtime's trace: it holds only the
    layers its tensors were matched to (or the output alone), and its notes say which were left out and why."""

    names: list[str]
    kinds: list[str]
    arrays: list[np.ndarray] | None = None
    fingerprints_: list[Fingerprint] | None = None
    notes: list[str] = field(default_factory=list)
    partial: bool = False

    @property
    def fingerprints(self) -> list[Fingerprint]:
        """One fingerprint per layer (computed from the arrays the first time)."""
        if self.fingerprints_ is None:
            self.fingerprints_ = [fingerprint(a) for a in (self.arrays or [])]
        return self.fingerprints_

    def sizes(self) -> list[int]:
        """Elements per layer."""
        if self.arrays is not None:
            return [int(a.size) for a in self.arrays]
        return [f.size for f in self.fingerprints]

    def to_dict(self) -> dict[str, Any]:
        """The fingerprints as a result file stores them (never the activations)."""
        out = {"names": list(self.names), "kinds": list(self.kinds), "notes": list(self.notes),
               "fingerprints": [f.to_dict() for f in self.fingerprints]}
        if self.partial:
            out["partial"] = True
        return out

    @classmethod
    def from_dict(cls, data: Any) -> "LayerTrace":
        """Read :meth:`to_dict`'s form; ValueError with one sentence when malformed."""
        if not isinstance(data, dict):
            raise ValueError("its layer fingerprints are malformed")
        names, kinds, prints = data.get("names"), data.get("kinds"), data.get("fingerprints")
        if not (isinstance(names, list) and isinstance(kinds, list) and isinstance(prints, list)
                and len(names) == len(kinds) == len(prints) and all(isinstance(n, str) for n in names + kinds)):
            raise ValueError("its layer fingerprints are malformed")
        return cls(list(names), list(kinds), None, [Fingerprint.from_dict(p) for p in prints],
                   [str(n) for n in data.get("notes", [])], bool(data.get("partial", False)))


@dataclass(frozen=True)
class LayerRow:
    """One layer's (or block's) numbers: A against B."""

    index: int
    name: str
    kind: str
    size: int
    max_abs: float
    relative: float  # ||a − b|| / ||a||
    cosine: float
    bound: float
    identical: bool
    estimated: bool = False  # from fingerprints' samples, not the whole activation

    @property
    def above(self) -> bool:
        """Whether the relative difference exceeds float32 round-off for this layer's size."""
        return self.relative > self.bound

    @property
    def mark(self) -> str:
        """'batchnorm', 'conv', 'dense' or ''."""
        return mark_of(self.kind)


@dataclass
class LayerComparison:
    """Two runs compared layer by layer, with where the difference first appears and where it enters."""

    rows: list[LayerRow]
    grouped: bool = False  # rows are top-level blocks, not layers
    estimated: bool = False  # from fingerprints (another machine's file): the sample estimates the differences
    notes: list[str] = field(default_factory=list)
    outputs_only: bool = False  # an exported runtime whose layers have no tensors to read: the output alone

    @property
    def first_difference(self) -> LayerRow | None:
        """The first row that is not bit-identical."""
        return next((r for r in self.rows if not r.identical), None)

    @property
    def enters_at(self) -> LayerRow | None:
        """The first row whose relative difference exceeds the float32 round-off bound."""
        return next((r for r in self.rows if r.above), None)

    @property
    def output(self) -> LayerRow | None:
        """The last row (the model's output)."""
        return self.rows[-1] if self.rows else None

    @property
    def growth(self) -> float | None:
        """How many times the relative difference grew from where it entered to the output (None: it never entered)."""
        start, end = self.enters_at, self.output
        if start is None or end is None or start.relative == 0:
            return None
        return end.relative / start.relative

    def sentence(self) -> str:
        """One sentence a reader can act on: where it first differs, where it enters, how it grows."""
        from vggcompare.core.analysis.verdict import fmt

        unit = "block" if self.grouped else "layer"
        if not self.rows:
            return "No layer to compare."
        first, enters, out = self.first_difference, self.enters_at, self.output
        if self.outputs_only:
            how = ("bit-identical" if first is None else
                   f"relative difference {fmt(out.relative)}, {'above' if out.above else 'within'} float32 round-off")
            return f"Only the outputs are compared ({out.name}): {how}."
        if first is None:
            if len(self.rows) == 1:
                return f"Bit-identical ({self.rows[0].name}, the only {unit} compared)."
            return f"Bit-identical at every {unit} ({len(self.rows)} {unit}s)."
        growth = self.growth
        grows = f", ×{growth:.3g} from there" if growth is not None and enters is not out else ""
        if enters is None:
            return (f"First differs at {first.name} ({first.kind}, relative difference {fmt(first.relative)}); no {unit} "
                    f"rises above float32 round-off for its size: the difference is round-off, {fmt(out.relative)} at the output.")
        if enters is first:
            return (f"Enters at {enters.name} ({enters.kind}, relative difference {fmt(enters.relative)}), the first {unit} "
                    f"that differs; {fmt(out.relative)} at the output ({out.name}){grows}.")
        return (f"First differs at {first.name} ({first.kind}, {fmt(first.relative)}, round-off); enters at {enters.name} "
                f"({enters.kind}, relative difference {fmt(enters.relative)}); {fmt(out.relative)} at the output ({out.name}){grows}.")

    def enters_text(self, plain_change: float | None = None) -> str:
        """Short form for a table cell: 'bn0 (0.611 → 0.993)', 'round-off only (from …)', 'identical'.

        ``plain_change`` is the largest probability change between the two runs' plain calls, when known. The
        instrumented Keras graph fuses fewer operations than the plain one (core.passes.layer_pass), so where the
        two tell different stories the cell says what the plain calls did: 'identical layer by layer; the plain
        calls differ by …', or 'output only: identical' for an output-only comparison of bit-identical plain calls."""
        from vggcompare.core.analysis.verdict import fmt

        enters, out = self.enters_at, self.output
        if self.outputs_only and out is not None:
            if plain_change == 0.0:
                return "output only: identical"
            return "output only: " + ("identical" if out.identical else f"{fmt(out.relative)}" if out.above else "round-off")
        if self.first_difference is None:
            if plain_change:
                return f"identical layer by layer; the plain calls differ by {fmt(plain_change)}"
            return "identical"
        if enters is None:
            return f"round-off only (from {self.first_difference.name})"
        return f"{enters.name} ({fmt(enters.relative)} → {fmt(out.relative)})"

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The per-layer table: columns and rows of text (also the CSV)."""
        columns = ["index", "layer", "kind", "elements", "largest absolute difference", "relative L2 difference",
                   "cosine similarity", "round-off bound", "above round-off"]
        rows = [[str(r.index), r.name, r.kind, str(r.size), repr(r.max_abs), repr(r.relative), repr(r.cosine),
                 repr(r.bound), "yes" if r.above else "no"] for r in self.rows]
        return columns, rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what checkup.json stores per cause)."""
        enters, first = self.enters_at, self.first_difference
        return {"grouped": self.grouped, "estimated": self.estimated, "outputs_only": self.outputs_only, "notes": list(self.notes),
                "first_difference": first.name if first else None, "enters_at": enters.name if enters else None,
                "growth": self.growth, "sentence": self.sentence(),
                "bound": f"{ROUNDOFF_FACTOR:g} * sqrt(elements) * 2**-23",
                "layers": [{"index": r.index, "name": r.name, "kind": r.kind, "elements": r.size, "max_abs": r.max_abs,
                            "relative": r.relative, "cosine": r.cosine, "bound": r.bound, "identical": r.identical,
                            "above": r.above} for r in self.rows]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LayerComparison":
        """Read :meth:`to_dict`'s form back (a checkup.json row's layer table)."""
        rows = [LayerRow(int(r["index"]), str(r["name"]), str(r["kind"]), int(r["elements"]), float(r["max_abs"]),
                         float(r["relative"]), float(r["cosine"]), float(r["bound"]), bool(r["identical"]),
                         bool(data.get("estimated", False))) for r in data.get("layers", [])]
        return cls(rows, bool(data.get("grouped", False)), bool(data.get("estimated", False)), list(data.get("notes", [])),
                   bool(data.get("outputs_only", False)))


def _numbers(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Largest absolute difference, relative L2 difference and cosine similarity.

    The sums run in float32 (BLAS): about 1e-5 relative accuracy on each number, measured against float64 on
    EfficientNet-Lite0's 20 million activations, at a fortieth of float64's time; a layer's relative difference
    is compared with a bound of at least 4·eps32, so it is read well within that accuracy."""
    x = np.ascontiguousarray(a, dtype=np.float32).reshape(-1)
    y = np.ascontiguousarray(b, dtype=np.float32).reshape(-1)
    d = x - y
    na, nb = math.sqrt(float(np.dot(x, x))), math.sqrt(float(np.dot(y, y)))
    nd = math.sqrt(float(np.dot(d, d)))
    max_abs = float(np.abs(d).max()) if d.size else 0.0
    if not math.isfinite(nd) or not math.isfinite(na):  # overflowing squares: the same numbers in float64
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        d64 = x64 - y64
        na, nb, nd = (float(np.sqrt(np.dot(v, v))) for v in (x64, y64, d64))
        dot = float(np.dot(x64, y64))
    else:
        dot = float(np.dot(x, y))
    if na == 0.0:
        relative = 0.0 if nd == 0.0 else math.inf
    else:
        relative = nd / na
    cosine = min(1.0, max(-1.0, dot / (na * nb))) if na > 0 and nb > 0 else (1.0 if na == nb else 0.0)
    return max_abs, relative, cosine


def block_of(name: str) -> str:
    """A layer's top-level block: its name up to the first '/' or the first '_' followed by more name."""
    head = name.split("/", 1)[0]
    parts = head.split("_")
    if len(parts) >= 3 and parts[1].isdigit():  # blocks_3_expand_conv -> blocks_3
        return "_".join(parts[:2])
    return parts[0]


def compare_layers(a: LayerTrace, b: LayerTrace, max_layers: int = MAX_LAYERS) -> LayerComparison:
    """Compare two traces of the same architecture layer by layer.

    Parameters
    ----------
    a, b : LayerTrace
        The reference's trace and the other run's; their layer names and shapes must match.
    max_layers : int
        Above this many layers, the rows are top-level blocks (the last layer of each).

    Returns
    -------
    LayerComparison
        Per row: largest absolute difference, relative L2 difference, cosine similarity, the round-off bound.

    Raises
    ------
    ValueError
        The traces are of different architectures (one sentence naming the first mismatch).

    Examples
    --------
    >>> comparison = compare_layers(reference.layers, other.layers)
    >>> comparison.enters_at.name
    'stem_bn'
    """
    a, b = _outputs_lined_up(*_by_short_names(a, b))
    common = set(a.names) & set(b.names)
    if len(common) < max(1, min(len(a.names), len(b.names)) // 2):
        raise ValueError(f"the two runs' models have different layers ({len(a.names)} and {len(b.names)} layers, "
                         f"{len(common)} named alike): a layer comparison needs the same architecture")
    only = [n for n in a.names if n not in common], [n for n in b.names if n not in common]
    where_b = {n: i for i, n in enumerate(b.names)}
    estimated = a.arrays is None or b.arrays is None
    rows: list[LayerRow] = []
    for i, (name, kind) in enumerate(zip(a.names, a.kinds)):
        if name not in common:
            continue
        j = where_b[name]
        if estimated:
            fa, fb = a.fingerprints[i], b.fingerprints[j]
            if fa.shape != fb.shape:
                raise ValueError(f"layer {name} has shape {fa.shape} in one run and {fb.shape} in the other")
            identical = fa.sha256 == fb.sha256
            max_abs, relative, cosine = (0.0, 0.0, 1.0) if identical else _numbers(fa.sample, fb.sample)
            if not identical and fa.l2 > 0:  # the norms' difference is a lower bound of the difference's norm
                relative = max(relative, abs(fa.l2 - fb.l2) / fa.l2)
            size = fa.size
        else:
            xa, xb = a.arrays[i], b.arrays[j]
            if xa.shape != xb.shape:
                raise ValueError(f"layer {name} has shape {xa.shape} in one run and {xb.shape} in the other")
            identical = bool(np.array_equal(xa, xb))
            max_abs, relative, cosine = (0.0, 0.0, 1.0) if identical else _numbers(xa, xb)
            size = int(xa.size)
        rows.append(LayerRow(len(rows), name, kind, size, max_abs, relative, cosine, roundoff_bound(size), identical, estimated))
    notes = sorted(set(a.notes) | set(b.notes))
    for side, names, other in zip("AB", only, (b, a)):
        if names and not other.partial:  # a runtime's trace says itself which layers it has no tensor for
            notes.append(f"Layers only in {side} (left out of the comparison): {', '.join(names)}.")
    if estimated:
        notes.append(f"Compared from fingerprints (another machine's file): bit-identity from each layer's SHA-256; the "
                     f"differences estimated on {SAMPLE} values sampled at a fixed stride and from the layers' L2 norms.")
    if any(t.partial and len(t.names) == 1 for t in (a, b)):
        return LayerComparison(rows, False, estimated, notes, outputs_only=True)
    if len(rows) <= max_layers:
        return LayerComparison(rows, False, estimated, notes)
    return _grouped(rows, estimated, notes)


def _by_short_names(a: LayerTrace, b: LayerTrace) -> tuple[LayerTrace, LayerTrace]:
    """Traces whose layers line up by name: when one names layers inside a nested model ("base/conv") and the other
    the same layers flattened ("conv"), both use the last part, if that names each layer once."""
    if set(a.names) == set(b.names):
        return a, b
    short = [[n.rsplit("/", 1)[-1] for n in t.names] for t in (a, b)]
    if any(len(set(s)) != len(s) for s in short) or len(set(short[0]) & set(short[1])) <= len(set(a.names) & set(b.names)):
        return a, b
    return (LayerTrace(short[0], a.kinds, a.arrays, a.fingerprints_, a.notes, a.partial),
            LayerTrace(short[1], b.kinds, b.arrays, b.fingerprints_, b.notes, b.partial))


def _outputs_lined_up(a: LayerTrace, b: LayerTrace) -> tuple[LayerTrace, LayerTrace]:
    """A runtime's trace of the output alone, under a name the other trace lacks, takes the other's last name."""
    for one, other in ((a, b), (b, a)):
        if one.partial and len(one.names) == 1 and other.names and one.names[0] not in other.names:
            renamed = LayerTrace([other.names[-1]], list(one.kinds), one.arrays, one.fingerprints_, one.notes, True)
            return (renamed, b) if one is a else (a, renamed)
    return a, b


def _grouped(rows: list[LayerRow], estimated: bool, notes: list[str]) -> LayerComparison:
    """One row per top-level block: the block's last layer's numbers, named after the block."""
    blocks: dict[str, LayerRow] = {}
    identical: dict[str, bool] = {}
    for r in rows:
        key = block_of(r.name)
        identical[key] = identical.get(key, True) and r.identical
        blocks.pop(key, None)  # a block seen again moves to its latest position
        blocks[key] = r
    out = [LayerRow(k, name, f"block ending {r.name} ({r.kind})", r.size, r.max_abs, r.relative, r.cosine, r.bound,
                    identical[name], estimated) for k, (name, r) in enumerate(blocks.items())]
    notes = [*notes, f"The model has {len(rows)} layers (over {MAX_LAYERS}): shown as {len(out)} top-level blocks, each "
                     f"with its last layer's numbers."]
    return LayerComparison(out, True, estimated, notes)
