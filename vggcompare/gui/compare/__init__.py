"""Two runs side by side: the comparison view."""
