"""HTML for notebooks (``_repr_html_``): plain tables and inline SVG, escaped, with no script and no external file."""

from __future__ import annotations

from html import escape
from typing import Sequence

STYLE = "border-collapse:collapse;font-size:12px"
CELL = "border:1px solid #ddd;padding:2px 6px;text-align:left"


def table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table of text cells."""
    head = "".join(f'<th style="{CELL}">{escape(str(c))}</th>' for c in columns)
    body = "".join("<tr>" + "".join(f'<td style="{CELL}">{escape(str(v))}</td>' for v in row) + "</tr>" for row in rows)
    return f'<table style="{STYLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def section(title: str, *parts: str) -> str:
    """A block with a heading and the given HTML parts."""
    return f'<div style="margin:6px 0"><b>{escape(title)}</b>{"".join(parts)}</div>'


def paragraph(text: str) -> str:
    """An escaped paragraph."""
    return f'<p style="margin:4px 0">{escape(text)}</p>'


def card(title: str, *parts: str) -> str:
    """The outer box of one result."""
    return (f'<div class="vggcompare" style="font-family:sans-serif;border:1px solid #ccc;padding:8px;max-width:760px">'
            f'<div style="font-size:14px"><b>{escape(title)}</b></div>{"".join(parts)}</div>')
