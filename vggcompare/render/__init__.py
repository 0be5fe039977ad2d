"""What both the CLI and the window draw, offscreen or on screen, with PySide6: the checkup's chart.

It sits below :mod:`vggcompare.cli` and :mod:`vggcompare.gui` and never imports either; the core never imports it.
"""
