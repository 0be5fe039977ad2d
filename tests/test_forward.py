"""The forward loop shared by the engine and the sweep worker: chunking, padding, per-pass keys and weights."""

from __future__ import annotations

import ast
import pathlib

import numpy as np
import pytest

import vggcompare
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import RunCancelled
from vggcompare.core.passes import forward as fw


class RecordingModel:
    """Stands in for a PreparedModel: output row = input row's first value, keys and held weights recorded."""

    def __init__(self, keyed: bool = True) -> None:
        self.keys = object() if keyed else None
        self.calls: list[tuple[np.ndarray, np.ndarray | None]] = []
        self.held: list[tuple] = []

    def forward(self, x, keys=None, call="compiled", training=False):
        self.calls.append((x.copy(), None if keys is None else keys.copy()))
        return x[:, :1].astype(np.float32) * np.ones((1, 3), np.float32)

    def hold_weights(self, seed: tuple) -> None:
        self.held.append(seed)


def rows_of(rows: range) -> np.ndarray:
    return np.arange(rows.start, rows.stop, dtype=np.float32)[:, None] * np.ones((1, 2), np.float32)


def run(model, config, count, size, **kwargs):
    calls = list(fw.forward_calls(model, config, (42,), count, size, rows_of, **kwargs))
    return calls, np.concatenate([c.outputs for c in calls])


def test_rows_go_in_calls_of_the_size_and_the_short_last_call_is_padded_with_its_last_row():
    model = RecordingModel(keyed=False)
    calls, out = run(model, ExperimentConfig(seeding="once"), 10, 4)
    assert [c.rows for c in calls] == [range(0, 4), range(4, 8), range(8, 10)]
    assert [len(x) for x, _ in model.calls] == [4, 4, 4]  # one batch shape: the compiled call is never retraced
    assert model.calls[-1][0][:, 0].tolist() == [8, 9, 9, 9]
    assert out[:, 0].tolist() == list(range(10))  # the padding's outputs are dropped
    assert all(keys is None for _, keys in model.calls)


def test_training_mode_is_never_padded_and_extra_rows_replace_the_padding():
    model = RecordingModel(keyed=False)
    run(model, ExperimentConfig(seeding="once", training_mode=True), 5, 4)
    assert [len(x) for x, _ in model.calls] == [4, 1]
    model = RecordingModel(keyed=False)
    calls, out = run(model, ExperimentConfig(seeding="once"), 3, 2, extra=np.full((2, 2), 7.0, np.float32))
    assert [x[:, 0].tolist() for x, _ in model.calls] == [[0, 1, 7, 7], [2, 7, 7]]
    assert out[:, 0].tolist() == [0, 1, 2] and len(calls[-1].inputs) == 3


def test_each_pass_gets_its_own_dropout_key_whatever_the_chunking():
    config = ExperimentConfig(seeding="once")
    by_four = RecordingModel()
    calls4, _ = run(by_four, config, 6, 4)
    by_one = RecordingModel()
    calls1, _ = run(by_one, config, 6, 1)
    keys4 = np.concatenate([c.keys[: len(c.rows)] for c in calls4])
    keys1 = np.concatenate([c.keys for c in calls1])
    assert np.array_equal(keys4, keys1) and len({tuple(k) for k in keys4}) == 6
    assert np.array_equal(keys4, fw.dropout_keys((42,), config, range(6), 6))
    assert len(calls4[-1].keys) == 4 and np.array_equal(calls4[-1].keys[2:], calls4[-1].keys[1:2].repeat(2, 0))  # padded like the rows


def test_pass_of_keys_the_rows_of_several_images_by_their_own_pass():
    config = ExperimentConfig(seeding="once")
    model = RecordingModel()
    calls, _ = run(model, config, 6, 4, pass_of=lambda i: i % 3)  # two images of 3 passes
    keys = np.concatenate([c.keys[: len(c.rows)] for c in calls])
    assert np.array_equal(keys[:3], keys[3:])


def test_new_weights_for_every_pass_are_held_before_each_call():
    model = RecordingModel(keyed=False)
    config = ExperimentConfig(model="vgg19-random", reinit_weights=True, seeding="once")
    run(model, config, 3, 1, pass_of=lambda i: i + 5)
    assert model.held == [tuple(fw.pass_seed((42,), config, i, fw.STREAM_WEIGHTS)) for i in (5, 6, 7)]


def test_a_cancel_stops_before_the_next_call():
    model = RecordingModel(keyed=False)
    seen: list = []
    with pytest.raises(RunCancelled):
        for call in fw.forward_calls(model, ExperimentConfig(), (1,), 10, 2, rows_of, cancel=lambda: len(seen) == 2):
            seen.append(call)
    assert len(model.calls) == 2


def test_the_engine_and_the_sweep_worker_share_the_loop_and_import_nothing_private():
    root = pathlib.Path(vggcompare.__file__).parent / "core"
    for path in (root / "passes" / "engine.py", root / "studies" / "sweep" / "worker.py"):
        tree = ast.parse(path.read_text())
        private = [f"{node.module}.{a.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and (node.module or "").startswith("vggcompare") for a in node.names if a.name.startswith("_")]
        assert private == [], path.name
        assert "forward_calls" in {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for a in node.names}
