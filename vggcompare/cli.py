"""The command line: ``vggcompare`` (the window), ``run``, ``compare``, ``screenshot``, ``preset``, ``presets``.

User errors exit with status 2 and one line ``error: ...`` on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Sequence

from vggcompare.core.config import (
    FILL_MODES,
    INTERPOLATIONS,
    PITFALLS,
    PRECISIONS,
    SEEDINGS,
    AugmentConfig,
    ExperimentConfig,
)
from vggcompare.core.errors import VggCompareError

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A problem with what the user asked for; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, status 2, no usage dump
        raise UserError(message)


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Add the experiment options shared by run, screenshot and preset."""
    p.add_argument("--model", default="vgg19", help="vgg19 (ImageNet), vgg19-random, or a .keras/.h5 file")
    p.add_argument("--weights", help="local ImageNet weights file for --model vgg19")
    p.add_argument("--labels", help="labels file for a custom model, one class name per line")
    p.add_argument("--passes", type=int, default=20, help="number of forward passes N (1 to 100000)")
    p.add_argument("--seed", type=int, default=42, help="the seed S")
    p.add_argument("--seeding", choices=SEEDINGS, default="off", help="off, once per run, or before every pass")
    p.add_argument("--augment", action="store_true", help="random augmentation (defaults: the popular answer's)")
    p.add_argument("--rotation", type=float, default=20.0, help="rotation range in degrees")
    p.add_argument("--shift", type=float, default=0.2, help="width and height shift, as a fraction of the size")
    p.add_argument("--shear", type=float, default=0.2, help="shear range in degrees")
    p.add_argument("--zoom", type=float, default=0.2, help="zoom range z: factors in [1-z, 1+z]")
    p.add_argument("--no-flip", action="store_true", help="no random horizontal flip")
    p.add_argument("--fill-mode", choices=FILL_MODES, default="nearest")
    p.add_argument("--reinit-weights", action="store_true", help="new random weights every pass (vgg19-random)")
    p.add_argument("--dropout", nargs="?", type=float, const=0.5, default=None, metavar="P",
                   help="dropout at inference (MC dropout); P defaults to 0.5")
    p.add_argument("--interpolation", choices=INTERPOLATIONS, default="nearest", help="resize filter (Keras' load_img uses nearest)")
    p.add_argument("--preprocess", choices=("auto", "caffe", "tf", "torch", "none"), default="auto")
    p.add_argument("--pitfall", action="append", choices=PITFALLS, default=[], help="reproduce a common mistake (repeatable)")
    p.add_argument("--batch-size", type=int, default=None, help="passes per forward call (default: automatic)")
    p.add_argument("--precision", choices=PRECISIONS, default="float32")
    p.add_argument("--deterministic-ops", action="store_true", help="tf.config.experimental.enable_op_determinism()")
    p.add_argument("--threads", type=int, default=None, help="TensorFlow intra-op threads")


def config_from_args(args: argparse.Namespace, image: str | None) -> ExperimentConfig:
    """Build and validate the experiment configuration from parsed options."""
    augment = AugmentConfig(
        enabled=args.augment, rotation=args.rotation, width_shift=args.shift, height_shift=args.shift,
        shear=args.shear, zoom=args.zoom, horizontal_flip=not args.no_flip, fill_mode=args.fill_mode,
    )
    return ExperimentConfig(
        image=image, model=args.model, weights=args.weights, labels=args.labels, passes=args.passes,
        seeding=args.seeding, seed=args.seed, augment=augment, reinit_weights=args.reinit_weights,
        dropout=args.dropout, interpolation=args.interpolation, preprocess=args.preprocess,
        pitfalls=tuple(args.pitfall), batch_size=args.batch_size, precision=args.precision,
        deterministic_ops=args.deterministic_ops, threads=args.threads,
    ).validate()


def load_config_file(path: str) -> ExperimentConfig:
    """Read an ExperimentConfig from a JSON file: a bare config, or a result file's 'config'."""
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the configuration file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = data["config"]
    return ExperimentConfig.from_dict(data)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(prog="vggcompare", description="Find out why a Keras model gives different outputs for the same image.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = sub.add_parser("run", help="run N passes on an image and print the statistics and verdict")
    run.add_argument("image")
    add_run_options(run)
    run.add_argument("--out", help="write the full result as JSON")
    run.add_argument("--force", action="store_true", help="replace an existing --out file")
    run.add_argument("--config", help="take every setting from this configuration JSON (the 'config' of a result); other options are ignored")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    cmp = sub.add_parser("compare", help="compare two saved results")
    cmp.add_argument("a")
    cmp.add_argument("b")
    shot = sub.add_parser("screenshot", help="run offscreen and save a PNG of the whole window")
    shot.add_argument("image")
    shot.add_argument("--out", required=True)
    shot.add_argument("--size", default="1600x1000", help="WIDTHxHEIGHT in pixels")
    shot.add_argument("--force", action="store_true", help="replace an existing --out file")
    add_run_options(shot)
    from vggcompare.cli_presets import add_preset_commands

    add_preset_commands(sub, add_run_options)
    return parser


class ProgressBar:
    """A one-line progress bar on stderr: 'pass i of N', rate and ETA."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr is not None
        self.tty = self.enabled and sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, report) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = report.stage == "passes" and report.done == report.total
        if not self.tty:  # a log file gets plain lines: the start and the end
            if report.stage == "loading" or finished:
                sys.stderr.write((report.message if not finished else f"pass {report.done} of {report.total} done") + "\n")
            return
        if report.stage == "passes" and not finished and now - self.last < 0.2:
            return
        self.last = now
        if report.stage == "loading":
            line = report.message
        else:
            width = 30
            filled = int(width * report.done / max(report.total, 1))
            eta = f", ETA {report.eta:.1f} s" if report.eta is not None and report.done < report.total else ""
            line = f"[{'#' * filled}{'.' * (width - filled)}] pass {report.done} of {report.total}{eta}"
        end = "\n" if report.stage == "passes" and report.done == report.total else ""
        sys.stderr.write("\r\033[K" + line + end)
        sys.stderr.flush()

    def download(self, done: int, total: int) -> None:
        """Show download progress of the ImageNet weights."""
        if self.tty:
            size = f" of {total / 1e6:.0f} MB" if total else ""
            sys.stderr.write(f"\r\033[KDownloading ImageNet weights: {done / 1e6:.0f} MB{size}")
            sys.stderr.flush()


def print_result(result) -> None:
    """Print the top-5, the key statistics and the verdict."""
    from vggcompare.core.environment import environment_line
    from vggcompare.core.verdict import fmt

    s = result.statistics
    print(f"Image: {result.image.get('source')}   Model: {result.environment.get('model')}")
    print(f"Settings: {result.config.summary()}")
    print("Top-5 (mean ± std over passes, min–max):")
    width = max(len(c.label) for c in s.top5)
    for rank, c in enumerate(s.top5, 1):
        print(f"  {rank}. {c.label:<{width}}  {c.mean:.6f} ± {fmt(c.std):<8}  [{c.min:.6f} – {c.max:.6f}]")
    print(
        f"Top-1 agreement {s.top1_agreement:.0%} ({s.top1_mode_count}/{s.passes}), {s.distinct_top1} distinct top-1; "
        f"largest deviation from pass 1: {fmt(s.max_abs_deviation_from_first)}; "
        f"all passes bit-identical: {'yes' if s.all_bit_identical else 'no'}"
    )
    print(f"Entropy of the mean {s.entropy_of_mean:.4f} nats; mutual information {fmt(s.mutual_information)} nats")
    t = result.timings
    print(f"Speed: {t['passes_per_second']:.2f} passes/s ({t['seconds_per_pass'] * 1000:.0f} ms per pass); "
          f"{environment_line(result.environment)}")
    print(f"Verdict: {result.verdict}")


def cmd_run(args: argparse.Namespace) -> int:
    """``vggcompare run``."""
    from vggcompare.core.engine import run_experiment
    from vggcompare.core.images import load_image
    from vggcompare.core.result import save_result

    config = config_from_args(args, os.path.abspath(args.image))
    if args.config:
        config = load_config_file(args.config).replace(image=os.path.abspath(args.image))
    if args.out:
        check_output_path(args.out, args.force)
    image = load_image(os.path.abspath(args.image))
    bar = ProgressBar(not args.quiet)
    result = run_experiment(config, image, progress=bar, download_progress=bar.download)
    print_result(result)
    if args.out:
        try:
            path = save_result(result, args.out)
        except OSError as exc:
            raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"Saved {path}")
    return 0


def check_output_path(path: str, force: bool, kind: str = "file") -> None:
    """Refuse, before any work, an output path that exists (unless forced) or cannot be written."""
    import tempfile

    target = os.path.abspath(path)
    if kind == "file" and os.path.isdir(target):
        raise UserError(f"{path} is a folder; give a file name")
    if kind == "file" and os.path.exists(target) and not force:
        raise UserError(f"{path} already exists; add --force to replace it")
    folder = target if kind == "folder" else os.path.dirname(target)
    try:  # the only sure test, even for root: make the folder and a scratch file in it
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise UserError(f"cannot write to {folder}") from None


def cmd_compare(args: argparse.Namespace) -> int:
    """``vggcompare compare A.json B.json``."""
    from vggcompare.core.compare import compare_results
    from vggcompare.core.result import load_result
    from vggcompare.core.verdict import fmt

    a, b = load_result(args.a), load_result(args.b)
    try:
        cmp = compare_results(a, b)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    n = cmp.numbers
    print(f"A: {args.a}  ({a.config.summary()})")
    print(f"B: {args.b}  ({b.config.summary()})")
    where = "" if n.bit_identical else f" in '{a.labels[n.max_difference_class]}'"
    print(f"Bit-identical: {'yes' if n.bit_identical else 'no'}; largest absolute difference {fmt(n.max_abs_difference)}"
          f"{where}; top-1 {'same' if n.same_top1 else 'different'}; top-5 overlap {n.top5_overlap}/5")
    if n.config_differences:
        print(f"Settings that differ: {', '.join(n.config_differences)}")
    print(f"Verdict: {cmp.verdict}")
    return 0


def parse_size(text: str) -> tuple[int, int]:
    """Parse '1600x1000' into (1600, 1000)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UserError(f"--size must look like 1600x1000, not {text!r}") from None
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise UserError("--size must be between 320x240 and 8000x8000")
    return w, h


def cmd_screenshot(args: argparse.Namespace) -> int:
    """``vggcompare screenshot``."""
    size = parse_size(args.size)
    config = config_from_args(args, os.path.abspath(args.image))
    from vggcompare.core.images import load_image

    load_image(os.path.abspath(args.image))  # a bad image is a one-line error before Qt starts
    check_output_path(args.out, args.force)
    from vggcompare.gui.screenshot import take_screenshot

    path = take_screenshot(config, args.out, size)
    print(f"Saved {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vggcompare`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _quiet_tensorflow()
    if not argv:
        from vggcompare.gui.app import main as gui_main

        return gui_main([])
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UserError("choose a command: run, compare, screenshot, preset or presets (see --help)")
        if args.command in ("preset", "presets"):
            from vggcompare.cli_presets import cmd_preset, cmd_presets

            if args.command == "presets":
                return cmd_presets(args)
            return cmd_preset(args, config_from_args(args, os.path.abspath(args.image)))
        handler = {"run": cmd_run, "compare": cmd_compare, "screenshot": cmd_screenshot}[args.command]
        return handler(args)
    except (UserError, VggCompareError) as exc:
        prefix = "\r\033[K" if sys.stderr.isatty() else ""
        sys.stderr.write(f"{prefix}error: {_one_line(exc)}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("\nerror: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug or an unforeseen failure: still one line, no traceback
        if os.environ.get("VGGCOMPARE_DEBUG"):
            raise
        sys.stderr.write(f"error: unexpected failure ({type(exc).__name__}: {_one_line(exc)}); "
                         "set VGGCOMPARE_DEBUG=1 to see the traceback\n")
        return 1


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).rstrip(".")
    if isinstance(exc, VggCompareError) and type(exc).__name__ == "WeightsUnavailableError":
        text += "; pass --weights FILE with a local copy, or use --model vgg19-random"
    return text

