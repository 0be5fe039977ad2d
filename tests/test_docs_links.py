"""Every relative link and image in README.md and docs/*.md resolves: the file exists, and so does a heading anchor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown page (lower case, punctuation dropped, spaces to '-')."""
    anchors, seen = set(), {}
    for line in FENCE.sub("", text).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).replace("`", "").lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def broken_links(page: Path) -> list[str]:
    """The relative links and images of ``page`` (outside code) that do not resolve, each with the reason."""
    text = page.read_text(encoding="utf-8")
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    broken = []
    for target in LINK.findall(prose):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading with that anchor")
    return broken


def test_the_readme_and_the_docs_pages_are_all_checked():
    names = {p.name for p in PAGES}
    assert {"README.md", "window.md", "pipeline.md", "many-images.md", "elsewhere.md", "commands.md",
            "performance.md", "architecture.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_resolves(page):
    assert broken_links(page) == []


def test_a_broken_link_a_missing_image_and_a_wrong_anchor_are_reported(tmp_path):
    (tmp_path / "there.md").write_text("# A heading, with `code`\n\ntext\n")
    (tmp_path / "shown.png").write_bytes(b"")
    page = tmp_path / "page.md"
    page.write_text(
        "[fine](there.md) [fine too](there.md#a-heading-with-code) ![fine](shown.png) [web](https://example.org/x)\n"
        "[gone](missing.md) ![gone](pictures/missing.png) [wrong](there.md#no-such-heading)\n"
        "`[in code](nowhere.md)`\n\n```\n[in a block](nowhere.md)\n```\n")
    assert broken_links(page) == ["missing.md: no such file", "pictures/missing.png: no such file",
                                  "there.md#no-such-heading: no heading with that anchor"]
