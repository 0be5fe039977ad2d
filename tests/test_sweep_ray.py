"""The same sweep on a local Ray instance writes the same table as the local engine, bit for bit."""

from __future__ import annotations

import numpy as np
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
               "--variants", variants, "--explain", "occlusion", "--explain-passes", "2", "--quiet"]
    assert main(["sweep", str(photo_folder), "--out-dir", str(tmp_path / "local"), *options]) == 0
    assert main(["sweep", str(photo_folder), "--out-dir", str(tmp_path / "ray"), "--engine", "ray", *options]) == 0
    assert "(ray)" in capsys.readouterr().out
    assert addresses == ["127.0.0.1"]  # the local instance listens on the loopback address only
    with SweepTable(tmp_path / "local") as a, SweepTable(tmp_path / "ray") as b:
        rows = b.rows()
        assert rows == a.rows() and len(rows) == 16 * 3 and sum(1 for r in rows if r["error"]) == 3
        assert a.thumbnails() == b.thumbnails()
        maps_a, maps_b = a.maps(), b.maps()  # the flipped images' maps come back from the actors too
        assert maps_a and maps_a.keys() == maps_b.keys()
        assert all(maps_a[k][:2] == maps_b[k][:2] and np.array_equal(maps_a[k][2], maps_b[k][2]) for k in maps_a)
    assert (tmp_path / "local" / "rows.csv").read_bytes() == (tmp_path / "ray" / "rows.csv").read_bytes()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_an_address_nothing_answers_at_is_one_sentence(photo_folder, probe_model, tmp_path, capsys):
    """How soon it says so (Ray alone waited for minutes) is measured in benchmarks/bench_refusals.py."""
    port = _closed_port()
    code = main(["sweep", str(photo_folder), "--out-dir", str(tmp_path / "out"), "--engine", "ray",
                 "--address", f"127.0.0.1:{port}", "--model", probe_model, "--passes", "2", "--preset", "pitfalls",
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and f"cannot reach a Ray cluster at 127.0.0.1:{port}" in err and "Traceback" not in err


def test_reachability_accepts_a_listening_address_and_leaves_other_forms_to_ray():
    import socket

    from vggcompare.core.errors import ConfigError
    from vggcompare.core.studies.sweep.ray_pool import check_reachable

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        check_reachable(f"127.0.0.1:{server.getsockname()[1]}")
        check_reachable(f"ray://127.0.0.1:{server.getsockname()[1]}")
    check_reachable("auto")  # no port: Ray finds the cluster itself
    with pytest.raises(ConfigError, match="cannot reach"):
        check_reachable(f"ray://127.0.0.1:{_closed_port()}", timeout=1.0)
