"""The Python API behind ``import vggcompare as vc``: one idea per module, no Qt (the window runs in its own process).

``vggcompare/__init__.py`` exposes these names lazily, so importing the package stays cheap.
"""
