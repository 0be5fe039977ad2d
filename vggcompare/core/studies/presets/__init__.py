"""One-click demonstrations: each preset runs its experiments and ends on a comparison or grid.

- ``registry.py``: :data:`PRESETS`, every preset by name;
- ``run.py``: :func:`run_preset`, which runs one (a generator job);
- ``base.py``: what a preset is and what it returns;
- one module per family of presets (``checkup``, ``popular``, ``matrix``, ``pitfalls``, ``serving``, ``runtimes``, ``numerics``).
"""
