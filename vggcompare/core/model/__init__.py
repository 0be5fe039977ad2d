"""Build or load the model, its weights, MC dropout and new random weights."""
