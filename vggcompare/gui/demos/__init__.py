"""The Demonstrations gallery and a demonstration's outcome."""
