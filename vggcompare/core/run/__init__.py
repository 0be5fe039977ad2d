"""Stage 3, run: N forward passes of one configuration, demonstrations, and runs in other processes."""
