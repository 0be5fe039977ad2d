"""bfloat16 on this machine: native or emulated, from the CPU's flags and a measured micro-benchmark.

A CPU without AVX512_BF16 or AMX has no bfloat16 arithmetic: the backend converts to float32 and
back, so a bfloat16 run is slower, not faster (measured on an AVX2-only EPYC: 0.89× the speed of
float32 for VGG19). Even a CPU that has the instructions runs bfloat16 emulated when the kernel
library does not use them (TensorFlow's Eigen kernels). So the verdict is the measurement's:
a 1024² matrix product in bfloat16 against float32, best of a few calls, in the running backend.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from vggcompare.core.model.cpu import cpu_flags

SIZE = 1024
REPEATS = 4


@dataclass(frozen=True)
class Bfloat16Support:
    """Whether bfloat16 runs natively here: the CPU's flags, the measured speed ratio, the verdict, a sentence."""

    cpu_has_instructions: bool
    speed_ratio: float  # float32 time / bfloat16 time for one matrix product; > 1 means bfloat16 is faster
    native: bool
    sentence: str

    @property
    def word(self) -> str:
        """'native' or 'emulated'."""
        return "native" if self.native else "emulated"


def _best_seconds(a, b) -> float:
    import keras

    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        np.asarray(keras.ops.matmul(a, b))  # np.asarray waits for the result on every backend
        best = min(best, time.perf_counter() - t0)
    return best


def judge(cpu_has_instructions: bool, speed_ratio: float) -> Bfloat16Support:
    """The verdict from the two facts: native only when the CPU has the instructions and bfloat16 was faster."""
    native = cpu_has_instructions and speed_ratio >= 1.0
    flags = "has AVX512_BF16/AMX" if cpu_has_instructions else "has no AVX512_BF16 or AMX"
    if native:
        tail = "bfloat16 runs natively and should be faster than float32"
    elif cpu_has_instructions:
        tail = "the kernels in use do not use those instructions, so bfloat16 is emulated and slower here"
    else:
        tail = "bfloat16 is emulated here, so a bfloat16 run will be slower than float32, not faster"
    return Bfloat16Support(
        cpu_has_instructions, speed_ratio, native,
        f"bfloat16 on this machine: {'native' if native else 'emulated'}. The CPU {flags}, and a {SIZE}² matrix "
        f"product ran {speed_ratio:.2f}× as fast in bfloat16 as in float32: {tail}.",
    )


@lru_cache(maxsize=4)
def bfloat16_support(backend: str = "") -> Bfloat16Support:
    """Measure bfloat16 against float32 in the running backend (about 0.2 s, once per process and backend).

    The backend must have started (core.model.backend.start_backend); ``backend`` only keys the cache.
    """
    import keras

    rng = np.random.default_rng(0)
    a32 = keras.ops.convert_to_tensor(rng.random((SIZE, SIZE), dtype=np.float32))
    b32 = keras.ops.convert_to_tensor(rng.random((SIZE, SIZE), dtype=np.float32))
    a16, b16 = keras.ops.cast(a32, "bfloat16"), keras.ops.cast(b32, "bfloat16")
    _best_seconds(a32, b32), _best_seconds(a16, b16)  # warm up both kernels
    ratio = _best_seconds(a32, b32) / max(_best_seconds(a16, b16), 1e-9)
    flags = cpu_flags()
    return judge("avx512_bf16" in flags or "amx" in flags, round(ratio, 3))


def assess_bfloat16(config) -> Bfloat16Support:
    """Start the backend the configuration asks for (if not started) and measure bfloat16 there.

    What the window and the CLI call before a bfloat16 run, to say whether it will be native or emulated.
    """
    from vggcompare.core.model.backend import EngineSettings, start_backend

    return bfloat16_support(start_backend(EngineSettings.from_config(config)))
