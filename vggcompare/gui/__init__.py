"""The PySide6/pyqtgraph window; it calls the core and computes no statistics itself."""

from vggcompare.render.qt_compat import guard_none_refcount

guard_none_refcount()
