"""The Qt-free core: configuration, image loading, models, the pass engine, statistics and results.

Nothing in this package imports Qt, and nothing imports TensorFlow at module import time.
"""
