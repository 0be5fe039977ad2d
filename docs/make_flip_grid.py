"""Picture the Many images tab's grid of flipped images (the images behind one flip rate), for the README.

Run from the repository root: ``python docs/make_flip_grid.py SWEEP_DIR [--variant NAME] [--out docs/flip-grid.png]``
after ``vggcompare sweep resources/sweep --preset pitfalls --model efficientnet-lite0 --passes 4 --out-dir SWEEP_DIR``.
It reads the sweep's table as the tab does (core ``read_flipped``), fills the tab's own FlipGrid offscreen at
1200 px wide and grabs it.
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep")
    parser.add_argument("--variant", default="bilinear resize")
    parser.add_argument("--out", default="docs/flip-grid.png")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from vggcompare.core.storage.sweep_files import read_flipped
    from vggcompare.gui.sweep.flip_grid import FlipGrid

    grid = FlipGrid()
    grid.show_flips(args.variant, read_flipped(args.sweep, args.variant))
    grid.resize(1200, 280)
    grid.show()
    for _ in range(5):
        app.processEvents()
    if not grid.grab().save(args.out):
        raise SystemExit(f"could not write {args.out}")
    print(f"Saved {args.out}")


if __name__ == "__main__":
    main()
