"""The environment, image and timings records: typed fields, an exact JSON round trip, and old files still read."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from vggcompare.core.analysis.records import Environment, ImageFacts, Timings
from vggcompare.core.storage.result_file import load_result, result_to_json_dict, save_result

OLD_RESULTS = Path(__file__).parent / "old_results"
OLD_FILES = sorted(OLD_RESULTS.glob("*.json"))


def test_there_are_result_files_from_several_versions():
    assert len(OLD_FILES) >= 5


@pytest.mark.parametrize("path", OLD_FILES, ids=lambda p: p.stem)
def test_a_result_file_of_an_older_version_reads_into_typed_records(path):
    doc = json.loads(path.read_text())
    result = load_result(path)
    assert isinstance(result.environment, Environment) and isinstance(result.image, ImageFacts)
    assert isinstance(result.timings, Timings)
    assert result.environment.keras == doc["environment"]["keras"]
    assert result.environment.cpu == doc["environment"]["cpu"]
    assert result.image.pixels_sha256 == doc["image"]["pixels_sha256"]
    assert result.image.model_input_size == tuple(doc["image"]["model_input_size"])
    assert result.timings.seconds_per_pass == doc["timings"]["seconds_per_pass"]


@pytest.mark.parametrize("path", OLD_FILES, ids=lambda p: p.stem)
def test_an_older_file_round_trips_its_records_exactly(path, tmp_path):
    doc = json.loads(path.read_text())
    result = load_result(path)
    assert result.environment.to_dict() == doc["environment"]
    assert result.image.to_dict() == doc["image"]
    assert result.timings.to_dict() == doc["timings"]
    written = save_result(result, tmp_path / "again.json")
    again = json.loads(Path(written).read_text())
    for key in ("environment", "image", "timings"):
        assert again[key] == doc[key]


def test_the_oldest_files_keep_the_keys_this_version_no_longer_names():
    oldest = load_result(OLD_FILES[0])
    assert "onednn" in oldest.environment.extra  # the kernel library's key before "kernels"
    assert oldest.environment.kernels is None


def test_keys_from_a_newer_version_are_kept_and_do_not_crash(tmp_path):
    doc = json.loads(OLD_FILES[-1].read_text())
    doc["environment"]["converter_version"] = "tf2onnx 9.9"
    doc["environment"]["export_sha256"] = {"nested": [1, 2]}
    doc["image"]["colour_profile"] = "sRGB"
    doc["timings"]["export_seconds"] = 1.5
    doc["timings"]["export_tool"] = "tf2onnx"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(doc))
    result = load_result(newer)
    assert result.environment.extra["converter_version"] == "tf2onnx 9.9"
    assert result.environment.value("export_sha256") == {"nested": [1, 2]}
    back = result_to_json_dict(result)
    assert back["environment"] == doc["environment"] and back["image"] == doc["image"]
    assert back["timings"] == doc["timings"]


def test_a_known_key_with_an_unexpected_value_stays_as_read():
    data = {"cpu": None, "intra_op_threads": "2", "cpu_flags": ["avx2", 3], "deterministic_ops": 0, "keras": "3.15.1"}
    env = Environment.from_dict(data)
    assert env.cpu is None and env.intra_op_threads is None and env.cpu_flags is None and env.deterministic_ops is None
    assert env.keras == "3.15.1"
    assert env.to_dict() == data


def test_the_records_are_frozen_and_typed():
    env = Environment.from_dict({"cpu_flags": ["avx2", "avx512f"], "intra_op_threads": 2, "threads_default": True})
    assert env.cpu_flags == ("avx2", "avx512f") and env.intra_op_threads == 2 and env.threads_default is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.cpu = "other"  # type: ignore[misc]
    timings = Timings.from_dict({"seconds_per_pass": 0.25, "total_seconds": 3})
    assert timings.seconds_per_pass == 0.25 and timings.total_seconds == 3 and timings.model_seconds is None
    assert Timings.from_dict({"total_seconds": True}).total_seconds is None  # a bool is not a number


def test_a_field_added_later_reads_as_none_from_files_that_lack_it():
    @dataclasses.dataclass(frozen=True)
    class Wider(Environment):
        converter_version: str | None = dataclasses.field(default=None, metadata={"json": str})

    assert Wider.from_dict({"cpu": "x"}).converter_version is None
    wide = Wider.from_dict({"cpu": "x", "converter_version": "1.17"})
    assert wide.converter_version == "1.17" and not wide.extra
    assert wide.to_dict() == {"cpu": "x", "converter_version": "1.17"}


def test_a_known_timing_that_is_not_a_number_is_refused_in_one_sentence(tmp_path):
    from vggcompare.core.errors import ResultFileError

    doc = json.loads(OLD_FILES[-1].read_text())
    doc["timings"]["seconds_per_pass"] = "fast"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ResultFileError, match="timings are malformed"):
        load_result(bad)
