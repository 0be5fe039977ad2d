"""The guard against PySide6 6.12's lost references to None (a hard crash on Python 3.11)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication

from vggcompare.render import qt_compat
from vggcompare.render.qt_compat import IMMORTAL_MARGIN, guard_none_refcount

pytestmark = pytest.mark.gui

CALLS = 300_000  # more than None's real reference count in this process


def test_void_qt_calls_cannot_drain_nones_references(qapp):
    """Either the installed binding keeps None's count, or the guard has made it too large to drain."""
    applied = guard_none_refcount()  # importing vggcompare.gui already applied it where needed
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        QCoreApplication.sendPostedEvents()
    lost = before - sys.getrefcount(None)
    if applied:
        assert sys.getrefcount(None) > IMMORTAL_MARGIN - CALLS
    else:
        assert lost < 1_000, f"the Qt binding dropped {lost} references to None in {CALLS} calls: the guard must cover this version"


@pytest.mark.parametrize("python, pyside, expected", [((3, 11), (6, 11), False), ((3, 12), (6, 12), False), ((3, 11), (6, 12), True)])
def test_the_guard_applies_exactly_to_pyside_6_12_on_python_before_3_12(monkeypatch, python, pyside, expected):
    if expected and sys.version_info >= (3, 12):
        pytest.skip("applying the guard writes None's reference count, which only Pythons before 3.12 may do")
    monkeypatch.setattr(sys, "version_info", (*python, 0, "final", 0))
    monkeypatch.setattr(qt_compat, "_pyside_version", lambda: pyside)
    assert guard_none_refcount() is expected
    if expected:  # as on a real 6.12 install: None now holds more references than any process drops
        assert sys.getrefcount(None) > IMMORTAL_MARGIN


def test_the_binding_version_is_read_without_importing_the_binding():
    """Commands that draw nothing (``vggcompare checkup --help``) import the render package but not PySide6."""
    import subprocess

    import PySide6

    code = ("import sys; from vggcompare.render.qt_compat import _pyside_version; v = _pyside_version(); "
            "print('.'.join(map(str, v)), 'PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [".".join(PySide6.__version__.split(".")[:2]), "False"]
