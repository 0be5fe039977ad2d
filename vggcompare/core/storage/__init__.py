"""Storage: result files, the history, exports. Below the passes and studies that write them, above analysis."""
