"""Figures: the window's plots drawn on paper colours and written as SVG, PDF or PNG.

``build`` makes any plot of a result (from :mod:`vggcompare.render.plots`) into a stand-alone figure;
``save`` writes a widget to a file; ``paper`` holds the light palette and the offscreen layout.
"""

PLOTS = ("top5", "variance", "passes", "inputs", "difference", "explanation", "layers")  # the plots a figure can show
