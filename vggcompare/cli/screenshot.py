"""``vggcompare screenshot``: the whole window (or presenter mode) run offscreen and saved as a PNG.

With the window launcher (:mod:`vggcompare.cli.window`), the one CLI module that imports :mod:`vggcompare.gui`
(an import-linter contract checks it).
"""

from __future__ import annotations

import argparse
import os

from vggcompare.cli.options import check_output_path, config_from_args, parse_size
from vggcompare.cli.progress import ProgressBar


def cmd_screenshot(args: argparse.Namespace) -> int:
    """Check the image, the output path and ``--present`` (one-line errors before Qt starts), then save the PNG."""
    size = parse_size(args.size)
    config = config_from_args(args, os.path.abspath(args.image))
    from vggcompare.core.input.images import load_image

    load_image(os.path.abspath(args.image))  # a bad image is a one-line error before Qt starts
    check_output_path(args.out, args.force)
    from vggcompare.gui.window.screenshot import check_present, take_screenshot

    check_present(args.present)  # a wrong step name is a one-line error before the run
    bar = ProgressBar(True)  # only the ImageNet weights' download shows: the window's run has no pass-by-pass bar here
    path = take_screenshot(config, args.out, size, allow_download=True, download_progress=bar.download,
                           present=args.present)
    print(f"Saved {path}")
    return 0
