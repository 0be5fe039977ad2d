"""Studies built from many runs: the checkup, the demonstrations (presets), sweeps over a folder, reproducing a result,
and the jobs the window's engine process runs."""
