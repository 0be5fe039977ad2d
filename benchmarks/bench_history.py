"""History at scale: listing a folder of 1,000 saved runs at start-up (target <= 1 s).

Makes 1,000 realistic result files in a temporary folder: N = 20 passes of 1,000 classes (about
0.4 MB of JSON each), eight 96-pixel input thumbnails, a verdict computed from the numbers, and
eight kinds of configuration (seeding, augmentation, dropout, pitfalls, models). Then, in one run:

* **cold**: ``History(folder).load()`` with no index (every file read and checked in full, the
  index built). This is the first start after an upgrade, or after the index was lost.
* **warm**: ``History(folder).load()`` with the index present, as every later start (best of 3).
* **stale**: the same after 10 files were rewritten behind the index's back (10 files read).
* **panel**: ``HistoryPanel.populate`` of the 1,000 warm entries, offscreen, until drawn.

The files were just written, so they are in the operating system's file cache for both listings;
a first start after a reboot reads the cold listing's 0.4 GB from disk as well. The RESULT line's
``list_1000_s`` is the warm listing, the start-up figure.

Run: ``.venv/bin/python benchmarks/bench_history.py [--runs 1000] [--keep]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import _common as C

CLASSES, PASSES = 1000, 20


def base_results(count: int = 8) -> list:
    """Eight kinds of run, with probabilities, thumbnails and verdicts like the engine's."""
    from vggcompare.core.analysis.records import Environment, ImageFacts, Timings
    from vggcompare.core.analysis.result import RunResult, Thumbnail
    from vggcompare.core.analysis.stats import compute_statistics
    from vggcompare.core.analysis.verdict import run_verdict
    from vggcompare.core.config import AugmentConfig, ExperimentConfig
    from vggcompare.core.input.images import encode_png, load_image, to_thumbnail

    picture = np.asarray(load_image(C.SAMPLE).image, dtype=np.float64)
    labels = [f"class {i}" for i in range(CLASSES)]
    kinds = [
        dict(seeding="off", augment=AugmentConfig(enabled=True)),
        dict(seeding="once", augment=AugmentConfig(enabled=True)),
        dict(seeding="every-pass", augment=AugmentConfig(enabled=True), dropout=0.5),
        dict(seeding="once", dropout=0.3),
        dict(seeding="once", pitfalls=("double-preprocess",)),
        dict(model="vgg19-random", seeding="once", reinit_weights=True),
        dict(seeding="off", batch_size=8, precision="bfloat16"),
        dict(seeding="once"),
    ]
    rng = np.random.default_rng(0)
    results = []
    for k in range(count):
        config = ExperimentConfig(**{"image": C.SAMPLE, "model": "vgg19", "passes": PASSES, **kinds[k % len(kinds)]})
        logits = rng.normal(0, 3, CLASSES) + rng.normal(0, 0.3 * (k % 3), (PASSES, CLASSES))
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)
        stats = compute_statistics(probs, labels)
        thumbs = [Thumbnail(i, encode_png(to_thumbnail(np.roll(picture, 9 * i, axis=1))), f"pass {i + 1}") for i in range(8)]
        aug = [{"rotation_deg": float(r)} for r in rng.uniform(-20, 20, PASSES)] if config.augment.enabled else []
        results.append(RunResult(
            config=config, labels=labels, probabilities=probs, augmentation=aug,
            environment=Environment(tensorflow="2.21.0", cpu="AMD EPYC"), timings=Timings(passes_seconds=3.4),
            image=ImageFacts(source=str(C.SAMPLE)), thumbnails=thumbs, name=f"base-{k}", created="2026-11-25T10:00:00",
            verdict=run_verdict(stats, labels, config, dropout_active=config.dropout is not None),
        ))
    return results


def make_folder(folder: Path, runs: int) -> int:
    """Write ``runs`` result files (copies of the base kinds, each with its own name and time); return bytes."""
    from vggcompare.core.storage.result_file import save_result

    texts = []
    for k, result in enumerate(base_results()):
        texts.append(save_result(result, folder / "staging" / f"base-{k}.json").read_text(encoding="utf-8"))
    shutil.rmtree(folder / "staging")
    total = 0
    for i in range(runs):
        stamp = f"2026-11-{1 + i // 40:02d}T{(i % 40) // 2:02d}:{i % 60:02d}:00"
        text = texts[i % len(texts)].replace(f'"name": "base-{i % len(texts)}"', f'"name": "run {i:04d}"', 1)
        text = text.replace('"created": "2026-11-25T10:00:00"', f'"created": "{stamp}"', 1)
        path = folder / f"{stamp.replace('-', '').replace(':', '')[:15]}-{i:08x}.json"
        path.write_text(text, encoding="utf-8")
        total += len(text)
    return total


def timed_load(folder: Path):
    """List the folder as the window does at start-up: a new History object, load()."""
    from vggcompare.core.storage.history import History

    t0 = time.perf_counter()
    entries, warnings = History(folder).load()
    return time.perf_counter() - t0, entries, warnings


def panel_seconds(entries) -> float:
    """Seconds for HistoryPanel.populate of the entries, offscreen, until the table is drawn."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from vggcompare.gui.history.panel import HistoryPanel

    app = QApplication.instance() or QApplication([])
    panel = HistoryPanel()
    panel.resize(900, 600)
    panel.show()
    app.processEvents()
    t0 = time.perf_counter()
    panel.populate(entries, [])
    panel.grab()  # paints the visible rows, thumbnails included
    seconds = time.perf_counter() - t0
    panel.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()
    print(C.machine_line())
    folder = Path(tempfile.mkdtemp(prefix="vggcompare-bench-history-"))
    try:
        t0 = time.perf_counter()
        size = make_folder(folder, args.runs)
        print(f"made {args.runs} result files ({size / 1e6:.0f} MB, N={PASSES}, {CLASSES} classes) in {time.perf_counter() - t0:.1f} s: {folder}")
        (cold, entries, warnings), others = C.measured(lambda: timed_load(folder))
        assert len(entries) == args.runs and not warnings, (len(entries), warnings)
        print(f"cold listing (no index; every file read, index built): {cold:.3f} s  (others' cores {others:.2f})")
        index_size = (folder / "index.sqlite3").stat().st_size
        warm = []
        for _ in range(3):
            (seconds, entries, _w), others = C.measured(lambda: timed_load(folder))
            assert len(entries) == args.runs
            warm.append(seconds)
            print(f"warm listing (index present, {index_size / 1e6:.1f} MB): {seconds:.3f} s  (others' cores {others:.2f})")
        for path in sorted(folder.glob("*.json"))[:: max(1, args.runs // 10)][:10]:
            path.write_text(path.read_text(encoding="utf-8").replace('"name": "run', '"name": "renamed run', 1), encoding="utf-8")
        (stale, entries, _w), others = C.measured(lambda: timed_load(folder))
        assert sum(e.name.startswith("renamed") for e in entries) == 10
        print(f"stale listing (10 files rewritten behind the index): {stale:.3f} s  (others' cores {others:.2f})")
        panel, others = C.measured(lambda: panel_seconds(entries))
        print(f"HistoryPanel.populate of {len(entries)} entries until drawn: {panel:.3f} s  (others' cores {others:.2f})")
        best = C.best(warm)
        print(f"cold / warm = {cold / best:.0f}×")
        n = args.runs
        print(f"RESULT cold_list_{n}_s={cold:.3f} stale_10_list_{n}_s={stale:.3f} panel_{n}_s={panel:.3f} list_{n}_s={best:.3f}")
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
