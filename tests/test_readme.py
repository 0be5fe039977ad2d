"""The README is the front door: short, and its test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)]


def test_the_readme_is_short():
    assert len(README.splitlines()) < 300


def test_the_readmes_test_command_is_exactly_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci.startswith("python3 -m venv .venv && ")
    assert ci in _code_blocks(README)


def test_the_readme_opens_the_window_from_a_fresh_install():
    assert "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/vggcompare" in _code_blocks(README)


def test_the_readmes_apt_get_line_names_the_xcb_libraries_a_fresh_debian_lacks():
    from vggcompare.gui.common.xcb_check import debian_package

    line = next(block for block in _code_blocks(README) if block.startswith("sudo apt-get install"))
    packages = set(line.replace("\\", " ").split()[3:])
    for soname in ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-shape.so.0",
                   "libxkbcommon-x11.so.0", "libEGL.so.1", "libGL.so.1", "libfontconfig.so.1", "libdbus-1.so.3"):
        assert debian_package(soname) in packages
