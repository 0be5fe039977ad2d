"""Load an image as Keras does, preprocess it, augment it."""
