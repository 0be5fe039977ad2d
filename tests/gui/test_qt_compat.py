"""The guard against PySide6 6.12's lost references to None (a hard crash on Python 3.11)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication

from vggcompare.gui.qt_compat import guard_none_refcount

pytestmark = pytest.mark.gui


def test_many_void_qt_calls_do_not_exhaust_nones_references(qapp):
    guard_none_refcount()  # importing vggcompare.gui already applied it; a second call is harmless
    before = sys.getrefcount(None)
    for _ in range(300_000):  # more than None's real reference count in this process
        QCoreApplication.sendPostedEvents()
    assert sys.getrefcount(None) > 0
    assert before - sys.getrefcount(None) <= 300_000
