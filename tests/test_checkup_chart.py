"""The checkup's ranked chart: one bar per measured cause, largest change first on a log scale, the top-1 changes in
their own colour, no bar for a change of 0, the causes that could not apply listed under it; `figure --plot checkup`
writes it from a checkup.json."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from vggcompare.cli import main
from vggcompare.core.studies.checkup import Checkup
from vggcompare.core.studies.checkup_rows import MEASURED, NOT_APPLICABLE, CauseRow

CHANGES = {"training mode": (0.6, True), "resize filter": (0.03, False), "call eager": (8e-7, False),
           "threads": (4e-9, False), "batch size": (0.0, False)}


def _checkup() -> Checkup:
    rows = [CauseRow(cause, "its setting", "Your code does this.", MEASURED, largest_change=change, top1_changed=flip,
                     top1="window screen" if flip else "brick", against_top1="brick", top5_changed=flip)
            for cause, (change, flip) in CHANGES.items()]
    rows.append(CauseRow("no BGR swap", "no-bgr-swap", "Your code…", NOT_APPLICABLE, "the model's preprocessing is not caffe"))
    return Checkup(image="/somewhere/brick.jpg", model="efficientnet-lite0", reference={"loader": "load-img"},
                   reference_top1="brick", rows=rows, environment={"cpu": "A made-up CPU"})


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[k:k + 2], 16) for k in (1, 3, 5)])


def _bar_rows(pixels: np.ndarray, colour: str) -> list[tuple[int, int]]:
    """(first row, length) of each run of image rows holding a wide stretch of ``colour`` (a bar)."""
    wide = (np.abs(pixels[:, :, :3].astype(int) - _rgb(colour)).sum(axis=2) < 30).sum(axis=1) > 20
    runs, start = [], None
    for y, on in enumerate([*wide, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append((start, y - start))
            start = None
    return runs


def _bar_length(pixels: np.ndarray, colour: str, y: int) -> int:
    """The bar's length in row ``y``: the first stretch of ``colour`` (its value's text, after it, is not counted)."""
    on = np.abs(pixels[y, :, :3].astype(int) - _rgb(colour)).sum(axis=1) < 30
    start = int(np.argmax(on))
    off = np.flatnonzero(~on[start:])
    return int(off[0]) if len(off) else len(on) - start


def test_figure_plot_checkup_draws_the_ranked_bars_from_checkup_json(tmp_path, capsys):
    from vggcompare.render.plots.checkup_chart import BAR_COLOUR, FLIP_COLOUR

    source = tmp_path / "checkup.json"
    source.write_text(json.dumps(_checkup().to_dict()))
    out = tmp_path / "chart.png"
    assert main(["figure", str(source), "--plot", "checkup", "--out", str(out)]) == 0
    assert "Saved" in capsys.readouterr().out
    pixels = np.asarray(Image.open(out).convert("RGB"))
    assert pixels.shape[1] == 1000
    flips, plain = _bar_rows(pixels, FLIP_COLOUR), _bar_rows(pixels, BAR_COLOUR)
    assert len(flips) == 1 and len(plain) == 3  # training mode; resize filter, call eager, threads; no bar for 0
    assert flips[0][0] < plain[0][0] < plain[1][0] < plain[2][0]  # ranked: largest change on top
    lengths = [_bar_length(pixels, FLIP_COLOUR, flips[0][0] + flips[0][1] // 2)]
    lengths += [_bar_length(pixels, BAR_COLOUR, y + n // 2) for y, n in plain]
    assert lengths == sorted(lengths, reverse=True)
    # on a log scale: each bar's length grows with log10 of its change, evenly (0.6, 0.03, 8e-7, 4e-9)
    logs = np.log10([0.6, 0.03, 8e-7, 4e-9])
    slope = (lengths[0] - lengths[-1]) / (logs[0] - logs[-1])
    assert np.allclose(lengths, lengths[-1] + slope * (logs - logs[-1]), atol=3)
    # the same file refused as a run's result, and a run's file refused as a checkup's, each in one sentence
    assert main(["figure", str(source), "--plot", "checkup", "--out", str(tmp_path / "chart.pdf")]) == 2
    assert "written as .png" in capsys.readouterr().err
    other = tmp_path / "not-a-checkup.json"
    other.write_text(json.dumps({"format": "vggcompare-result-1"}))
    assert main(["figure", str(other), "--plot", "checkup", "--out", str(tmp_path / "x.png")]) == 2
    assert "not a vggcompare checkup file" in capsys.readouterr().err


def test_a_checkup_json_reads_back_as_the_same_rows():
    checkup = _checkup()
    again = Checkup.from_dict(json.loads(json.dumps(checkup.to_dict())))
    assert again.rows == checkup.rows and again.headline() == checkup.headline() and again.runs == {}


@pytest.mark.gui
def test_the_chart_lists_the_causes_that_could_not_apply_under_the_bars(qtbot):
    from vggcompare.render.plots.checkup_chart import ChartRows, cause_at, chart_height

    checkup = _checkup()
    rows = ChartRows.of(checkup.rows)
    assert [r.cause for r in rows.measured] == list(CHANGES) and [r.cause for r in rows.not_applicable] == ["no BGR swap"]
    without = [r for r in checkup.rows if r.measured]
    assert chart_height(checkup.rows, 800) > chart_height(without, 800)  # the list takes room under the bars
    from PySide6.QtCore import QRectF

    rect = QRectF(0, 0, 800, chart_height(checkup.rows, 800))
    hits = [cause_at(rect, checkup.rows, y) for y in range(int(rect.height()))]
    assert [c for k, c in enumerate(hits) if c is not None and (k == 0 or hits[k - 1] != c)] == list(CHANGES)
    assert hits[-1] is None  # the not-applicable list is no bar
