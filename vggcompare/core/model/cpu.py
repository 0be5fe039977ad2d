"""The CPU's name and the instruction sets that decide which kernels run, read from /proc/cpuinfo."""

from __future__ import annotations

import platform
from functools import lru_cache

# the CPU instruction sets that change which kernels run, as /proc/cpuinfo names them ("amx" = any amx_*)
CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx")
ONEDNN_DEFAULT_FLAGS = ("avx512_vnni", "avx512_bf16", "amx")


@lru_cache(maxsize=1)
def cpu_name() -> str:
    """The CPU model name, from /proc/cpuinfo where available."""
    for line in _cpuinfo_lines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def _cpuinfo_lines() -> list[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            return handle.read(1 << 20).splitlines()
    except OSError:
        return []


@lru_cache(maxsize=1)
def cpu_flags() -> tuple[str, ...]:
    """Which of :data:`CPU_FLAGS` this CPU has (from /proc/cpuinfo; empty where it cannot be read)."""
    words: set[str] = set()
    for line in _cpuinfo_lines():
        if line.lower().startswith("flags"):
            words = set(line.split(":", 1)[1].split())
            break
    return tuple(f for f in CPU_FLAGS if f in words or (f == "amx" and any(w.startswith("amx") for w in words)))


def default_kernels(flags: tuple[str, ...] | None = None) -> str:
    """TensorFlow's default CPU kernel library for these flags: 'oneDNN' or 'Eigen'."""
    flags = cpu_flags() if flags is None else flags
    x86 = platform.machine().lower() in ("x86_64", "amd64", "i686", "x86")
    return "oneDNN" if x86 and any(f in flags for f in ONEDNN_DEFAULT_FLAGS) else "Eigen"
