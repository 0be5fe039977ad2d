"""vggcompare: find out, by experiment, why a Keras model gives different outputs for the same image.

Importing this package is cheap: TensorFlow is imported only by the functions that need it.
"""

__version__ = "0.1.0"
