"""Sweeps: many images × a preset's variants against a reference, resumable, locally or on Ray.

- ``run.py``: :func:`run_sweep`, the sweep itself (a generator job), its progress and outcome;
- ``plan.py``: the images found, the groups and the variants;
- ``worker.py``: the model built once and the groups of images run through every variant;
- ``ray_pool.py``: the same workers as Ray actors;
- ``rerun.py``: one row of a sweep run again as two ordinary runs.
"""
