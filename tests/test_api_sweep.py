"""The Python API's sweep on an in-memory model: a preset's variants over a folder, read back by vc.load."""

from __future__ import annotations

import html

import pytest
from PIL import Image

from tests.api_helpers import picture, probe_model


def test_sweep_of_an_in_memory_model_and_load_reads_it_back(tmp_path):
    import vggcompare as vc

    folder = tmp_path / "photos"
    folder.mkdir()
    for k in range(2):
        Image.fromarray(picture(k)).save(folder / f"p{k}.png")
    found = vc.sweep(probe_model(), folder, preset="pitfalls", out=tmp_path / "sweep", progress=False)
    assert found.summary["images_finished"] == 2 and len(found.summary["variants"]) >= 2
    page = found._repr_html_()
    assert "flip rate" in page and html.escape(found.summary["variants"][1]["variant"]) in page
    back = vc.load(tmp_path / "sweep")
    assert back.summary == found.summary


def test_sweep_refuses_an_unknown_preset(tmp_path):
    import vggcompare as vc
    from vggcompare.core.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown preset"):
        vc.sweep(probe_model(), tmp_path, preset="no-such-preset", out=tmp_path / "s", progress=False)


def test_sweep_on_ray_of_an_in_memory_model_gives_the_local_engines_rows(tmp_path):
    pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[test,ray]')")
    import vggcompare as vc
    from vggcompare.core.storage.sweep_table import SweepTable

    folder = tmp_path / "photos"
    folder.mkdir()
    for k in range(2):
        Image.fromarray(picture(k)).save(folder / f"p{k}.png")
    model = probe_model()
    local = vc.sweep(model, folder, preset="pitfalls", out=tmp_path / "local", progress=False, passes=2)
    on_ray = vc.sweep(model, folder, preset="pitfalls", engine="ray", out=tmp_path / "ray", progress=False, passes=2)
    assert on_ray.summary["images_finished"] == 2 and "probe.keras" in on_ray.summary["model"]  # the copy the actors load

    def numbers(rows):  # a variant's label names the model: "probe (in memory)" here, its copy "probe.keras" on Ray
        return [{k: v for k, v in row.items() if k != "variant"} for row in rows]

    assert numbers(on_ray.summary["variants"]) == numbers(local.summary["variants"])
    with SweepTable(tmp_path / "local") as a, SweepTable(tmp_path / "ray") as b:
        rows = b.rows()
        assert numbers(rows) == numbers(a.rows()) and not any(r["error"] for r in rows)
    assert any(r["largest_change"] > 0 for r in rows)  # the variants moved the probe: equal rows are not empty ones
