"""The same sweep on a local Ray instance writes the same table as the local engine, bit for bit."""

from __future__ import annotations

import pytest
from sweep_helpers import drive, photo_folder, probe_model, write_variants  # noqa: F401 - fixtures

pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[test,ray]')")

from vggcompare.cli import main  # noqa: E402
from vggcompare.core.storage.sweep_table import SweepTable  # noqa: E402


def test_ray_engine_writes_the_same_table_as_the_local_engine(probe_model, photo_folder, tmp_path, capsys, monkeypatch):
    import ray

    addresses = []
    real_init = ray.init

    def init(*args, **kwargs):  # records where the local instance listens
        value = real_init(*args, **kwargs)
        addresses.extend(node["NodeManagerAddress"] for node in ray.nodes())
        return value

    monkeypatch.setattr(ray, "init", init)
    variants = write_variants(tmp_path)
    options = ["--model", probe_model, "--passes", "4", "--seeding", "once", "--preprocess", "caffe",
               "--variants", variants, "--quiet"]
    assert main(["sweep", str(photo_folder), "--out-dir", str(tmp_path / "local"), *options]) == 0
    assert main(["sweep", str(photo_folder), "--out-dir", str(tmp_path / "ray"), "--engine", "ray", *options]) == 0
    assert "(ray)" in capsys.readouterr().out
    assert addresses == ["127.0.0.1"]  # the local instance listens on the loopback address only
    with SweepTable(tmp_path / "local") as a, SweepTable(tmp_path / "ray") as b:
        rows = b.rows()
        assert rows == a.rows() and len(rows) == 16 * 3 and sum(1 for r in rows if r["error"]) == 3
        assert a.thumbnails() == b.thumbnails()
    assert (tmp_path / "local" / "rows.csv").read_bytes() == (tmp_path / "ray" / "rows.csv").read_bytes()
