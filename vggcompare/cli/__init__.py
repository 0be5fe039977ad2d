"""The command line: ``vggcompare`` (the window), ``run``, ``compare``, ``screenshot``, ``checkup``, ``preset``, ``presets``,
``figure``, ``report``, ``sweep``, ``sweep-report``, ``reproduce`` and ``models``; ``vggcompare --present`` opens the
window in presenter mode.

User errors exit with status 2 and one line ``error: ...`` on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from vggcompare.cli.options import UserError, _Parser, add_run_options, config_from_args
from vggcompare.core.errors import VggCompareError

EXIT_USER_ERROR = 2



def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(prog="vggcompare", description="Find out why a Keras model gives different outputs for the same image.")
    parser.add_argument("--present", action="store_true", help="open the window in presenter mode (full screen, large type)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = sub.add_parser("run", help="run N passes on an image and print the statistics and verdict")
    run.add_argument("image")
    add_run_options(run)
    run.add_argument("--out", help="write the full result as JSON")
    run.add_argument("--force", action="store_true", help="replace an existing --out file")
    run.add_argument("--config", help="take every setting from this configuration JSON (the 'config' of a result); other options are ignored")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--layers", action="store_true",
                     help="also run one instrumented pass and store every layer's fingerprint in --out (for compare --layers "
                          "across machines)")
    run.add_argument("--layers-arrays", metavar="FILE.npz", help="with --layers: also write every layer's activations (NumPy .npz)")
    opened = sub.add_parser("open", help="open the window on a saved result (the Python API's show() uses this)")
    opened.add_argument("result")
    cmp = sub.add_parser("compare", help="compare two saved results")
    cmp.add_argument("a")
    cmp.add_argument("b")
    cmp.add_argument("--layers", action="store_true",
                     help="layer by layer: where the difference enters (files made here are re-run with instrumentation, "
                          "each in its recorded setting; files from another machine need run --layers fingerprints)")
    cmp.add_argument("--image", help="with --layers: the picture, when the files' path is not on this machine")
    cmp.add_argument("--allow-model", action="store_true", help="with --layers: load a model file a result names (safe mode)")
    cmp.add_argument("--csv", help="with --layers: write the per-layer table as CSV")
    cmp.add_argument("--force", action="store_true", help="replace an existing --csv file")
    shot = sub.add_parser("screenshot", help="run offscreen and save a PNG of the whole window")
    shot.add_argument("image")
    shot.add_argument("--out", required=True)
    shot.add_argument("--size", default="1600x1000", help="WIDTHxHEIGHT in pixels")
    shot.add_argument("--force", action="store_true", help="replace an existing --out file")
    shot.add_argument("--present", nargs="?", const="result", metavar="STEP",
                      help="save presenter mode instead: the run ('result', the default) or a demonstration's question (its name)")
    add_run_options(shot)
    from vggcompare.cli.presets import add_preset_commands

    add_preset_commands(sub, add_run_options)
    from vggcompare.cli.reproduce import add_reproduce_command

    add_reproduce_command(sub)
    from vggcompare.cli.figure import add_figure_commands

    add_figure_commands(sub)
    from vggcompare.cli.sweep import add_sweep_commands

    add_sweep_commands(sub, add_run_options)
    from vggcompare.cli.checkup import add_checkup_command

    add_checkup_command(sub, add_run_options)
    from vggcompare.cli.models import add_models_command

    add_models_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vggcompare`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _quiet_tensorflow()
    from vggcompare.core.process.parent_watch import watch_parent

    watch_parent()  # a new-process run ends with the process that started it
    if not argv:
        from vggcompare.cli.window import open_window

        return open_window()
    try:
        args = build_parser().parse_args(argv)
        if args.command is None and args.present:
            from vggcompare.cli.window import open_window

            return open_window(present=True)
        if args.command is None:
            raise UserError("choose a command: run, compare, screenshot, checkup, preset, presets, figure, report, sweep, sweep-report, reproduce or models (see --help)")
        if args.command in ("preset", "presets"):
            from vggcompare.cli.presets import cmd_preset, cmd_presets

            if args.command == "presets":
                return cmd_presets(args)
            return cmd_preset(args, config_from_args(args, os.path.abspath(args.image)))
        if args.command == "open":
            if not os.path.isfile(args.result):
                raise UserError(f"{args.result} does not exist")
            from vggcompare.cli.window import open_window

            return open_window(open_result=os.path.abspath(args.result))
        if args.command == "checkup":
            from vggcompare.cli.checkup import cmd_checkup

            return cmd_checkup(args, config_from_args(args, os.path.abspath(args.image)))
        if args.command == "models":
            from vggcompare.cli.models import cmd_models

            return cmd_models(args)
        if args.command == "reproduce":
            from vggcompare.cli.reproduce import cmd_reproduce

            return cmd_reproduce(args)
        if args.command in ("figure", "report"):
            from vggcompare.cli.figure import cmd_figure, cmd_report

            return cmd_figure(args) if args.command == "figure" else cmd_report(args)
        if args.command in ("sweep", "sweep-report"):
            from vggcompare.cli import rendered
            from vggcompare.cli.sweep import cmd_sweep, cmd_sweep_report

            if args.command == "sweep-report":
                return cmd_sweep_report(args, rendered)
            return cmd_sweep(args, config_from_args(args, None), rendered)
        if args.command == "screenshot":
            from vggcompare.cli.screenshot import cmd_screenshot

            return cmd_screenshot(args)
        from vggcompare.cli.commands import cmd_compare, cmd_run

        return {"run": cmd_run, "compare": cmd_compare}[args.command](args)
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
    if isinstance(exc, VggCompareError) and type(exc).__name__ == "WeightsUnavailableError" and "-random" not in text:
        text += "; pass --weights FILE with a local copy, or use --model vgg19-random"
    return text
