"""The PySide6/pyqtgraph window; it calls the core and computes no statistics itself."""
