"""Figures: the window's plots drawn on paper colours and written as SVG, PDF or PNG.

``bars`` and ``difference`` are plots shared by the window and the reports; ``build`` makes any
plot of a result into a stand-alone figure; ``save`` writes a widget to a file; ``paper`` holds
the light palette and the offscreen layout. The window's views and the PDF reports import from
here, never the other way round.
"""

PLOTS = ("top5", "variance", "passes", "inputs", "difference", "explanation")  # the plots a figure can show
