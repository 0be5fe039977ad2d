"""Stage 4, analysis: statistics of the passes, comparisons of runs, and verdicts built from the numbers."""
