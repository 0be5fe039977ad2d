"""A sweep killed with SIGKILL in the middle of a group resumes, from the command line, to the identical table."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sweep_helpers import photo_folder, probe_model, write_variants  # noqa: F401 - fixtures

from vggcompare.cli import main
from vggcompare.core.storage.sweep_table import SweepTable

# Runs the sweep as the CLI would (same options), and kills its own process with SIGKILL
# one forward call after the first group was committed: mid-way through group 2.
_KILLER = """
import json, os, signal, sys
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.studies.sweep.run import run_sweep
from vggcompare.core.studies.sweep.plan import variants_from_changes
folder, out, variants_file, model = sys.argv[1:5]
cfg = ExperimentConfig(model=model, passes=4, seeding="once", seed=7, preprocess="caffe")
variants = variants_from_changes(cfg, json.load(open(variants_file)))
committed = False
for report in run_sweep(folder, out, cfg, variants=variants):
    if committed and report.stage == "passes":
        os.kill(os.getpid(), signal.SIGKILL)
    committed = committed or report.message.startswith("Group 1")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_sweep_resumes_to_the_identical_table(probe_model, photo_folder, tmp_path, capsys):
    variants = write_variants(tmp_path)
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    proc = subprocess.run([sys.executable, "-c", _KILLER, str(photo_folder), str(killed), variants, probe_model],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    with SweepTable(killed) as table:
        assert len(table.finished_images(3)) == 4 and len(table.rows()) == 4 * 3  # group 1 only, nothing of group 2
    options = ["--model", probe_model, "--passes", "4", "--seeding", "once", "--seed", "7", "--preprocess", "caffe",
               "--variants", variants, "--quiet"]
    assert main(["sweep", str(photo_folder), "--out-dir", str(killed), *options]) == 0
    assert "Resumed: 4 image(s)" in capsys.readouterr().out
    assert main(["sweep", str(photo_folder), "--out-dir", str(whole), *options]) == 0
    with SweepTable(killed) as a, SweepTable(whole) as b:
        rows = a.rows()
        assert rows == b.rows() and len(rows) == 16 * 3
    assert (killed / "rows.csv").read_bytes() == (whole / "rows.csv").read_bytes()
    assert (killed / "summary.json").read_bytes() == (whole / "summary.json").read_bytes()
