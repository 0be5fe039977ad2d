"""The ``reproduce`` command: re-run a result file's exact configuration here and say what differs.

A result file from elsewhere is untrusted: a custom model file it names is loaded only with
``--allow-model`` (then in Keras' safe mode). Missing ImageNet weights of a built-in model are downloaded as
``run`` does (with its progress bar; the published hash is checked), or read from ``--weights FILE``.
Exits 0 when the run happened, whatever it found; refusals are one ``error:`` line (status 2).
"""

from __future__ import annotations

import argparse
import os


def add_reproduce_command(sub) -> None:
    """Register ``reproduce RESULT.json [--out NEW.json] [--image PATH] [--weights FILE] [--allow-model]``."""
    p = sub.add_parser("reproduce", help="re-run a result file's exact configuration on this machine and compare")
    p.add_argument("result", help="a result JSON written by vggcompare here or elsewhere")
    p.add_argument("--out", help="write the new result as JSON")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--image", help="the picture, when the file's image path is not on this machine (checked by its pixel hash)")
    p.add_argument("--weights", help="a local ImageNet weights file for the result's built-in model (vgg19, resnet50, …), "
                                     "instead of the file it names or a download")
    p.add_argument("--allow-model", action="store_true",
                   help="load the custom model file the result names (in Keras' safe mode); refused without this")
    p.add_argument("--trust-model", action="store_true",
                   help="also run a model the result names that is a program (a SavedModel folder, an .h5 read by "
                        "tf-keras); a result never records this, so it is asked each time")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_reproduce(args: argparse.Namespace) -> int:
    """``vggcompare reproduce``."""
    from vggcompare.cli.options import UserError, check_output_path
    from vggcompare.cli.progress import ProgressBar
    from vggcompare.core.errors import WeightsUnavailableError
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.reproduce import reproduce
    from vggcompare.core.storage.result_file import save_result

    if args.out:
        check_output_path(args.out, args.force)
    if args.weights and not os.path.isfile(args.weights):
        raise UserError(f"the weights file {args.weights} does not exist")
    bar = ProgressBar(not args.quiet)
    gen = reproduce(args.result, image_path=args.image, allow_model=args.allow_model, allow_download=True,
                    weights=args.weights, download_progress=bar.download, trust_model=args.trust_model)
    try:
        rep = drive(gen, bar)
    except WeightsUnavailableError as exc:
        raise UserError(weights_sentence(exc)) from None
    print_reproduction(rep)
    if args.out:
        try:
            print(f"Saved {save_result(rep.new, args.out)}")
        except OSError as exc:
            raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    return 0


def weights_sentence(exc) -> str:
    """The weights error for ``reproduce``: its ways on are ``--weights`` (a ``-random`` model is another model)."""
    reason = str(exc).split("; use --model")[0].split("; pass --weights")[0].rstrip(". ")
    named = f" {exc.filename}" if exc.filename and exc.filename not in reason else ""
    return f"{reason}{named}; pass --weights FILE with a local copy (a -random model would be another model than this result's)"


def print_reproduction(rep) -> None:
    """Print the outcome: identity or largest difference, top-1/top-5 agreement, environment table, verdict."""
    from vggcompare.core.analysis.verdict import fmt

    n = rep.comparison.numbers
    labels = rep.original.labels
    print(f"Result: {rep.original.name or rep.original.config.summary()} (made {rep.original.created or 'at an unknown time'})")
    print(f"Image: {rep.image_path} (pixels match the recorded hash)" if rep.original.image.pixels_sha256
          else f"Image: {rep.image_path} (no recorded hash to check)")
    if n.bit_identical:
        print(f"Bit-identical: yes, all {rep.original.passes} passes")
    else:
        print(f"Bit-identical: no; largest difference {fmt(n.max_abs_difference)} in '{labels[n.max_difference_class]}'")
    print(f"Top-1: {'same' if n.same_top1 else 'different'} ('{labels[n.top1_a]}' there, '{labels[n.top1_b]}' here); "
          f"top-5 agreement {n.top5_overlap}/5")
    if rep.environment_rows:
        width = max(len(r[0]) for r in rep.environment_rows)
        there = max(len("in the file"), *(len(r[1]) for r in rep.environment_rows))
        print("Environment that differs:")
        print(f"  {'field':<{width}}  {'in the file':<{there}}  here")
        for field, a, b in rep.environment_rows:
            print(f"  {field:<{width}}  {a:<{there}}  {b}")
    else:
        print("Environment that differs: none of the recorded fields")
    print(f"Verdict: {rep.verdict}")
