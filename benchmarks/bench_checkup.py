"""The checkup against the same number of passes through the engine.

Setup: ``efficientnet-lite0`` (real ImageNet weights, built in) on ``resources/sweep/cat.jpg`` (a JPEG, so every
cause applies), one pass per cause, as ``vggcompare checkup`` runs it.

Each repeat is two fresh processes, alternating. Each first imports TensorFlow and prepares the model with one
1-pass run (untimed: both sides start from a built model with its batch-1 call traced, as a checkup in a window
whose model is ready does). Then:

(a) checkup: ``run_checkup(new_processes=False)`` to the end (the reference and every applicable in-process cause;
    each call path, batch shape and precision is traced the first time it is used, as in the user's own code). It
    also runs a second checkup in the same process, with every call already traced (``checkup_again``), and prints
    the slowest causes.
(c) checkup with new processes: ``run_checkup`` as ``vggcompare checkup`` runs it, with the kernel library and the
    thread count each in a new Python process (started first, running beside the in-process causes).
(b) engine: ``run_experiment`` of the same number of passes (the checkup's ``passes_run``) of the same image,
    the engine's default chunking (16 per call; one new trace).

``checkup_vs_passes`` = best in-process checkup / best engine run. Target <= 3 (no model is rebuilt per cause,
but the two new-process causes must build it again). ``checkup_with_new_processes_vs_passes`` = best (c) / (b).

Run: ``.venv/bin/python benchmarks/bench_checkup.py [--repeats 2]`` (about 2 minutes per repeat on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import _common as C

IMAGE = str(C.ROOT / "resources" / "sweep" / "cat.jpg")


def _config(passes: int = 1):
    from vggcompare.core.config import ExperimentConfig

    return ExperimentConfig(image=IMAGE, model="efficientnet-lite0", passes=passes, seeding="once", seed=42)


def child(mode: str, passes: int) -> None:
    """One timed side in this (fresh) process; prints one JSON line."""
    C.start_tensorflow()
    from vggcompare.core.input.images import load_image
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.checkup import run_checkup
    from vggcompare.core.passes.engine import run_experiment

    image = load_image(IMAGE)
    run_experiment(_config(1), image)  # the model built and its batch-1 call traced, untimed
    out = {"mode": mode}
    if mode.startswith("checkup"):
        new = mode == "checkup-new"
        with C.Stopwatch() as sw:
            checkup = drive(run_checkup(_config(1), image, new_processes=new))
        out |= {"seconds": sw.seconds, "passes": checkup.passes_run,
                "slowest": sorted(((r.seconds, r.cause) for r in checkup.rows), reverse=True)[:6]}
        if not new:
            with C.Stopwatch() as again:
                drive(run_checkup(_config(1), image, new_processes=False))
            out["again"] = again.seconds
    else:
        with C.Stopwatch() as sw:
            result = run_experiment(_config(passes), image)
        out |= {"seconds": sw.seconds, "passes": passes, "passes_seconds": result.timings.passes_seconds}
    print("CHILD " + json.dumps(out))


def _spawn(mode: str, passes: int) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--passes", str(passes)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=C.ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("CHILD ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"the {mode} process failed: {proc.stderr[-1500:]}")
    return json.loads(lines[-1][6:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", choices=["checkup", "checkup-new", "engine"])
    parser.add_argument("--passes", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.passes)
        return
    print(f"machine: {C.machine_line()}")
    print(f"setup: efficientnet-lite0 on {IMAGE}, one pass per cause; fresh processes, alternating; {args.repeats} repeats")
    checkups, engines, again, full, full_engines = [], [], [], [], []
    for k in range(args.repeats):
        (c, others_c) = C.measured(lambda: _spawn("checkup", 0))
        (e, others_e) = C.measured(lambda: _spawn("engine", c["passes"]))
        (n, others_n) = C.measured(lambda: _spawn("checkup-new", 0))
        (ne, _) = C.measured(lambda: _spawn("engine", n["passes"]))
        checkups.append(c["seconds"])
        engines.append(e["seconds"])
        again.append(c["again"])
        full.append(n["seconds"])
        full_engines.append(ne["seconds"])
        print(f"repeat {k + 1}: checkup {c['seconds']:.2f} s@{others_c:.2f} ({c['passes']} passes; again, every call traced: "
              f"{c['again']:.2f} s), engine {e['seconds']:.2f} s@{others_e:.2f} for {e['passes']} passes "
              f"(passes {e['passes_seconds']:.2f} s) (seconds@others' cores); ratio {c['seconds'] / e['seconds']:.2f}")
        print("  slowest causes: " + ", ".join(f"{name} {s:.2f} s" for s, name in c["slowest"]))
        print(f"  with the two new-process causes: {n['seconds']:.2f} s@{others_n:.2f} ({n['passes']} passes), engine "
              f"{ne['seconds']:.2f} s for them; ratio {n['seconds'] / ne['seconds']:.2f}; slowest: "
              + ", ".join(f"{name} {s:.2f} s" for s, name in n["slowest"][:3]))
    ratio = C.best(checkups) / C.best(engines)
    warm = C.best(again) / C.best(engines)
    print(f"checkup {C.best(checkups):.2f} s vs engine {C.best(engines):.2f} s: checkup_vs_passes {ratio:.2f} "
          f"(every repeat: {C.fmt_list([a / b for a, b in zip(checkups, engines)], 2)}); the checkup again in the same "
          f"process: {warm:.2f}")
    with_new = C.best(full) / C.best(full_engines)
    print(f"with the kernel library and threads in new processes: checkup_with_new_processes_vs_passes {with_new:.2f} "
          f"(every repeat: {C.fmt_list([a / b for a, b in zip(full, full_engines)], 2)})")
    print(f"RESULT checkup_vs_passes={ratio:.3f} checkup_again_vs_passes={warm:.3f} "
          f"checkup_with_new_processes_vs_passes={with_new:.3f}")


if __name__ == "__main__":
    main()
