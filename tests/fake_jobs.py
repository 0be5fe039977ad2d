"""Job functions for the engine-process and session tests: no TensorFlow, quick, predictable."""

from __future__ import annotations

import os
import signal
import sys
import time

from vggcompare.core.errors import ConfigError


def count(n: int, delay: float = 0.0):
    """Yield 1..n, then return their sum."""
    total = 0
    for i in range(1, n + 1):
        time.sleep(delay)
        total += i
        yield i
    return total


def plain(value):
    """Not a generator: return ``value`` at once."""
    return value


def fails(sentence: str):
    """Raise a user error after one progress report."""
    yield "started"
    raise ConfigError(sentence)


def endless(cancel=None):
    """Yield forever (every 10 ms) until cancelled; return how often it saw the cancel flag."""
    while True:
        time.sleep(0.01)
        yield "working"


def blocks_until_cancelled(cancel):
    """A long step with no yield: it polls the cancel callable, as the core's chunks do."""
    yield "started"
    while not cancel():
        time.sleep(0.01)
    return "saw the cancel"


def killed():
    """The engine dies mid-job, as with kill -9."""
    yield "about to die"
    os.kill(os.getpid(), signal.SIGKILL)


def backend_loaded() -> bool:
    """True if TensorFlow or Keras was imported in this process."""
    return "tensorflow" in sys.modules or "keras" in sys.modules


def environment(name: str):
    """The value of an environment variable in the engine."""
    return os.environ.get(name)


def unpicklable():
    """Return something that cannot travel between processes."""
    return lambda: None
