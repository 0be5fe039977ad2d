"""Pieces the window's views share: the QApplication, settings, dialogs, the verdict banner, a scroll area, the collapsible group.

The colours, plots and image conversions they draw with are in :mod:`vggcompare.render`.
"""
