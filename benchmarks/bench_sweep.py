"""Sweep against the engine, and the Ray engine against the local one.

Setup: 16 images (the 15 bundled sweep photos and the cat sample) × 2 variants (the reference and the
pitfall rescale-after-preprocess) × 4 passes = 128 passes of VGG19 with random weights, augmentation on,
seeding once.

(a) sweep_vs_engine: the wall time of a whole local sweep (``run_sweep`` to the end: finding the images,
    reading and resizing them, augmentation, 8 calls of 16 passes, the numbers of every row, SQLite commits,
    rows.csv and summary.json) on a warm model, against the wall time of ``run_experiment`` for the same
    128 passes of one image on the same warm model (the engine: 8 calls of 16). Both in this process,
    interleaved, best of the repeats. Target <= 1.15.
(b) ray_vs_local: ``vggcompare sweep ... --engine ray`` against ``vggcompare sweep ...`` (local), each a
    fresh process from start to exit, so each pays its TensorFlow start and its model build; Ray also
    starts a local instance and one actor with this machine's cores. Interleaved, best of the repeats.
    Target <= 1.5. The two tables are also compared row by row (bit-identical probabilities expected).

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--repeats 2]`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as C

VARIANTS = {"reference": {"name": "reference", "changes": {}},
            "variants": [{"name": "rescale after preprocess", "changes": {"pitfalls": ["rescale-after-preprocess"]}}]}
PASSES = 4


def _folder(tmp: Path) -> Path:
    from vggcompare.core.resources import sweep_samples_folder

    folder = tmp / "photos"
    shutil.copytree(sweep_samples_folder(), folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    shutil.copy(C.ROOT / "resources" / "samples" / "cat.png", folder / "cat-sample.png")
    return folder


def _cli(folder: Path, out: Path, variants: Path, engine: str) -> float:
    cmd = [sys.executable, "-m", "vggcompare", "sweep", str(folder), "--variants", str(variants), "--model", "vgg19-random",
           "--passes", str(PASSES), "--seeding", "once", "--augment", "--out-dir", str(out), "--engine", engine, "--quiet"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=C.ROOT)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{engine} sweep failed: {proc.stderr[-1500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    os.environ.setdefault("VGGCOMPARE_DATA_DIR", str(tmp / "data"))
    folder = _folder(tmp)
    variants_file = tmp / "variants.json"
    variants_file.write_text(json.dumps(VARIANTS))
    C.start_tensorflow()
    from vggcompare.core.job_driver import drive
    from vggcompare.core.passes.engine import run_experiment
    from vggcompare.core.studies.sweep.run import run_sweep
    from vggcompare.core.studies.sweep.plan import variants_from_changes
    from vggcompare.core.storage.sweep_table import SweepTable

    cfg = C.base_config(passes=PASSES, image=None)
    variants = variants_from_changes(cfg, VARIANTS)
    total = 16 * len(variants) * PASSES
    engine_cfg = C.base_config(passes=total)
    print(f"machine: {C.machine_line()}")
    print(f"setup: 16 images × {len(variants)} variants × {PASSES} passes = {total} passes, VGG19 random weights, "
          f"augmentation on, seeding once; best of {args.repeats}")
    t = time.perf_counter()
    drive(run_sweep(str(folder), str(tmp / "warm"), cfg, variants=variants))
    run_experiment(engine_cfg)
    print(f"warm-up (build VGG19, trace the calls): {time.perf_counter() - t:.1f} s")

    sweeps, engines = [], []
    for k in range(args.repeats):
        ((s, s_cpu), others_s) = C.measured(lambda: _timed(lambda: drive(run_sweep(str(folder), str(tmp / f"s{k}"), cfg, variants=variants))))
        ((e, e_cpu), others_e) = C.measured(lambda: _timed(lambda: run_experiment(engine_cfg)))
        sweeps.append((s, s_cpu))
        engines.append((e, e_cpu))
        print(f"repeat {k + 1}: sweep {s:.2f} s@{others_s:.2f} (CPU {s_cpu:.1f} s), "
              f"engine {e:.2f} s@{others_e:.2f} (CPU {e_cpu:.1f} s) (seconds@others' cores)")
    sweep_vs_engine = C.best(s for s, _ in sweeps) / C.best(e for e, _ in engines)
    cpu_ratio = C.best(c for _, c in sweeps) / C.best(c for _, c in engines)
    print(f"sweep {C.best(s for s, _ in sweeps):.2f} s vs engine {C.best(e for e, _ in engines):.2f} s for {total} passes: "
          f"sweep_vs_engine {sweep_vs_engine:.3f} (CPU time ratio {cpu_ratio:.3f})")

    locals_, rays = [], []
    for k in range(args.repeats):
        (lo, others_l) = C.measured(lambda: _cli(folder, tmp / f"cli-local-{k}", variants_file, "local"))
        (ra, others_r) = C.measured(lambda: _cli(folder, tmp / f"cli-ray-{k}", variants_file, "ray"))
        locals_.append(lo)
        rays.append(ra)
        print(f"repeat {k + 1}: local CLI {lo:.2f} s@{others_l:.2f}, ray CLI {ra:.2f} s@{others_r:.2f}")
    with SweepTable(tmp / "cli-local-0") as a, SweepTable(tmp / "cli-ray-0") as b:
        identical = a.rows() == b.rows()
    ray_vs_local = C.best(rays) / C.best(locals_)
    print(f"ray {C.best(rays):.2f} s vs local {C.best(locals_):.2f} s (fresh processes): ray_vs_local {ray_vs_local:.3f}; "
          f"tables identical: {'yes' if identical else 'NO'}")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"RESULT sweep_vs_engine={sweep_vs_engine:.3f} sweep_vs_engine_cpu={cpu_ratio:.3f} ray_vs_local={ray_vs_local:.3f} ray_table_identical={identical}")


def _timed(fn) -> tuple[float, float]:
    """Wall seconds, and this process's CPU seconds (less inflated than wall time when others load the cores)."""
    cpu = os.times()
    with C.Stopwatch() as watch:
        fn()
    after = os.times()
    return watch.seconds, (after.user + after.system) - (cpu.user + cpu.system)


if __name__ == "__main__":
    main()
