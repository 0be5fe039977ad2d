"""The picked image and what the model sees, the model's status line and the weights prompt."""
