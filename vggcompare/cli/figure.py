"""The ``figure`` and ``report`` commands: one plot, or a one-page PDF, from saved result files.

Both draw with Qt offscreen, so they work without a screen. Shared files name the image by its
file name; ``--full-paths`` shows whole paths.
"""

from __future__ import annotations

import argparse

PAPER_CHOICES = ("auto", "a4", "letter")


def add_figure_commands(sub) -> None:
    """Register ``figure RESULT.json`` and ``report RESULT.json`` on the CLI's subparsers."""
    from vggcompare.render.figures import PLOTS  # no Qt: the Qt modules load inside the commands

    fig = sub.add_parser("figure", help="write one plot of a saved result as SVG, PDF or PNG")
    fig.add_argument("result", help="a result JSON (from run --out, preset --out-dir or the window), or a checkup.json "
                                    "for --plot checkup")
    fig.add_argument("--plot", required=True, choices=(*PLOTS, "checkup"),
                     help="checkup: the checkup's ranked chart (PNG), from its checkup.json")
    fig.add_argument("--out", required=True, help="FILE.svg, FILE.pdf (vector) or FILE.png")
    fig.add_argument("--size", help="WIDTHxHEIGHT in pixels (default 1200x700; top5, inputs and explanation take the height they need)")
    fig.add_argument("--against", help="the other result JSON, for --plot difference (B − A) and --plot layers")
    fig.add_argument("--image", help="--plot layers: the picture, when the files' path is not on this machine")
    fig.add_argument("--allow-model", action="store_true", help="--plot layers: load a model file a result names (safe mode)")
    fig.add_argument("--csv", help="--plot layers: also write the per-layer table as CSV")
    fig.add_argument("--scale", type=int, choices=(1, 2, 3), default=1, help="PNG only: pixels per figure pixel")
    fig.add_argument("--full-paths", action="store_true", help="show the image's whole path, not only its file name")
    fig.add_argument("--force", action="store_true", help="replace an existing --out file")
    rep = sub.add_parser("report", help="write a one-page PDF report of a saved result (or of two, compared)")
    rep.add_argument("result")
    rep.add_argument("--against", help="a second result JSON: write a comparison report (A = result, B = this)")
    rep.add_argument("--out", required=True, help="FILE.pdf")
    add_report_options(rep)
    rep.add_argument("--force", action="store_true", help="replace an existing --out file")


def add_report_options(p: argparse.ArgumentParser) -> None:
    """Options every PDF report takes: paper size and whether to show whole paths."""
    p.add_argument("--paper", choices=PAPER_CHOICES, default="auto", help="page size (auto: Letter in the US locale, else A4)")
    p.add_argument("--full-paths", action="store_true", help="show the image's whole path, not only its file name")


def _check_same_classes(a, b) -> None:
    """One sentence when two results' classes differ (runs of different models on the same classes compare)."""
    from vggcompare.cli.options import UserError
    from vggcompare.core.analysis.compare import check_same_classes

    try:
        check_same_classes(a, b)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _load(path: str):
    from vggcompare.cli.options import UserError
    from vggcompare.core.storage.result_file import load_result

    try:
        return load_result(path)
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def cmd_figure(args: argparse.Namespace) -> int:
    """``vggcompare figure RESULT.json --plot KIND --out FILE``."""
    from vggcompare.cli.options import UserError, check_output_path, parse_size

    if args.plot == "checkup":
        return _checkup_figure(args)
    if args.plot in ("difference", "layers") and not args.against:
        raise UserError(f"--plot {args.plot} compares two runs: add --against OTHER.json")
    if args.csv and args.plot != "layers":
        raise UserError("--csv writes the layer table: it goes with --plot layers")
    if not args.out.lower().endswith((".svg", ".pdf", ".png")):
        raise UserError(f"{args.out}: a figure is written as .svg, .pdf or .png")
    width, height = parse_size(args.size) if args.size else (1200, None if args.plot in ("top5", "inputs", "explanation") else 700)
    check_output_path(args.out, args.force)
    result = _load(args.result)
    if args.plot == "explanation" and result.explanation is None:
        from vggcompare.render.figures.build import NO_MAPS

        raise UserError(f"{args.result}: {NO_MAPS}")
    options = {"against": _load(args.against)} if args.against else {}
    if args.against:
        _check_same_classes(result, options["against"])
    if args.plot == "layers":
        options["layers"] = _layer_comparison(args, result, options["against"])
    from vggcompare.render.figures.build import build_figure
    from vggcompare.render.figures.paper import discard, ensure_app
    from vggcompare.render.figures.save import save_figure

    ensure_app()
    figure = build_figure(args.plot, result, width, height, options=options, full_paths=args.full_paths)
    try:
        path = save_figure(figure, args.out, scale=args.scale, overwrite=True)
    finally:
        discard(figure)
    print(f"Saved {path}")
    return 0


def _checkup(path: str):
    """The checkup a checkup.json holds, or None when the file is something else (a run's result)."""
    import json

    from vggcompare.core.studies.checkup import CHECKUP_FORMAT, Checkup

    try:
        with open(path, "rb") as handle:
            if CHECKUP_FORMAT.encode() not in handle.read(1 << 20) and not path.endswith("checkup.json"):
                return None
            handle.seek(0)
            doc = json.load(handle)
    except (OSError, ValueError):
        return None  # _load says what is wrong with the file
    return Checkup.from_dict(doc) if isinstance(doc, dict) and doc.get("format") == CHECKUP_FORMAT else None


def _checkup_figure(args: argparse.Namespace) -> int:
    """``vggcompare figure checkup.json --plot checkup --out chart.png``: the ranked chart of a checkup."""
    import json
    from pathlib import Path

    from vggcompare.cli.options import UserError, check_output_path, parse_size
    from vggcompare.core.studies.checkup import Checkup

    if not args.out.lower().endswith(".png"):
        raise UserError(f"{args.out}: the checkup chart is written as .png")
    check_output_path(args.out, args.force)
    try:
        checkup = Checkup.from_dict(json.loads(Path(args.result).read_text(encoding="utf-8")))
    except OSError as exc:
        raise UserError(f"cannot read {args.result}: {exc.strerror or exc}") from None
    except (ValueError, TypeError) as exc:
        raise UserError(f"{args.result}: {exc}") from None
    from vggcompare.render.figures.checkup_chart import write_checkup_chart
    from vggcompare.render.plots.checkup_chart import checkup_subtitle

    width = parse_size(args.size)[0] if args.size else 1000
    path = write_checkup_chart(checkup.rows, args.out, width, checkup_subtitle(checkup), scale=args.scale)
    print(f"Saved {path}")
    return 0
def _layer_comparison(args: argparse.Namespace, a, b):
    """The two files' layer comparison (re-run here or from fingerprints: core.studies.layers); the CSV if asked."""
    import sys

    from vggcompare.cli.options import check_output_path
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.layers import compare_files_by_layer

    if args.csv:
        check_output_path(args.csv, args.force)
    study = drive(compare_files_by_layer(a, b, args.image, args.allow_model),
                  lambda p: p.stage == "loading" and sys.stderr.write(p.message + "\n"))
    print(f"Layers: {study.sentence()}")
    if args.csv:
        from vggcompare.core.storage.layer_csv import write_layer_csv

        print(f"Saved {write_layer_csv(study.comparison, args.csv)}")
    return study.comparison


def cmd_report(args: argparse.Namespace) -> int:
    """``vggcompare report RESULT.json [--against OTHER.json] --out FILE.pdf``; a checkup.json gives the checkup's page."""
    from vggcompare.cli.options import UserError, check_output_path

    if not args.out.lower().endswith(".pdf"):
        raise UserError(f"{args.out}: a report is written as .pdf")
    check_output_path(args.out, args.force)
    checkup = _checkup(args.result)
    if checkup is not None:
        from vggcompare.render.report.checkup_page import write_checkup_report

        print(f"Saved {write_checkup_report(checkup, args.out, full_paths=args.full_paths, page_size=args.paper)}")
        return 0
    result = _load(args.result)
    from vggcompare.render import report

    if args.against:
        other = _load(args.against)
        _check_same_classes(result, other)
        path = report.write_comparison_report(result, other, args.out, full_paths=args.full_paths, page_size=args.paper)
    else:
        path = report.write_run_report(result, args.out, full_paths=args.full_paths, page_size=args.paper)
    print(f"Saved {path}")
    return 0
