"""Shared helpers for the benchmark scripts (not a benchmark itself).

Every script runs with the project's own environment, from the repository root:
``.venv/bin/python benchmarks/<script>.py``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLE = str(ROOT / "resources" / "samples" / "cat.png")


def start_tensorflow() -> None:
    """Import TensorFlow quietly (the core's own helper)."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()


def base_config(passes: int = 32, **changes):
    """VGG19 random weights, augmentation on, seeding once, float32: the benchmarks' configuration."""
    from vggcompare.core.config import AugmentConfig, ExperimentConfig

    cfg = ExperimentConfig(
        image=SAMPLE,
        model="vgg19-random",
        passes=passes,
        seeding="once",
        seed=42,
        augment=AugmentConfig(enabled=True),
        precision="float32",
    )
    return cfg.replace(**changes) if changes else cfg


def median(values):
    return statistics.median(values)


def fmt_list(values, digits: int = 3) -> str:
    return "[" + ", ".join(f"{v:.{digits}f}" for v in values) + "]"


def machine_line() -> str:
    """One line naming the machine and the versions the figures depend on."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    parts = [f"{cpu}, {os.cpu_count()} cores", f"Python {platform.python_version()}"]
    if "tensorflow" in sys.modules:
        import keras
        import tensorflow as tf

        parts += [f"TensorFlow {tf.__version__}", f"Keras {keras.__version__}"]
    try:
        load = os.getloadavg()
        parts.append(f"load {load[0]:.2f}")
    except OSError:
        pass
    return " · ".join(parts)


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.seconds``."""

    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        return False


def _cpu_jiffies() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [float(v) for v in handle.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)
    total = sum(fields[:8])
    return (total - idle) / hz, total / hz


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def wait_for_quiet(threshold: float = 0.25, max_wait: float = 20.0, window: float = 0.5) -> float:
    """Wait until other processes use under ``threshold`` cores (the machine is shared); return seconds waited."""
    t0 = time.perf_counter()
    while True:
        b0, _ = _cpu_jiffies()
        o0 = _own_cpu()
        time.sleep(window)
        b1, _ = _cpu_jiffies()
        others = max(0.0, (b1 - b0) - (_own_cpu() - o0)) / window
        if others < threshold or time.perf_counter() - t0 > max_wait:
            return time.perf_counter() - t0


class Contention:
    """Measures how many cores OTHER processes used while the block ran (0 = machine to ourselves).

    ``with Contention() as c: ...`` then ``c.seconds`` (wall) and ``c.others`` (mean cores used by others).
    """

    def __enter__(self):
        self.b0, _ = _cpu_jiffies()
        self.o0 = _own_cpu()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        b1, _ = _cpu_jiffies()
        own = _own_cpu() - self.o0
        self.others = max(0.0, (b1 - self.b0) - own) / max(self.seconds, 1e-9)
        return False


def measured(fn, quiet: bool = True):
    """Run ``fn()`` after waiting for a quiet machine; return (fn's value, cores used by others meanwhile)."""
    if quiet:
        wait_for_quiet()
    with Contention() as c:
        value = fn()
    return value, c.others


def best(values):
    """The best (smallest) of repeated timings: other processes only ever slow a run down."""
    return min(values)


def in_fresh_processes(command: list[str], repeats: int):
    """Run ``command`` (a benchmark's ``--child``) once per repeat, each in a new process after waiting for quiet;
    print its lines and yield the figures of its ``CHILD {json}`` line. SystemExit when a repeat gives none."""
    import json
    import subprocess

    for r in range(repeats):
        wait_for_quiet(max_wait=15.0)
        proc = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        print(f"==== repeat {r + 1} of {repeats} (a fresh process) ====")
        figures = None
        for line in proc.stdout.splitlines():
            if line.startswith("CHILD "):
                figures = json.loads(line[len("CHILD "):])
            else:
                print(line)
        if figures is None:
            raise SystemExit(f"repeat {r + 1} failed (exit {proc.returncode})")
        yield figures
