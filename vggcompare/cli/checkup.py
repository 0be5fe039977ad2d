"""The ``checkup`` command: every cause against the user's pipeline on one image, ranked; each row on standard error
as it is measured, then the ranked table on the terminal, ``checkup.json`` (its format:
:mod:`vggcompare.core.studies.checkup`) and (with ``--report``) a one-page PDF."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path


def add_checkup_command(sub, add_run_options) -> None:
    """Register ``checkup IMAGE`` on the CLI's subparsers."""
    p = sub.add_parser("checkup", help="try every cause on one image against your pipeline and rank them")
    p.add_argument("image")
    add_run_options(p)
    p.add_argument("--out-dir", default="checkup-out", help="folder for checkup.json (default: checkup-out)")
    p.add_argument("--report", help="also write a one-page PDF of the checkup")
    p.add_argument("--in-process-only", action="store_true",
                   help="leave out the kernel library and the thread count, which each need a new Python process "
                        "(it imports TensorFlow and builds the model again)")
    p.add_argument("--no-layers", action="store_true",
                   help="leave out the layer comparison (one instrumented pass per cause, for where each difference enters)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--force", action="store_true", help="replace an existing checkup.json and report")


def print_table(checkup, out=None) -> None:
    """The ranked table, then one sentence per cause on what the user's code would do to hit it."""
    out = out or sys.stdout
    columns, rows = checkup.table(sentences=False)
    if any(r.enters_at for r in checkup.rows):
        columns = [*columns, "enters at (relative L2: there → output)"]
        rows = [[*row, r.enters_at or "—"] for row, r in zip(rows, checkup.rows)]
    rows = [row for row, r in zip(rows, checkup.rows) if r.status == "measured"]
    widths = [max(len(str(r[i])) for r in [columns, *rows]) for i in range(len(columns))]
    for row in [columns, *rows]:
        out.write("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
    missing = [(k, r) for k, r in enumerate(checkup.rows, 1) if r.status != "measured"]
    if missing:
        out.write("\nNot applicable:\n")
        for k, r in missing:
            out.write(textwrap.fill(f"{k:>2}. {r.cause}: {r.reason}", 110, subsequent_indent="    ") + "\n")
    notes = [(k, r) for k, r in enumerate(checkup.rows, 1) if r.note]
    if notes:
        out.write("\nNotes:\n")
        for k, r in notes:
            out.write(textwrap.fill(f"{k:>2}. {r.cause}: {r.note}", 110, subsequent_indent="    ") + "\n")
    if any(r.enters_at for r in checkup.rows):
        from vggcompare.core.analysis.layers import ROUNDOFF_FACTOR

        out.write(f"\n'Enters at': the first layer whose relative L2 difference exceeds float32 round-off for its size "
                  f"({ROUNDOFF_FACTOR:g}·sqrt(elements)·2^-23); checkup.json holds every layer's numbers.\n")
    out.write("\nWhat your code would do to hit each cause:\n")
    for k, r in enumerate(checkup.rows, 1):
        out.write(textwrap.fill(f"{k:>2}. {r.cause}: {r.sentence}", 110, subsequent_indent="    ") + "\n")


def cmd_checkup(args: argparse.Namespace, config) -> int:
    """Run the checkup, print its table and headline, write checkup.json (atomically) and the report."""
    from vggcompare.cli.options import UserError, check_output_path
    from vggcompare.core.atomic import atomic_write_text
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.checkup import run_checkup
    from vggcompare.core.studies.checkup_rows import row_line

    check_output_path(args.out_dir, args.force, kind="folder")
    target = Path(args.out_dir) / "checkup.json"
    if target.exists() and not args.force:
        raise UserError(f"{target} already exists; add --force to replace it")
    if args.report:
        check_output_path(args.report, args.force)
    def show(p) -> None:
        if args.quiet:
            return
        if p.stage == "loading":
            sys.stderr.write(p.message + "\n")
        elif p.row is not None:  # each row as soon as it is measured; the ranked table follows at the end
            sys.stderr.write(f"{p.done:>2}/{p.total} {row_line(p.row)}\n")

    checkup = drive(run_checkup(config, new_processes=not args.in_process_only, layers=not args.no_layers),
                    show)  # config.image: the absolute path
    print(f"Checkup of {checkup.image}\nModel: {checkup.model}; reference top-1: {checkup.reference_top1}\n")
    print_table(checkup)
    print(f"\n{checkup.headline()}\n{checkup.passes_run} passes in {checkup.seconds:.1f} s.")
    atomic_write_text(target, json.dumps(checkup.to_dict(), indent=1, ensure_ascii=False))
    print(f"Wrote {target}")
    if args.report:
        from vggcompare.render.report.checkup_page import write_checkup_report

        path = write_checkup_report(checkup, os.path.abspath(args.report))
        print(f"Wrote {path}")
    return 0
