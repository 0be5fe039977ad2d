"""The forward loop: rows of passes sent through the model in calls of a fixed size.

The engine (one image's N passes) and the sweep worker (the passes of a group of images, one image after
another) both run their passes through :func:`forward_calls`, so a row gets the same call whichever runs it:

- **chunking**: rows go in calls of ``size`` rows, in order;
- **padding**: a short last call is padded to ``size`` by repeating its last row, so the compiled call keeps
  one batch shape and is never retraced (not in training mode, where padding rows would enter BatchNorm's
  batch statistics, nor when other rows, the batch neighbours, fill the call);
- **keys**: pass i draws its dropout mask and its new weights from its own seed, (run seed, i, stream)
  (:func:`pass_seed`), so the draws depend neither on the call size nor on the chunking.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import RunCancelled, VggCompareError
from vggcompare.core.model.prepare import PreparedModel

STREAM_AUGMENT, STREAM_DROPOUT, STREAM_WEIGHTS, STREAM_INIT = 1, 2, 3, 4


def pass_seed(base: tuple[int, ...], config: ExperimentConfig, i: int, stream: int) -> list[int]:
    """The seed words of pass ``i``'s draws from ``stream``: (run seed, pass, stream); pass 0 for every-pass seeding."""
    index = 0 if config.seeding == "every-pass" else i
    return [*base, index, stream]


def pad(x: np.ndarray, size: int) -> np.ndarray:
    """Repeat the last row until ``x`` has ``size`` rows, so the compiled call keeps one batch shape."""
    if x.shape[0] >= size:
        return x
    return np.concatenate([x, np.repeat(x[-1:], size - x.shape[0], axis=0)])


def dropout_keys(base: tuple[int, ...], config: ExperimentConfig, passes, size: int) -> np.ndarray:
    """One (2,) uint32 key per pass of ``passes`` (as int64), drawn from the pass's own seed; padded to ``size`` rows."""
    keys = np.array(
        [np.random.SeedSequence(pass_seed(base, config, int(i), STREAM_DROPOUT)).generate_state(2, np.uint32) for i in passes],
        dtype=np.int64,
    )
    return pad(keys, size)


def hold_pass_weights(prepared: PreparedModel, base: tuple[int, ...], config: ExperimentConfig, i: int) -> None:
    """Give the model pass ``i``'s own random weights (new weights for every pass)."""
    prepared.hold_weights(tuple(pass_seed(base, config, int(i), STREAM_WEIGHTS)))


def forward(prepared: PreparedModel, x: np.ndarray, keys: np.ndarray | None, config: ExperimentConfig | None = None) -> np.ndarray:
    """One forward call by the configured path; TensorFlow's own failures become one sentence the user can act on."""
    try:
        if config is None or (config.call == "compiled" and not config.training_mode):
            return prepared.forward(x, keys)
        part = config.training_part if config.training_mode and config.training_part != "all" else config.training_mode
        return prepared.forward(x, keys, config.call, part)
    except MemoryError:
        raise VggCompareError(
            f"out of memory during a forward call of {x.shape[0]} passes; set fewer passes per call"
        ) from None
    except Exception as exc:  # TensorFlow raises its own OpError family (and the runtimes their own errors)
        if type(exc).__module__.startswith(("tensorflow", "keras", "onnxruntime", "ai_edge_litert")):
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            hint = "; set fewer passes per call" if "ResourceExhausted" in type(exc).__name__ or "OOM" in str(exc) else ""
            raise VggCompareError(f"the model failed during a forward call ({type(exc).__name__}: {first}){hint}") from exc
        raise


@dataclass(frozen=True)
class ForwardCall:
    """One forward call of :func:`forward_calls`."""

    rows: range  # the positions of this call's rows among all the rows
    inputs: np.ndarray  # what the model received: the rows, then the extra rows or the padding
    keys: np.ndarray | None  # the dropout keys that went with them (None: the model has no keyed dropout)
    outputs: np.ndarray  # the model's outputs for ``rows`` alone
    seconds: float  # the forward call's own time


def forward_calls(
    prepared: PreparedModel,
    config: ExperimentConfig,
    base: tuple[int, ...],
    count: int,
    size: int,
    inputs: Callable[[range], np.ndarray],
    pass_of: Callable[[int], int] | None = None,
    extra: np.ndarray | None = None,
    cancel: Callable[[], bool] | None = None,
    before_first: Callable[[np.ndarray, np.ndarray | None], None] | None = None,
) -> Iterator[ForwardCall]:
    """Run rows 0..count-1 through the model in calls of ``size`` rows; yield each call once it is done.

    Parameters
    ----------
    prepared, config
        The model and the run's configuration (its call path, training mode, seeding, new weights per pass).
    base
        The run's seed words: ``(seed,)``, or a random word when unseeded.
    count, size
        How many rows, and the rows per call.
    inputs
        Builds the model's input rows for positions ``rows`` (augmented and preprocessed).
    pass_of
        The pass number of row ``i``, which keys its draws; default: ``i`` itself (one image's passes).
    extra
        Rows added to every call after the passes' own (the batch neighbours); the call is then not padded.
    cancel
        Polled before each call; when it returns True, :class:`RunCancelled` is raised.
    before_first
        Called with the first call's real rows (no padding) and their keys just before that call (the user's
        earlier training-mode calls, core.passes.training_calls).

    Examples
    --------
    >>> probs = np.empty((n, prepared.classes), np.float32)  # doctest: +SKIP
    >>> for call in forward_calls(prepared, config, (42,), n, 16, lambda rows: batch[rows.start:rows.stop]):
    ...     probs[call.rows.start:call.rows.stop] = call.outputs
    """
    pass_of = pass_of or (lambda i: i)
    for start in range(0, count, size):
        if cancel is not None and cancel():
            raise RunCancelled("the run was cancelled")
        rows = range(start, min(start + size, count))
        x = inputs(rows)
        if extra is not None and extra.size:
            x = np.concatenate([x, extra])
        elif not config.training_mode:  # (in training mode padding rows would enter BatchNorm's statistics)
            x = pad(x, size)
        passes = [pass_of(i) for i in rows]
        keys = dropout_keys(base, config, passes, len(x)) if prepared.keys is not None else None
        if config.reinit_weights:
            hold_pass_weights(prepared, base, config, passes[0])
        if start == 0 and before_first is not None:
            real = len(rows) + (len(extra) if extra is not None and extra.size else 0)
            before_first(x[:real], None if keys is None else keys[:real])
        started = time.perf_counter()
        out = forward(prepared, x, keys, config)
        yield ForwardCall(rows, x, keys, out[: len(rows)], time.perf_counter() - started)
