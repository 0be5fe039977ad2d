"""The ``preset`` and ``presets`` commands: one-click demonstrations, headless."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path


def add_preset_commands(sub, add_run_options) -> None:
    """Register ``presets`` and ``preset NAME IMAGE`` on the CLI's subparsers."""
    sub.add_parser("presets", help="list the one-click demonstrations")
    p = sub.add_parser("preset", help="run a demonstration headless and write each run's JSON")
    p.add_argument("name")
    p.add_argument("image")
    add_run_options(p)
    p.add_argument("--out-dir", required=True, help="folder for each run's JSON")
    p.add_argument("--report", help="also write a PDF report of the preset (one page)")
    p.add_argument("--appendix", action="store_true", help="add every run's detail to the report, after its first page")
    from vggcompare.cli.figure import add_report_options

    add_report_options(p)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--force", action="store_true", help="replace existing run files and report")


def cmd_presets(_args: argparse.Namespace) -> int:
    """List presets with their explanations."""
    from vggcompare.core.studies.presets.registry import PRESETS

    for preset in PRESETS.values():
        print(f"{preset.name:<11} {preset.title}\n{'':<11} {preset.explanation}")
    return 0


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def cmd_preset(args: argparse.Namespace, config) -> int:
    """Run one preset, print its table and headline, and write its runs (and report)."""
    from vggcompare.core.input.images import load_image
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.presets.registry import PRESETS
    from vggcompare.core.studies.presets.run import run_preset
    from vggcompare.core.storage.result_file import save_result

    if args.name not in PRESETS:
        from vggcompare.core.errors import ConfigError

        raise ConfigError(f"unknown preset {args.name!r}; choose one of {', '.join(PRESETS)}")
    from vggcompare.cli.options import UserError, check_output_path

    check_output_path(args.out_dir, args.force, kind="folder")
    if args.report:
        check_output_path(args.report, args.force)
    existing = sorted(Path(args.out_dir).glob(f"{args.name}-*.json")) if Path(args.out_dir).is_dir() else []
    if existing and not args.force:
        raise UserError(f"{args.out_dir} already holds {len(existing)} run file(s) of this preset; add --force to replace them")
    image = load_image(os.path.abspath(args.image))

    def show(p) -> None:
        if not args.quiet and (p.stage == "loading" or p.done == p.total):
            sys.stderr.write(p.message + "\n")

    outcome = drive(run_preset(args.name, config, image), show)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"{outcome.title}\n{outcome.explanation}\nModel: {outcome.model}\n")
    widths = [max(len(str(r[i])) for r in [outcome.columns, *outcome.rows]) for i in range(len(outcome.columns))]
    for row in [outcome.columns, *outcome.rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)))
    print(f"\n{outcome.headline}")
    for note in outcome.notes:
        print(f"Note: {note}")
    for label, result in outcome.runs.items():
        save_result(result, out_dir / f"{outcome.name}-{_slug(label)}.json")
    from vggcompare.core.atomic import atomic_write_bytes

    for name, png in outcome.pictures.items():
        atomic_write_bytes(out_dir / f"{outcome.name}-{name}", png)
        print(f"Wrote {out_dir / f'{outcome.name}-{name}'}")
    print(f"Wrote {len(outcome.runs)} run files to {out_dir}")
    if args.report:
        from vggcompare.render.report import write_preset_report

        path = write_preset_report(outcome, os.path.abspath(args.report), full_paths=args.full_paths,
                                   appendix=args.appendix, page_size=args.paper)
        print(f"Wrote {path}")
    return 0
