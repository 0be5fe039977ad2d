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
