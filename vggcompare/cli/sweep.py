"""The ``sweep`` and ``sweep-report`` commands: many images × a preset's variants, locally or on Ray.

Text only: the PDF report and chart are drawn by ``rendered``, the module the dispatcher passes in.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from vggcompare.cli.options import UserError, check_output_path


def add_sweep_commands(sub, add_run_options) -> None:
    """Register ``sweep FOLDER`` and ``sweep-report DIR`` on the CLI's subparsers."""
    p = sub.add_parser("sweep", help="run a preset's variants on every image of a folder (resumable)")
    p.add_argument("folder", help="a folder of images (searched recursively) or a text file listing images")
    p.add_argument("--preset", help="the demonstration whose variants to compare (see `vggcompare presets`)")
    p.add_argument("--variants", help="a JSON file of variants instead of a preset (see the README)")
    add_run_options(p)
    p.add_argument("--out-dir", required=True, help="folder for sweep.sqlite, rows.csv and summary.json")
    p.add_argument("--engine", choices=("local", "ray"), default="local", help="run here, or on Ray (pip install 'vggcompare[ray]')")
    p.add_argument("--address", help="join this Ray cluster (default: start a local Ray instance)")
    p.add_argument("--cpus-per-actor", type=int, default=None, help="Ray: CPUs per actor (default: this machine's cores)")
    p.add_argument("--gpus-per-actor", type=float, default=0, help="Ray: GPUs per actor")
    p.add_argument("--report", help="also write the PDF report")
    p.add_argument("--force", action="store_true", help="discard the sweep already in --out-dir and start again")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    r = sub.add_parser("sweep-report", help="rebuild a sweep's summary, rows.csv and PDF report from its table")
    r.add_argument("dir")
    r.add_argument("--report", help="the PDF to write (default: DIR/report.pdf)")
    r.add_argument("--chart", help="also draw the flip-rate chart to this PNG")
    r.add_argument("--markdown", action="store_true",
                   help="print the table as Markdown (needs no Qt); the PDF is then written only with --report")
    r.add_argument("--force", action="store_true", help="replace an existing report or chart")


def print_summary(summary: dict, markdown: bool = False) -> None:
    """Print the per-variant table and the headline."""
    from vggcompare.core.analysis.sweep_text import summary_text

    print(summary_text(summary, markdown))


def _variants(args: argparse.Namespace, config):
    from vggcompare.core.studies.sweep.plan import variants_from_changes

    if bool(args.preset) == bool(args.variants):
        raise UserError("give either --preset NAME or --variants FILE.json")
    if not args.variants:
        return None
    try:
        spec = json.loads(Path(args.variants).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the variants file {args.variants}: {getattr(exc, 'strerror', None) or exc}") from None
    return variants_from_changes(config, spec)


def cmd_sweep(args: argparse.Namespace, config, rendered) -> int:
    """Run or resume a sweep, print its table, and write its outputs (and, with ``rendered``'s writer, the report)."""
    from vggcompare.cli.progress import ProgressBar
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.sweep.run import run_sweep
    from vggcompare.core.storage.sweep_files import ROWS_FILE, SUMMARY_FILE
    from vggcompare.core.storage.sweep_table import TABLE_FILE, SweepTable

    variants = _variants(args, config)
    check_output_path(args.out_dir, True, kind="folder")
    out = Path(args.out_dir)
    if args.force:
        for name in (TABLE_FILE, ROWS_FILE, SUMMARY_FILE):
            (out / name).unlink(missing_ok=True)
    report = os.path.abspath(args.report) if args.report else None
    if report:
        with SweepTable(out) as table:
            ours = table.get("report") == report
        check_output_path(report, args.force or ours)
    bar = ProgressBar(not args.quiet)
    gen = run_sweep(args.folder, str(out), config, preset=args.preset, variants=variants, engine=args.engine,
                    address=args.address, cpus_per_actor=args.cpus_per_actor, gpus_per_actor=args.gpus_per_actor)
    shown = None

    def show(update) -> None:
        nonlocal shown
        if (update.stage, update.done, update.total) != shown:  # a group's commit repeats the count: show it once
            shown = (update.stage, update.done, update.total)
            bar(update)

    outcome = drive(gen, show)
    for note in outcome.notes:
        print(f"Note: {note}")
    print_summary(outcome.summary)
    print(f"\nRan {outcome.passes_run} passes in {outcome.seconds:.1f} s ({args.engine}). "
          f"Wrote {out / TABLE_FILE}, {out / ROWS_FILE} and {out / SUMMARY_FILE}")
    if report:
        print(f"Wrote {rendered.write_sweep_report(out, report)}")
        with SweepTable(out) as table:
            table.put("report", report)
    return 0


def cmd_sweep_report(args: argparse.Namespace, rendered) -> int:
    """Rebuild summary.json and rows.csv from the table, print the table, write the PDF (and chart) with ``rendered``.

    With ``--markdown`` the PDF is written only when ``--report`` names it, so the table alone needs no Qt.
    """
    from vggcompare.core.storage.sweep_files import write_outputs
    from vggcompare.core.storage.sweep_table import SweepTable

    out = Path(args.dir)
    with SweepTable(out, create=False) as table:
        summary = write_outputs(out, table)
        recorded = table.get("report")
    report = os.path.abspath(args.report or out / "report.pdf")
    check_output_path(report, args.force or report == recorded or not args.report)
    if args.chart:
        check_output_path(args.chart, args.force)
    print_summary(summary, args.markdown)
    said = sys.stderr if args.markdown else sys.stdout
    if args.report or not args.markdown:
        print(f"Wrote {rendered.write_sweep_report(out, report)}", file=said)
    if args.chart:
        print(f"Wrote {rendered.write_sweep_chart(summary, args.chart)}", file=said)
    return 0
