"""Issue 4's panels: the run history, the side-by-side comparison and the preset results."""
