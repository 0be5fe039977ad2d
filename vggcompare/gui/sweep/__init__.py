"""The "Many images" tab."""
