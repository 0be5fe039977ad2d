"""Candidate faster ways to give VGG19 new random weights in place, measured against the core's.

Not part of the program: a measurement for issue 5 ("new weights cost <= 0.3 s per pass").
The core's ``reinitialise_in_place`` (vggcompare/core/models.py) makes a Keras initialiser per
variable and calls it eagerly, then ``var.assign``: 19 eager ``stateless_random_uniform`` ops plus a
multiply and an add each, then a copy into the variable.

Candidates:

``graph``  One ``tf.function`` traced once per model that assigns
           ``tf.random.stateless_uniform(shape, seed_i, -limit, limit)`` to every kernel, with the
           seeds passed as one int32 tensor. Draws exactly the numbers the core draws now (same op,
           same seeds, same Glorot limits), so results stay reproducible across the change.
``numpy``  NumPy ``SFC64`` generators, one per fixed block of 2**20 values (seeded from the seed
           words, the variable index and the block index, so the numbers do not depend on the
           thread count), filled by a thread pool (NumPy releases the GIL while filling), scaled to
           [-limit, limit) in the same cache-warm block, then ``var.assign(ndarray)``. Slow: Keras
           converts the array to a new TensorFlow tensor (a copy into freshly faulted memory) and
           TensorFlow then copies that into the variable.
``numpy-alias``  As ``numpy``, but the filled buffer (64-byte aligned, as TensorFlow requires) is
           handed to TensorFlow through DLPack, and ``assign`` then takes the buffer over without a
           copy. A fresh buffer is allocated for every call, and never touched again after the
           hand-over.
``numpy-alias, recycled``  As ``numpy-alias``, but a buffer TensorFlow has released (its only
           references are ours, by ``sys.getrefcount``) is refilled instead of allocating a new one:
           no page faults, and no 550 MB for the kernel to zero on every call.
``numpy-copy-in``  NumPy fills into our own reused, aligned buffers, viewed as tensors through
           DLPack and assigned while we still hold the view, so TensorFlow copies them into its own
           memory. One extra copy per call; nothing of ours is ever aliased by a variable.

Run: ``.venv/bin/python benchmarks/_reinit_candidate.py [--repeats 5]``
Prints the seconds per call of each, the statistics of the drawn kernels, and whether ``graph``
is bit-identical to the core.
"""

from __future__ import annotations

import argparse
import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import _common as C
import numpy as np

from vggcompare.core.reinit import _aligned_empty
from vggcompare.core.reinit import uniform_limit as _uniform_limit

BLOCK = 1 << 20  # values per generator block (4 MiB of float32)
_GRAPH_FNS: dict[int, tuple[Any, list]] = {}
_POOL: ThreadPoolExecutor | None = None


def _slots(model: Any) -> list[tuple[int, int, Any, Any]]:
    """(layer index, slot, variable, initialiser) for every kernel and bias, as the core walks them."""
    out = []
    for i, layer in enumerate(model.layers):
        for slot, attr in enumerate(("kernel", "bias")):
            var = getattr(layer, attr, None)
            init = getattr(layer, f"{attr}_initializer", None)
            if var is None or init is None or not hasattr(var, "assign"):
                continue
            out.append((i, slot, var, init))
    return out


def _is_zeros(init: Any) -> bool:
    import keras

    return isinstance(init, keras.initializers.Zeros)


def _core_seeds(model: Any, seed_words: tuple[int, ...]) -> np.ndarray:
    return np.random.SeedSequence(list(seed_words)).generate_state(len(model.layers) * 2)


def reinit_graph(model: Any, seed_words: tuple[int, ...]) -> None:
    """Candidate ``graph``: the core's numbers, drawn and assigned by one traced function."""
    import tensorflow as tf

    from vggcompare.core.models import reinitialise_in_place

    entry = _GRAPH_FNS.get(id(model))
    if entry is None:
        plan = []  # (variable, slot index in the seed array, limit or None for zeros)
        for i, slot, var, init in _slots(model):
            shape = tuple(var.shape)
            limit = _uniform_limit(init, shape)
            if limit is None and not _is_zeros(init):
                plan = None  # an initialiser this fast path does not know: use the core's way
                break
            plan.append((var, 2 * i + slot, limit))
        if plan is None:
            _GRAPH_FNS[id(model)] = (None, [])
            return reinitialise_in_place(model, seed_words)

        def body(seeds):
            for var, k, limit in plan:
                shape = tuple(var.shape)
                if limit is None:
                    var.assign(tf.zeros(shape, var.dtype))
                else:
                    lim = tf.cast(limit, var.dtype)
                    var.assign(tf.random.stateless_uniform(shape, seed=seeds[k], minval=-lim, maxval=lim, dtype=var.dtype))
            return tf.constant(0)

        fn = tf.function(body, input_signature=[tf.TensorSpec((len(model.layers) * 2, 2), tf.int32)])
        entry = _GRAPH_FNS[id(model)] = (fn, plan)
    fn, _ = entry
    if fn is None:
        return reinitialise_in_place(model, seed_words)
    raw = _core_seeds(model, seed_words)
    # What Keras does with an int seed s: the seed [s, 0], then floormod(., int32.max - 1) as int32.
    s = (raw % (2**31 - 1)) % (2**31 - 2)
    seeds = np.stack([s.astype(np.int64), np.zeros_like(s, dtype=np.int64)], axis=1).astype(np.int32)
    fn(tf.constant(seeds))


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="reinit")
    return _POOL


_SPARE: dict[tuple[int, int], list[np.ndarray]] = {}  # (id(model), slot) -> buffers we made earlier


def _free_buffer(model: Any, index: int, size: int) -> np.ndarray:
    """A 64-byte aligned buffer for one variable: a recycled one TensorFlow has let go of, else a new one.

    A buffer handed to TensorFlow through DLPack holds a reference to the array until TensorFlow
    frees the tensor (here: when the variable is assigned its next value). So an array whose only
    references are ours and getrefcount's is no longer read by anything and may be refilled.
    Recycling avoids faulting in (and the kernel zeroing) 550 MB of fresh pages on every call.
    """
    import sys

    spares = _SPARE.setdefault((id(model), index), [])
    for buf in spares:
        if sys.getrefcount(buf) == 3:  # the list, the loop variable, getrefcount's argument
            return buf
    buf = _aligned_empty(size)
    if len(spares) < 2:
        spares.append(buf)
    return buf


_STAGING: dict[tuple[int, int], np.ndarray] = {}  # (id(model), slot) -> our own reusable buffer


def reinit_numpy_copy(model: Any, seed_words: tuple[int, ...]) -> None:
    """Candidate ``numpy-copy-in``: fill our own reused aligned buffers, then copy them into the variables.

    The buffer is viewed as a tensor through DLPack (no copy) and assigned while we still hold
    that tensor, so TensorFlow cannot take the buffer over: it copies it into memory from its own
    pool. The buffer stays ours and is refilled next time; nothing of ours is ever aliased.
    """
    import tensorflow as tf

    jobs, targets = [], []
    for index, (i, slot, var, init) in enumerate(_slots(model)):
        shape = tuple(var.shape)
        size = int(np.prod(shape))
        limit = _uniform_limit(init, shape)
        if limit is None:
            if _is_zeros(init):
                continue
            raise NotImplementedError(type(init).__name__)
        buf = _STAGING.get((id(model), index))
        if buf is None:
            buf = _STAGING[(id(model), index)] = _aligned_empty(size)
        targets.append((var, buf, shape))
        for b, start in enumerate(range(0, size, BLOCK)):
            jobs.append((buf, start, min(start + BLOCK, size), limit, (*seed_words, index, b)))
    list(_pool().map(_fill, jobs))
    for var, buf, shape in targets:
        view = tf.reshape(tf.experimental.dlpack.from_dlpack(buf.__dlpack__()), shape)
        var.assign(view)  # `view` is still referenced here, so this is a copy, never a take-over
        del view


def _fill(job) -> None:
    buf, lo, hi, limit, words = job
    block = buf[lo:hi]
    np.random.Generator(np.random.SFC64(np.random.SeedSequence(list(words)))).random(dtype=np.float32, out=block)
    block *= np.float32(2.0 * limit)
    block -= np.float32(limit)


def reinit_numpy(model: Any, seed_words: tuple[int, ...], alias: bool = False, recycle: bool = False) -> None:
    """Candidate ``numpy`` (``alias=True``: ``numpy-alias``; ``recycle=True`` also reuses released buffers)."""
    import tensorflow as tf

    jobs = []
    targets = []
    for index, (i, slot, var, init) in enumerate(_slots(model)):
        shape = tuple(var.shape)
        size = int(np.prod(shape))
        limit = _uniform_limit(init, shape)
        if limit is None:
            if _is_zeros(init):
                continue  # biases: zeros stay zeros
            raise NotImplementedError(type(init).__name__)
        if alias and recycle:
            buf = _free_buffer(model, index, size)
        else:
            buf = _aligned_empty(size) if alias else np.empty(size, dtype=np.float32)
        targets.append((var, buf, shape))
        for b, start in enumerate(range(0, size, BLOCK)):
            jobs.append((buf, start, min(start + BLOCK, size), limit, (*seed_words, index, b)))

    def fill(job):
        buf, lo, hi, limit, words = job
        block = buf[lo:hi]
        np.random.Generator(np.random.SFC64(np.random.SeedSequence(list(words)))).random(dtype=np.float32, out=block)
        block *= np.float32(2.0 * limit)
        block -= np.float32(limit)

    list(_pool().map(fill, jobs))
    for var, buf, shape in targets:
        if alias:
            var.assign(tf.reshape(tf.experimental.dlpack.from_dlpack(buf.__dlpack__()), shape))
        else:
            var.assign(buf.reshape(shape))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    C.start_tensorflow()
    import tensorflow as tf

    from vggcompare.core.models import prepare_model, reinitialise_in_place

    prepared = prepare_model(C.base_config(passes=1))
    model = prepared.model
    kernels = [v for v in model.weights if len(v.shape) > 1]
    params = sum(int(np.prod(v.shape)) for v in model.weights)
    print(f"machine: {C.machine_line()}")
    print(f"setup: VGG19 random weights, {params / 1e6:.1f} M parameters; best of {args.repeats} calls each")

    # Bit-identity of the graph candidate with the core.
    reinitialise_in_place(model, (7, 1, 3))
    core = [v.numpy().copy() for v in kernels]
    reinit_graph(model, (7, 1, 3))
    same = all(np.array_equal(a, v.numpy()) for a, v in zip(core, kernels))
    del core
    print(f"graph candidate draws the same numbers as the core: {same}")

    candidates = {
        "core reinitialise_in_place": lambda w: reinitialise_in_place(model, w),
        "graph (one tf.function)": lambda w: reinit_graph(model, w),
        "numpy SFC64 threads + assign": lambda w: reinit_numpy(model, w),
        "numpy SFC64 threads + DLPack alias": lambda w: reinit_numpy(model, w, alias=True),
        "numpy-alias, recycled buffers": lambda w: reinit_numpy(model, w, alias=True, recycle=True),
        "numpy-copy-in (own buffers, copied)": lambda w: reinit_numpy_copy(model, w),
    }
    for fn in candidates.values():  # warm: trace, allocate the pool
        fn((1, 2, 3))
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in candidates}
    for r in range(args.repeats):
        for name, fn in candidates.items():
            C.wait_for_quiet(max_wait=10.0)
            with C.Contention() as c:
                fn((42, r, 3))
            times[name].append((c.seconds, c.others))

    # A forward pass still works and sees the new weights.
    import psutil

    x = np.random.default_rng(0).uniform(-100, 100, (1, 224, 224, 3)).astype(np.float32)
    reinit_numpy(model, (5, 5, 5), alias=True)
    a = prepared.forward(x)
    reinit_numpy(model, (5, 5, 6), alias=True)
    b = prepared.forward(x)
    reinit_numpy(model, (5, 5, 5), alias=True, recycle=True)
    reinit_numpy(model, (5, 5, 7), alias=True, recycle=True)
    reinit_numpy(model, (5, 5, 5), alias=True, recycle=True)
    a2 = prepared.forward(x)
    rss0 = psutil.Process().memory_info().rss
    for j in range(10):  # steady state of the recycled variant: two sets of buffers, no growth
        reinit_numpy(model, (6, j), alias=True, recycle=True)
    rss1 = psutil.Process().memory_info().rss
    print(f"numpy-alias: same seed gives the same forward output (recycled buffers too): {np.array_equal(a, a2)}; "
          f"RSS change over 10 more recycled calls: {(rss1 - rss0) / 2**20:+.0f} MB "
          "(the recycled variant keeps one spare copy of the weights, about 550 MB, resident)")
    k = kernels[-2].numpy()
    limit = math.sqrt(6.0 / sum(k.shape))
    print(f"after numpy-alias: forward changes with the seed: {not np.array_equal(a, b)}; fc1-kernel "
          f"min {k.min():.5f} max {k.max():.5f} (limit {limit:.5f}) mean {k.mean():.2e} "
          f"std {k.std():.5f} (uniform: {limit / math.sqrt(3):.5f})")
    print()
    print("| candidate | best s per call | calls (s@others' cores) |")
    print("|---|---:|---|")
    best = {}
    for name, runs in times.items():
        best[name] = min(s for s, _ in runs)
        print(f"| {name} | {best[name]:.3f} | {', '.join(f'{s:.3f}@{o:.2f}' for s, o in runs)} |")
    core_s = best["core reinitialise_in_place"]
    print()
    print(f"RESULT core_reinit_s={core_s:.3f} graph_s={best['graph (one tf.function)']:.3f} "
          f"numpy_s={best['numpy SFC64 threads + assign']:.3f} "
          f"numpy_alias_s={best['numpy SFC64 threads + DLPack alias']:.3f} "
          f"numpy_alias_recycled_s={best['numpy-alias, recycled buffers']:.3f} "
          f"numpy_copy_in_s={best['numpy-copy-in (own buffers, copied)']:.3f} graph_identical={same}")
    del tf


if __name__ == "__main__":
    main()
