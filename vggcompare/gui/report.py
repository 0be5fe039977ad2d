"""PDF reports of a run, a comparison or a preset, written with Qt's own PDF writer.

The report is an HTML document laid out by QTextDocument and printed to QPdfWriter (A4), with the
picture, the configuration, the environment, the verdict, the top-5 table, the per-class spread
plot and the input thumbnails. Black text on white, one print-safe accent colour.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from vggcompare.core.atomic import atomic_write_bytes
from vggcompare.core.run.environment import environment_line
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.analysis.verdict import fmt

ACCENT = "#0072B2"  # the window's accent (Okabe-Ito blue), dark enough to print
_STYLE = f"""
body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; color: #111; }}
h1 {{ font-size: 16pt; margin-bottom: 2pt; }} h2 {{ font-size: 12pt; color: {ACCENT}; margin-top: 10pt; }}
td, th {{ padding: 2pt 6pt; }} th {{ background: #e8eef8; text-align: left; }}
.verdict {{ font-size: 10.5pt; background: #f2f5fa; padding: 6pt; border-left: 3pt solid {ACCENT}; }}
.small {{ color: #444; font-size: 8pt; }}
"""


def ensure_app():
    """Return the running QApplication, creating an offscreen one when needed."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _spread_plot(result: RunResult, width: int = 900, height: int = 300):
    """Render the per-class standard deviation, top-5 highlighted, to a QImage."""
    import numpy as np
    import pyqtgraph as pg

    s = result.statistics
    from vggcompare.gui.results.plotting import make_plot_widget

    plot = make_plot_widget(height)
    plot.setBackground("w")
    plot.resize(width, height)
    item = plot.getPlotItem()
    item.setLabel("bottom", "class index", color="#111")
    item.setLabel("left", "std over passes", color="#111")
    for axis in ("bottom", "left"):
        item.getAxis(axis).setPen("#333")
        item.getAxis(axis).setTextPen("#111")
    std = s.std
    x = np.arange(len(std))
    if s.all_bit_identical:
        text = pg.TextItem(f"All {s.passes} passes were bit-identical: every std is exactly 0", color="#111", anchor=(0.5, 0.5))
        item.addItem(text)
        item.setXRange(0, len(std))
        item.setYRange(-1, 1)
        text.setPos(len(std) / 2, 0)
    else:
        item.addItem(pg.BarGraphItem(x=x, height=std, width=1.0, brush="#9aa5b1", pen=None))
        top = [c.index for c in s.top5]
        item.addItem(pg.BarGraphItem(x=np.array(top), height=std[top], width=max(3.0, len(std) / 150), brush=ACCENT, pen=None))
        for rank, c in enumerate(s.top5):
            label = pg.TextItem(f"{rank + 1}. {c.label}", color=ACCENT, anchor=(0.5, 1.0 + 0.9 * (rank % 2)))
            label.setPos(c.index, float(std[c.index]))
            item.addItem(label)
        item.setXRange(0, len(std), padding=0.01)
        item.setYRange(0, float(std.max()) * 1.35, padding=0)
    image = plot.grab().toImage()
    plot.deleteLater()
    return image


def _png_data(image) -> str:
    import base64

    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(bytes(data)).decode("ascii")


def _run_section(result: RunResult, heading: str, doc, key: str) -> str:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument

    s = result.statistics
    rows = "".join(
        f"<tr><td>{i}</td><td>{html.escape(c.label)}</td><td>{c.mean:.4g}</td><td>{fmt(c.std)}</td>"
        f"<td>{c.min:.4g} – {c.max:.4g}</td></tr>"
        for i, c in enumerate(s.top5, 1)
    )
    plot_name = f"plot-{key}"
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(plot_name), _spread_plot(result))
    thumbs = []
    for t in result.thumbnails:
        name = f"thumb-{key}-{t.pass_index}"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage.fromData(t.png))
        thumbs.append(f"<td align='center'><img src='{name}' width='80'><br><span class='small'>{html.escape(t.caption)}</span></td>")
    picture = _picture(result, doc, key)
    cfg = result.config.to_dict()
    aug = cfg.pop("augment")
    cfg_rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in cfg.items())
    cfg_rows += "<tr><td>augment</td><td>" + html.escape(", ".join(f"{k}={v}" for k, v in aug.items())) + "</td></tr>"
    t = result.timings
    return f"""
    <h2>{html.escape(heading)}</h2>
    <p class='verdict'><b>Verdict.</b> {html.escape(result.verdict)}</p>
    {picture}
    <p><b>Image:</b> {html.escape(str(result.image.get('source', '')))} &nbsp; <b>Model:</b> {html.escape(str(result.environment.get('model', '')))}</p>
    <table width='100%' cellpadding='3' cellspacing='0'><tr><th>#</th><th>class</th><th>mean probability</th><th>std</th><th>min – max</th></tr>{rows}</table>
    <p>Top-1 agreement {s.top1_agreement:.0%} ({s.top1_mode_count} of {s.passes}); {s.distinct_top1} distinct top-1;
    largest deviation from pass 1: {fmt(s.max_abs_deviation_from_first)}; all passes bit-identical: {'yes' if s.all_bit_identical else 'no'};
    entropy of the mean {s.entropy_of_mean:.4f} nats; mutual information {fmt(s.mutual_information)} nats.</p>
    <p><img src='{plot_name}' width='620'></p>
    <table cellpadding='2'><tr>{''.join(thumbs)}</tr></table>
    <h2>Configuration</h2><table cellpadding='2' cellspacing='0'>{cfg_rows}</table>
    <p class='small'><b>Environment:</b> {html.escape(environment_line(result.environment))}<br>
    <b>Speed:</b> {t.get('passes_per_second', 0):.2f} passes/s, {t.get('seconds_per_pass', 0) * 1000:.0f} ms per pass.</p>
    """


def _picture(result: RunResult, doc, key: str) -> str:
    """The analysed picture, when its file is still on disk (a note otherwise)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument

    from vggcompare.core.errors import ImageError
    from vggcompare.core.input.images import encode_png, load_image

    source = str(result.image.get("source", ""))
    try:
        picture = load_image(source).image
    except ImageError:
        return "<p class='small'>(The picture's file is no longer available, so it is not shown.)</p>"
    picture.thumbnail((360, 240))
    import numpy as np

    name = f"picture-{key}"
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage.fromData(encode_png(np.asarray(picture))))
    return f"<p><img src='{name}' width='{picture.width}'></p>"


def _write(doc_html: str, path: str | os.PathLike, doc=None, overwrite: bool = True) -> Path:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists")
    doc = doc or QTextDocument()
    doc.setDefaultStyleSheet(_STYLE)
    doc.setHtml(f"<html><body>{doc_html}</body></html>")
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(15, 15, 15, 15)))
    writer.setResolution(150)
    writer.setTitle("vggcompare report")
    doc.print_(writer)
    del writer
    buf.close()
    return atomic_write_bytes(target, bytes(data))


def write_run_report(result: RunResult, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """Write a PDF report of one run."""
    from PySide6.QtGui import QTextDocument

    ensure_app()
    doc = QTextDocument()
    body = f"<h1>vggcompare: {html.escape(result.name or 'run')}</h1><p class='small'>{html.escape(result.created)}</p>"
    body += _run_section(result, "Result", doc, "run")
    return _write(body, path, doc, overwrite)


def write_comparison_report(a: RunResult, b: RunResult, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """Write a PDF report comparing run A with run B."""
    from PySide6.QtGui import QTextDocument

    from vggcompare.core.analysis.compare import compare_results

    ensure_app()
    cmp = compare_results(a, b)
    doc = QTextDocument()
    diffs = ", ".join(cmp.numbers.config_differences) or "none"
    body = (f"<h1>vggcompare: comparison</h1><p class='verdict'><b>Verdict.</b> {html.escape(cmp.verdict)}</p>"
            f"<p><b>Settings that differ:</b> {html.escape(diffs)}</p>")
    body += _run_section(a, f"A: {a.name}", doc, "a") + _run_section(b, f"B: {b.name}", doc, "b")
    return _write(body, path, doc, overwrite)


def write_preset_report(outcome, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """Write a PDF report of a preset: explanation, table, headline, then each run."""
    from PySide6.QtGui import QTextDocument

    ensure_app()
    doc = QTextDocument()
    head = "".join(f"<th>{html.escape(c)}</th>" for c in outcome.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in outcome.rows)
    body = (f"<h1>vggcompare: {html.escape(outcome.title)}</h1><p>{html.escape(outcome.explanation)}</p>"
            f"<p><b>Model:</b> {html.escape(outcome.model)}</p>"
            f"<p class='verdict'><b>Result.</b> {html.escape(outcome.headline)}</p>"
            + "".join(f"<p class='small'>Note: {html.escape(n)}</p>" for n in outcome.notes) +
            f"<table width='100%' cellpadding='3' cellspacing='0'><tr>{head}</tr>{rows}</table>")
    if outcome.bars:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QPalette, QTextDocument

        from vggcompare.gui.compare.bars import BarsPlot

        chart = BarsPlot()
        chart.widget.resize(900, 60 + 30 * len(outcome.bars))
        palette = QPalette(chart.widget.palette())
        palette.setColor(QPalette.ColorRole.Base, "white")
        palette.setColor(QPalette.ColorRole.WindowText, "black")
        chart.show(outcome.bars, outcome.bars_label, palette)
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("bars"), chart.widget.grab().toImage())
        chart.widget.deleteLater()
        body += "<p><img src='bars' width='620'></p>"
    for k, (label, result) in enumerate(outcome.runs.items()):
        body += _run_section(result, f"Run: {label}", doc, f"r{k}")
    return _write(body, path, doc, overwrite)
