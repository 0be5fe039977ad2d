"""Stage 1, input: load an image as Keras does, preprocess it, augment it."""
