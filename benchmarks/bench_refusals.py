"""How soon the program says it cannot go on: missing ImageNet weights with no network, a Ray address nothing answers at.

1. ``weights_offline_s``: ``download_weights`` into a throw-away folder with this machine's real name lookup, and
   once more with the lookup failing at once (as on a machine with no network at all), until it raises its
   one-sentence error (goal <= 2 s each). On a machine that can reach the host, the download is cancelled at
   its first block, and the figure is how soon it started.
2. ``ray_unreachable_s``: ``vggcompare sweep --engine ray --address 127.0.0.1:PORT`` (a port nothing listens at)
   as a fresh process, from start to its one ``error:`` line (goal <= 10 s; Ray alone waited for minutes).

Every repeat is printed; a goal is met only if every repeat meets it.

Run: ``.venv/bin/python benchmarks/bench_refusals.py [--repeats 3]`` (needs the ray extra for 2)
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as C

GOALS = {"weights_offline_s": 2.0, "weights_no_lookup_s": 2.0, "ray_unreachable_s": 10.0}


def weights_refusal(fail_lookup: bool) -> tuple[float, str]:
    from vggcompare.core.errors import RunCancelled, WeightsUnavailableError
    from vggcompare.core.model import weights

    real = socket.getaddrinfo
    if fail_lookup:
        socket.getaddrinfo = lambda *a, **k: (_ for _ in ()).throw(socket.gaierror(-2, "Name or service not known"))
    try:
        with tempfile.TemporaryDirectory() as tmp, C.Stopwatch() as sw:
            try:
                weights.download_weights(target=Path(tmp) / "w.h5", cancel=lambda: True)
                outcome = "downloaded (unexpected)"
            except WeightsUnavailableError as exc:
                outcome = f"error: {exc}"
            except RunCancelled:
                outcome = "online: the download started and was cancelled at its first block"
    finally:
        socket.getaddrinfo = real
    return sw.seconds, outcome


def ray_refusal() -> tuple[float, str]:
    from vggcompare.core.resources import sweep_samples_folder

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp, C.Stopwatch() as sw:
        proc = subprocess.run([sys.executable, "-m", "vggcompare", "sweep", str(sweep_samples_folder()), "--out-dir", tmp,
                               "--engine", "ray", "--address", f"127.0.0.1:{port}", "--model", "vgg19-random",
                               "--passes", "2", "--preset", "pitfalls", "--quiet"], capture_output=True, text=True)
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    return sw.seconds, f"exit {proc.returncode}: {lines[-1] if lines else '(nothing on stderr)'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-ray", action="store_true", help="leave out the Ray refusal")
    args = parser.parse_args()
    print(f"machine: {C.machine_line()}")
    seen: dict[str, list[float]] = {name: [] for name in GOALS if not (args.no_ray and name.startswith("ray"))}
    for r in range(args.repeats):
        C.wait_for_quiet(max_wait=10.0)
        measured = {"weights_offline_s": weights_refusal(False), "weights_no_lookup_s": weights_refusal(True)}
        if "ray_unreachable_s" in seen:
            measured["ray_unreachable_s"] = ray_refusal()
        for name, (seconds, outcome) in measured.items():
            seen[name].append(seconds)
            print(f"repeat {r + 1}: {name} {seconds:.3f} s — {outcome[:160]}")
        print("RESULT repeat=%d %s" % (r + 1, " ".join(f"{k}={v[0]:.3f}" for k, v in measured.items())))
    verdicts = " ".join(f"{k}_worst={max(v):.3f} {k}_met={'yes' if max(v) <= GOALS[k] else 'no'}" for k, v in seen.items())
    print(f"RESULT {verdicts}")


if __name__ == "__main__":
    main()
