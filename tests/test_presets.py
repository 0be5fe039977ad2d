"""Every preset runs end to end, headless, on a tiny model, and its headline comes from its numbers."""

from __future__ import annotations

import pytest

from vggcompare.cli import main
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.job_driver import drive
from vggcompare.core.studies.presets.registry import PRESETS
from vggcompare.core.studies.presets.run import run_preset


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_runs_headless_on_a_tiny_model(name, tiny_models, photo):
    cfg = ExperimentConfig(image=photo, model=tiny_models["dropout"], labels=tiny_models["labels"], passes=4)
    out = drive(run_preset(name, cfg))
    assert out.runs and out.rows and out.headline and out.model
    assert all(len(row) == len(out.columns) for row in out.rows)
    if name == "popular-2":
        assert "bit-identical" in out.headline
    if name == "popular-3":
        assert out.rows[0][1] == "yes, bit for bit" and out.rows[1][1] == "no"
    if name == "matrix":
        assert len(out.runs) == 8 and "repeat identical" in out.rows[1][1]


def test_preset_cli_writes_runs_and_a_report(capsys, tiny_models, photo, tmp_path):
    code = main(["preset", "popular-2", photo, "--model", tiny_models["plain"], "--out-dir", str(tmp_path / "o"),
                 "--report", str(tmp_path / "r.pdf"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and "bit-identical" in out
    assert len(list((tmp_path / "o").glob("*.json"))) == 1
    pdf = (tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    import re

    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
    assert main(["presets"]) == 0 and "matrix" in capsys.readouterr().out
