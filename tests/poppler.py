"""Reading PDFs back with poppler (pdftoppm, pdftotext, pdfinfo), as a person's PDF viewer would."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def need_poppler() -> None:
    """Skip without poppler-utils, except in CI (.ci/run installs it and sets VGGCOMPARE_REQUIRE_POPPLER)."""
    missing = [tool for tool in ("pdftoppm", "pdftotext", "pdfinfo") if shutil.which(tool) is None]
    if missing and os.environ.get("VGGCOMPARE_REQUIRE_POPPLER"):
        pytest.fail(f"poppler-utils is missing ({', '.join(missing)}); .ci/run installs it")
    if missing:
        pytest.skip("poppler-utils (pdftoppm, pdftotext, pdfinfo) is not installed")


def rendered_pages(pdf: Path, folder: Path) -> list[Path]:
    """Render every page to PNG with pdftoppm and return the page pictures."""
    prefix = folder / f"{pdf.stem}-page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(prefix)], check=True, capture_output=True)
    return sorted(folder.glob(f"{pdf.stem}-page*.png"))


def pdf_text(pdf: Path) -> str:
    """The PDF's text, whitespace collapsed to single spaces."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def pdf_text_of_page(pdf: Path, page: int) -> str:
    """The text of page ``page`` (from 1), whitespace collapsed to single spaces."""
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def pdf_info(pdf: Path) -> dict[str, str]:
    """pdfinfo's fields ('Pages', 'Page size', ...)."""
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines()) if v}
