"""A PDF page laid out top to bottom: each block is measured before it is drawn, so nothing overlaps.

Units are points (1/72 inch). Text is HTML laid out by QTextDocument; figures are the window's own
widgets painting themselves into the PDF, so their lines and text stay vector. A block that does
not fit on the page starts a new page.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QMarginsF, QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

from vggcompare.render.theme import ACCENT_LIGHT

DPI = 300
MARGIN_MM = 14
ACCENT = ACCENT_LIGHT  # the window's accent on light backgrounds (Okabe-Ito blue), dark enough to print
BASE_PT = 8.5  # body text size
STYLE = f"""
h1 {{ font-size: 15pt; margin: 0; }} .h2 {{ font-size: 10pt; font-weight: bold; color: {ACCENT}; }}
th {{ background-color: #e8eef8; text-align: left; font-weight: bold; }}
td.key {{ color: #444444; }} .small {{ color: #444444; font-size: 7pt; }} .muted {{ color: #555555; }}
"""
_LETTER_TERRITORIES = {"UnitedStates", "Canada", "Mexico", "Philippines", "Chile", "Colombia", "Venezuela"}


def locale_page_size(locale: QLocale | None = None) -> QPageSize:
    """Letter where the locale uses it (the US and its neighbours), A4 everywhere else."""
    loc = locale or QLocale.system()
    letter = (loc.measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
              or loc.territory().name in _LETTER_TERRITORIES)
    return QPageSize(QPageSize.PageSizeId.Letter if letter else QPageSize.PageSizeId.A4)


def page_size_named(name: str | None) -> QPageSize:
    """'a4', 'letter', or None / 'auto' for the locale's size."""
    if name in (None, "", "auto"):
        return locale_page_size()
    sizes = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
    if name.lower() not in sizes:
        raise ValueError(f"page size {name!r}: choose a4 or letter")
    return QPageSize(sizes[name.lower()])


class Page:
    """Draws blocks on the pages of one PDF written to ``device`` (a file or a QBuffer)."""

    def __init__(self, device, size: QPageSize, landscape: bool = False, title: str = "vggcompare report") -> None:
        self.writer = QPdfWriter(device)
        self.writer.setResolution(DPI)
        self.writer.setTitle(title)
        self.writer.setCreator("vggcompare")
        self.size = size
        self._set_layout(landscape)
        self.painter = QPainter(self.writer)
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.y = 0.0  # points from the top of the printable area
        self.pages = 1

    def _set_layout(self, landscape: bool) -> None:
        orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        self.writer.setPageLayout(QPageLayout(self.size, orientation, QMarginsF(*(MARGIN_MM,) * 4), QPageLayout.Unit.Millimeter))
        rect = self.writer.pageLayout().paintRect(QPageLayout.Unit.Point)
        self.width, self.height = rect.width(), rect.height()

    @staticmethod
    def u(points: float) -> float:
        """Device units for ``points``."""
        return points * DPI / 72

    @property
    def remaining(self) -> float:
        """Points left on this page below the cursor."""
        return self.height - self.y

    def new_page(self, landscape: bool | None = None) -> None:
        """Start a new page (turned to ``landscape`` when given)."""
        if landscape is not None:
            self._set_layout(landscape)
        self.writer.newPage()
        self.pages += 1
        self.y = 0.0

    def ensure(self, points: float) -> None:
        """Start a new page unless ``points`` still fit below the cursor."""
        if points > self.remaining and self.y > 0:
            self.new_page()

    def gap(self, points: float = 8) -> None:
        """Leave ``points`` of space."""
        self.y += points

    def document(self, html: str, width: float, size: float = BASE_PT) -> QTextDocument:
        """``html`` laid out at ``width`` points wide."""
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self.writer)
        from vggcompare.render.figures.paper import without_ligatures

        font = without_ligatures(QFont("DejaVu Sans"))
        font.setPointSizeF(size)
        doc.setDefaultFont(font)
        doc.setDefaultStyleSheet(STYLE)
        doc.setDocumentMargin(0)
        doc.setHtml(html)
        doc.setTextWidth(self.u(width))
        return doc

    def measure(self, html: str, width: float | None = None, size: float = BASE_PT) -> float:
        """Height in points that ``html`` takes at ``width``."""
        return self.document(html, width or self.width, size).size().height() * 72 / DPI

    def text(self, html: str, x: float = 0, width: float | None = None, y: float | None = None,
             size: float = BASE_PT) -> float:
        """Draw ``html``; at the cursor (which then moves down) unless ``y`` is given. Returns its height."""
        doc = self.document(html, width or self.width - x, size)
        height = doc.size().height() * 72 / DPI
        if y is not None:
            self._draw(doc, x, y, 0, height)
            return height
        if height <= self.height:  # a block that fits on a page is never split
            self.ensure(height)
        done = 0.0
        while height - done > self.remaining:  # taller than a page: split between lines, go on overleaf
            step = self._fitting(doc, done, self.remaining)
            self._draw(doc, x, self.y, done, step)
            done += step
            self.new_page()
        self._draw(doc, x, self.y, done, height - done)
        self.y += height - done
        return height

    def table(self, columns: list[str], rows: list[list[str]], size: float = BASE_PT, padding: int = 4) -> None:
        """A data table at the cursor; rows that do not fit go on the next page under the header row again.

        Rows are never split (a single row taller than a page is left to ``text``). ``size`` is the type's size in
        points and ``padding`` the cells' padding, for a table that must fit one page.
        """
        from functools import partial

        from vggcompare.render.report.blocks import data_table

        make = partial(data_table, padding=padding)
        if not rows:
            self.text(make(columns, []), size=size)
            return
        start = 0
        while start < len(rows):
            count = self._rows_fitting(columns, rows[start:], make, size)
            if count == 0 and self.y > 0:
                self.new_page()
                continue
            count = max(count, 1)
            self.text(make(columns, rows[start:start + count]), size=size)
            start += count
            if start < len(rows):
                self.new_page()

    def _rows_fitting(self, columns: list[str], rows: list[list[str]], make, size: float = BASE_PT) -> int:
        """The most of ``rows`` whose table (header included) fits below the cursor (a binary search)."""
        low, high = 0, len(rows)
        while low < high:
            middle = (low + high + 1) // 2
            if self.measure(make(columns, rows[:middle]), size=size) <= self.remaining:
                low = middle
            else:
                high = middle - 1
        return low

    def _fitting(self, doc: QTextDocument, start: float, room: float) -> float:
        """How much of ``doc`` from ``start`` fits in ``room`` points without cutting a line of text."""
        layout, limit, cut = doc.documentLayout(), self.u(start + room), self.u(start + room)
        block = doc.begin()
        while block.isValid():
            rect = layout.blockBoundingRect(block)
            if rect.bottom() > limit and rect.top() > self.u(start):
                cut = min(cut, rect.top() - self.u(2))
            block = block.next()
        return (cut * 72 / DPI - start) if cut > self.u(start + room / 4) else room

    def _draw(self, doc: QTextDocument, x: float, y: float, start: float, length: float) -> None:
        """Draw the part of ``doc`` from ``start`` to ``start + length`` points down, at (x, y)."""
        self.painter.save()
        self.painter.translate(self.u(x), self.u(y - start))
        doc.drawContents(self.painter, QRectF(0, self.u(start), self.u(self.width + 1), self.u(length)))
        self.painter.restore()

    def heading(self, text: str) -> float:
        """A section heading in the accent colour, kept with at least 40 points of what follows."""
        import html

        self.ensure(self.measure(f"<span class='h2'>{html.escape(text)}</span>") + 40)
        height = self.text(f"<span class='h2'>{html.escape(text)}</span>")
        self.gap(2)
        return height + 2

    def box(self, html: str, pad: float = 6) -> float:
        """A tinted box with an accent bar on the left: the verdict."""
        height = self.measure(html, self.width - 2 * pad - 3) + 2 * pad
        self.ensure(height)
        self.painter.fillRect(QRectF(0, self.u(self.y), self.u(self.width), self.u(height)), QColor("#eef3f9"))
        self.painter.fillRect(QRectF(0, self.u(self.y), self.u(3), self.u(height)), QColor(ACCENT))
        self.text(html, x=pad + 3, width=self.width - 2 * pad - 3, y=self.y + pad)
        self.y += height
        return height

    def figure(self, widget, x: float, width: float, y: float | None = None) -> float:
        """Let a laid-out widget paint itself ``width`` points wide; returns its height in points."""
        from vggcompare.render.figures.save import paint

        scale = self.u(width) / widget.width()
        height = widget.height() * scale * 72 / DPI
        top = self.y if y is None else y
        self.painter.save()
        self.painter.translate(self.u(x), self.u(top))
        self.painter.scale(scale, scale)
        paint(widget, self.painter)
        self.painter.restore()
        if y is None:
            self.y += height
        return height

    def image(self, image, x: float, y: float, max_width: float, max_height: float) -> QSizeF:
        """Draw a QImage scaled to fit the box, keeping its proportions; returns the size drawn."""
        k = min(max_width / max(1, image.width()), max_height / max(1, image.height()))
        size = QSizeF(image.width() * k, image.height() * k)
        self.painter.drawImage(QRectF(QPointF(self.u(x), self.u(y)), QSizeF(self.u(size.width()), self.u(size.height()))), image)
        return size

    def line(self, y: float, colour: str = "#c8d2de") -> None:
        """A thin rule across the page at ``y``."""
        self.painter.fillRect(QRectF(0, self.u(y), self.u(self.width), self.u(0.6)), QColor(colour))

    def close(self) -> None:
        """Finish the PDF."""
        self.painter.end()
