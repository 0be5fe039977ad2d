"""The plot widgets and items the window shows and the figures and reports draw."""
