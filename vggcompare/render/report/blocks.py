"""The HTML pieces of a report page: tables of settings and environment, with paths shown as file names."""

from __future__ import annotations

import html

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.config import flatten
from vggcompare.core.storage.paths import PATH_SETTINGS, shown_path


def esc(value) -> str:
    """Text made safe for the page's HTML."""
    return html.escape(str(value))


def _range(value) -> str:
    """A range setting as Keras takes it: 0.2, or [0.8, 1.2] for a list."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_range(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _on_off(value: bool) -> str:
    return "yes" if value else "no"


def settings_pairs(result: RunResult) -> list[tuple[str, str]]:
    """(setting, value) for every setting of the run, in words; files by name (see ``files_html``)."""
    c = result.config
    aug = c.augment
    degrees = "°" if aug.engine == "generator" else ""  # the layers engine's factors have no unit
    augmentation = "off" if not aug.enabled else (
        f"on ({aug.engine}): rotation {_range(aug.rotation)}{degrees}, shift {_range(aug.width_shift)}/{_range(aug.height_shift)}, "
        f"shear {_range(aug.shear)}{degrees}, zoom {_range(aug.zoom)}{', flips' if aug.horizontal_flip else ''}")
    pairs = [("image", shown_path(c.image or result.image.source)),
             ("model", c.model if not c.is_custom_model else shown_path(c.model))]
    pairs += [(key, shown_path(getattr(c, key))) for key in ("weights", "labels") if getattr(c, key)]
    pairs += [
        ("passes", str(c.passes)),
        ("seeding", "off (unseeded)" if c.seeding == "off" else f"{c.seeding}, seed {c.seed}"),
        ("augmentation", augmentation),
        ("new weights", "every pass" if c.reinit_weights else "no"),
        ("dropout", "off" if c.dropout is None else f"{c.dropout:g}"),
        ("loader", c.loader + (f", DCT {c.dct_method}" if c.dct_method != "default" else "") + (", antialias" if c.antialias else "")),
        ("resize", c.interpolation),
        ("call", c.call + (", training=True" if c.training_mode else "")
         + {"batchnorm": " (BatchNorm only)", "dropout": " (Dropout only)", "augmentation": " (augmentation layers only)"}.get(c.training_part if c.training_mode else "all", "")),
        ("batch neighbours", c.batch_neighbours if c.batch_neighbours in ("none", "samples") else shown_path(c.batch_neighbours)),
        ("preprocessing", c.effective_preprocess),
        ("pitfalls", ", ".join(c.pitfalls) or "none"),
        ("batch size", "automatic" if c.batch_size is None else str(c.batch_size)),
        ("precision", c.precision),
        ("deterministic ops", _on_off(c.deterministic_ops)),
        ("threads", "default" if c.threads is None else str(c.threads)),
        ("kernels", c.kernels),
        ("backend", c.backend),
    ]
    if c.runtime != "keras":  # where the model is served, with the export's hash from the environment record
        sha = result.environment.export_sha256 if result.environment else None
        served = c.runtime + ("" if c.tflite_xnnpack else ", XNNPACK off") + (f", {c.tflite_threads} threads" if c.tflite_threads else "")
        served += f" (export {sha[:12]})" if sha else ""
        pairs.append(("served by", served))
        if c.calibration:
            pairs.append(("calibration", shown_path(c.calibration)))
        if c.reference_model:
            pairs.append(("reference model", shown_path(c.reference_model)))
    return pairs


def files_html(result: RunResult, full_paths: bool) -> str:
    """With ``full_paths``, a line naming every file of the run by its whole path; else nothing."""
    if not full_paths:
        return ""
    c = result.config
    files = [("image", c.image or result.image.source)] + [(k, getattr(c, k)) for k in ("model", "weights", "labels")]
    shown = [f"{k} {esc(v)}" for k, v in files if v and ("/" in str(v) or "\\" in str(v))]
    return f"<p class='small'>Files: {' · '.join(shown)}</p>" if shown else ""


def environment_pairs(result: RunResult) -> list[tuple[str, str]]:
    """(item, value) for the software, machine and speed the run had."""
    env, t = result.environment, result.timings
    pairs = [("TensorFlow", env.tensorflow or "?"), ("Keras", env.keras or "?"), ("NumPy", env.numpy or "?"),
             ("Python", env.python or "?"), ("CPU", f"{env.cpu or '?'} ({env.device or '?'})"),
             ("threads", "?" if env.intra_op_threads is None else env.intra_op_threads), ("kernel library", env.kernels or env.value("onednn", "default")),
             ("model", env.model or "?")]
    if t.passes_per_second:
        pairs.append(("speed", f"{t.passes_per_second:.3g} passes/s, {(t.seconds_per_pass or 0) * 1000:.0f} ms per pass"))
    return [(k, str(v)) for k, v in pairs]


def pairs_table(pairs: list[tuple[str, str]], per_row: int = 3) -> str:
    """``pairs`` as a compact table, ``per_row`` (name, value) pairs side by side."""
    rows = []
    for start in range(0, len(pairs), per_row):
        chunk = pairs[start:start + per_row]
        chunk += [("", "")] * (per_row - len(chunk))
        rows.append("<tr>" + "".join(f"<td class='key' width='{int(40 / per_row)}%'>{esc(k)}</td>"
                                     f"<td width='{int(60 / per_row)}%'>{esc(v)}</td>" for k, v in chunk) + "</tr>")
    return f"<table width='100%' cellspacing='0' cellpadding='1.5' style='margin-bottom: 4pt;'>{''.join(rows)}</table>"


def data_table(columns: list[str], rows: list[list[str]], padding: int = 4) -> str:
    """A table with a tinted header row and a thin rule between rows (``padding``: the cells' padding)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>" for r in rows)
    return (f"<table width='100%' cellspacing='0' cellpadding='{padding}' border='0.5' style='border-color: #c8d2de; "
            f"border-style: solid;'><tr>{head}</tr>{body}</table>")


def _setting_value(flat: dict, key: str, full_paths: bool) -> str:
    value = flat.get(key, "")
    if key in PATH_SETTINGS and isinstance(value, str):
        return shown_path(value, full_paths)
    return "—" if value is None or value == "" else str(value)


def differing_rows(a: RunResult, b: RunResult, settings: list[str], environment: list[str],
                   full_paths: bool = False) -> list[list[str]]:
    """[what, A, B] for each setting and environment item that differs between the two runs."""
    fa, fb = flatten(a.config.to_dict()), flatten(b.config.to_dict())
    rows = []
    for key in settings:
        if key == "image pixels":
            rows.append(["image pixels", f"sha256 {(a.image.pixels_sha256 or '')[:10]}…", f"sha256 {(b.image.pixels_sha256 or '')[:10]}…"])
        else:
            rows.append([key, _setting_value(fa, key, full_paths), _setting_value(fb, key, full_paths)])
    rows += [[f"environment: {key}", str(a.environment.value(key, "")), str(b.environment.value(key, ""))] for key in environment]
    return rows
