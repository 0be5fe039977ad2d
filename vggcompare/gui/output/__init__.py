"""What the window writes and the CLI may import: figures, PDF reports, the sweep report, the screenshot."""
