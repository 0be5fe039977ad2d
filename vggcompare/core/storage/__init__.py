"""Stage 5, storage: result files, the history, exports, atomic writes."""
