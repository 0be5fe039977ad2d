"""The PySide6/pyqtgraph window; it calls the core and computes no statistics itself.

Its folders are layered (an import-linter contract checks it): ``app`` over ``window``, over the views
(``results``, ``compare``, ``demos``, ``history``, ``image``, ``controls``, ``sweep``, ``present``), which never
import each other, over ``session`` and ``common``. What it draws comes from :mod:`vggcompare.render`.
"""

from vggcompare.render.qt_compat import guard_none_refcount

guard_none_refcount()
