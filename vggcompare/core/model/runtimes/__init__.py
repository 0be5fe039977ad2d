"""Where the model is served: the prepared Keras model exported with each library's own call and run by its runtime.

- ``served.py``: :func:`serve` (export once, load, the runtime's call), :func:`open_file` (a user's own file),
  :class:`Served` and what its notes and environment record say;
- ``export.py``: the cache of exports, keyed by the model's fingerprint, the converter and its settings;
- ``savedmodel.py``, ``tflite.py``, ``onnx_runtime.py``: each runtime's converter and runner;
- ``calibration.py``: full-integer int8's representative photos;
- ``intermediates.py``: an export's intermediate tensors, matched to the Keras layers where their names allow.

The rules on which options an export takes are in :mod:`vggcompare.core.runtime_rules`.
"""
