"""The ``run`` and ``compare`` commands."""

from __future__ import annotations

import argparse
import os

from vggcompare.cli.options import UserError, check_output_path, config_from_args, load_config_file
from vggcompare.cli.progress import ProgressBar


def print_result(result) -> None:
    """Print the top-5, the key statistics and the verdict."""
    from vggcompare.core.passes.environment import environment_line
    from vggcompare.core.analysis.verdict import fmt

    s = result.statistics
    print(f"Image: {result.image.source}   Model: {result.environment.model}")
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
    print(f"Speed: {t.passes_per_second or 0:.2f} passes/s ({(t.seconds_per_pass or 0) * 1000:.0f} ms per pass); "
          f"{environment_line(result.environment)}")
    print(f"Verdict: {result.verdict}")
    for note in result.notes:  # those starting "Note:" are in the verdict already
        if not note.startswith("Note:"):
            print(f"Note: {note}")
    if result.explanation is not None:
        from vggcompare.core.analysis.explanation import describe

        print(f"Maps: {describe(result.explanation)}")
        for note in result.explanation.notes:
            print(f"Note: {note}")


def cmd_run(args: argparse.Namespace) -> int:
    """``vggcompare run``."""
    from vggcompare.core.passes.engine import run_experiment
    from vggcompare.core.input.images import load_image
    from vggcompare.core.storage.result_file import save_result

    config = config_from_args(args, os.path.abspath(args.image))
    if args.config:
        config = load_config_file(args.config).replace(image=os.path.abspath(args.image), trust_model=args.trust_model)
    if args.out:
        check_output_path(args.out, args.force)
    if args.layers_arrays and not args.layers:
        raise UserError("--layers-arrays needs --layers")
    image = load_image(os.path.abspath(args.image))
    if config.precision == "bfloat16":  # said before the run, from the CPU's flags and a measurement
        from vggcompare.core.model.bf16 import assess_bfloat16

        print(assess_bfloat16(config).sentence, flush=True)
    bar = ProgressBar(not args.quiet)
    result = run_experiment(config, image, progress=bar, download_progress=bar.download, layers=args.layers)
    print_result(result)
    if result.layers is not None:
        count = len(result.layers.names)
        what = (f"{count} layers instrumented" if not result.layers.partial else
                "the output only" if count == 1 else f"{count} layers read from the runtime's tensors")
        print(f"Layers: {what} (fingerprints stored with --out)")
        if result.layer_comparison is not None:
            print(f"Training mode against inference, layer by layer: {result.layer_comparison.sentence()}")
        for note in result.layers.notes:
            print(f"Note: {note}")
        if args.layers_arrays:
            from vggcompare.core.storage.layer_arrays import write_layer_arrays

            write_layer_arrays(result.layers, args.layers_arrays)
    if config.reference_model:  # the user's own export against the Keras model it came from
        print_against_reference(result, run_experiment(reference_config(config), image))
    if args.out:
        try:
            path = save_result(result, args.out)
        except OSError as exc:
            raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"Saved {path}")
    return 0


def reference_config(config):
    """The Keras model a user's exported file came from, with the same pipeline, served by Keras itself."""
    return config.replace(model=config.reference_model, runtime="keras", reference_model=None, tflite_xnnpack=True,
                          tflite_threads=None, calibration=None)


def print_against_reference(result, keras_result) -> None:
    """The exported file's passes against the Keras model's, on the same input: one line of numbers and the verdict."""
    from vggcompare.core.analysis.compare import compare_results
    from vggcompare.core.analysis.verdict import fmt

    try:
        cmp = compare_results(keras_result, result, "the Keras model", "your export")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    n = cmp.numbers
    labels = keras_result.labels
    top1 = "same top-1" if n.same_top1 else f"top-1 changed: {labels[n.top1_a]} → {labels[n.top1_b]}"
    print(f"Against the Keras model it came from ({os.path.basename(result.config.reference_model)}): "
          f"{'bit-identical' if n.bit_identical else f'largest probability change {fmt(n.max_abs_difference)}'}; "
          f"{top1}; top-5 overlap {n.top5_overlap}/5")


def cmd_compare(args: argparse.Namespace) -> int:
    """``vggcompare compare A.json B.json``."""
    from vggcompare.core.analysis.compare import compare_results
    from vggcompare.core.storage.result_file import load_result
    from vggcompare.core.analysis.verdict import fmt

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
    if args.layers:
        print_layers(_layer_study(args, a, b), args)
    elif args.csv:
        raise UserError("--csv needs --layers")
    return 0


def _layer_study(args: argparse.Namespace, a, b):
    """Run (or read) the layer comparison of two result files, with a progress line."""
    import sys

    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.layers import compare_files_by_layer

    if args.csv:
        check_output_path(args.csv, args.force)
    seen: set[str] = set()

    def said(p) -> None:
        if p.message not in seen and (p.stage == "loading" or "new Python process" in p.message):
            seen.add(p.message)
            sys.stderr.write(p.message + "\n")

    return drive(compare_files_by_layer(a, b, args.image, args.allow_model), said)


def print_layers(study, args: argparse.Namespace | None = None, out=None) -> None:
    """The layer table (index, layer, kind, relative difference, largest absolute difference, cosine) and the sentence."""
    import sys

    from vggcompare.core.analysis.verdict import fmt

    out = out or sys.stdout
    cmp = study.comparison
    unit = "Block" if cmp.grouped else "Layer"
    rows = [["#", unit.lower(), "kind", "relative L2", "largest abs", "cosine", "bound", ""]]
    enters = cmp.enters_at
    for r in cmp.rows:
        flag = "<- enters" if enters is not None and r.index == enters.index else ("above" if r.above else "")
        rows.append([str(r.index), r.name, r.kind, fmt(r.relative), fmt(r.max_abs), f"{r.cosine:.9f}", fmt(r.bound), flag])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out.write(f"\n{unit} by {unit.lower()} ({study.how}):\n")
    for row in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
    out.write(f"Layers: {cmp.sentence()}\n")
    for note in [*cmp.notes, *study.notes]:
        out.write(f"Note: {note}\n")
    if args is not None and getattr(args, "csv", None):
        from vggcompare.core.storage.layer_csv import write_layer_csv

        out.write(f"Saved {write_layer_csv(cmp, args.csv)}\n")

