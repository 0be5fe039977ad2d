"""The controllers: the session, the job runner and engine pool, and the model, reproduce and sweep controllers. They hold no widgets."""
