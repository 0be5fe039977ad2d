"""Statistics of the passes, comparisons of runs, and verdicts built from the numbers."""
