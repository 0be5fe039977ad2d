"""The Checkup tab: every cause against the user's pipeline, its rows streaming in, its chart, a row to compare."""
