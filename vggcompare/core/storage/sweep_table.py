"""A sweep's on-disk table: SQLite from the standard library, one transaction per finished group of images.

SQLite's journal makes every commit all-or-nothing, so a sweep killed at any moment (Ctrl+C, ``kill -9``,
a closed window) leaves the rows of the groups it finished and nothing of the one it was running. The
table holds the sweep's settings (so a resume can check it continues the same sweep), the list of
images in the order they were first seen (new files are appended), one row per image × variant, and
a small thumbnail of each image for the report. Sweeps run with ``--explain`` also keep the mean map of
each flipped image × variant and of its reference (``maps``, float16 ``.npy`` bytes, see ``sweep_maps``);
older tables simply have none.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from vggcompare.core.errors import VggCompareError
from vggcompare.core.storage.sweep_maps import decode_map

TABLE_FILE = "sweep.sqlite"
FORMAT_VERSION = 1
# The columns of rows.csv, in order; the table has these plus the image and variant indices.
COLUMNS = (
    "image", "variant", "top1_label", "top1_probability", "reference_top1_label", "top1_changed", "top5_overlap",
    "largest_change", "largest_change_label", "kl_divergence", "within_std", "passes", "probabilities_sha256", "error",
)
_TYPES = {"top1_probability": "REAL", "largest_change": "REAL", "kl_divergence": "REAL", "within_std": "REAL",
          "top1_changed": "INTEGER", "top5_overlap": "INTEGER", "passes": "INTEGER"}
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (idx INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, thumbnail BLOB);
CREATE TABLE IF NOT EXISTS rows (
    image_index INTEGER NOT NULL, variant_index INTEGER NOT NULL,
    {", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in COLUMNS)},
    PRIMARY KEY (image_index, variant_index));
CREATE TABLE IF NOT EXISTS maps (
    image_index INTEGER NOT NULL, variant_index INTEGER NOT NULL, method TEXT NOT NULL, class_name TEXT NOT NULL,
    npy BLOB NOT NULL, PRIMARY KEY (image_index, variant_index));
"""
MAP_KEYS = ("map_method", "map_class", "map_npy")  # a row's map, when it has one (stored in the maps table)


class SweepTableError(VggCompareError):
    """The sweep table cannot be read or does not belong to this sweep."""


class SweepTable:
    """The sweep's SQLite file in its output folder; every write is one transaction."""

    def __init__(self, folder: str | Path, create: bool = True) -> None:
        self.path = Path(folder) / TABLE_FILE
        if not create and not self.path.is_file():
            raise SweepTableError(f"{folder} holds no sweep (no {TABLE_FILE})")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            with self._db:
                self._db.executescript(_SCHEMA)
            version = self.get("format_version")
        except (sqlite3.Error, OSError) as exc:
            raise SweepTableError(f"{self.path} is not a readable sweep table ({exc})") from None
        if version is None:
            self.put("format_version", FORMAT_VERSION)
        elif version != FORMAT_VERSION:
            raise SweepTableError(f"{self.path} was written by another version of vggcompare (format {version})")

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> "SweepTable":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def get(self, key: str) -> Any:
        """A value stored with :meth:`put`, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, value: Any) -> None:
        """Store a JSON-ready value under ``key`` (settings, the model's description)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value, sort_keys=True)))

    @property
    def settings(self) -> dict | None:
        """The sweep's settings (reference, variants, passes per call…), or None for a new table."""
        return self.get("settings")

    def set_settings(self, settings: dict) -> None:
        """Record the sweep's settings (only when the table is new)."""
        self.put("settings", settings)

    def images(self) -> list[tuple[int, str]]:
        """Every image as (index, path), in the order they were added."""
        return list(self._db.execute("SELECT idx, path FROM images ORDER BY idx"))

    def add_images(self, paths: Iterable[str]) -> int:
        """Append the paths not yet listed, after the others; return how many were new."""
        known = {p for _, p in self.images()}
        new = [p for p in dict.fromkeys(paths) if p not in known]
        with self._db:
            start = self._db.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM images").fetchone()[0]
            self._db.executemany("INSERT INTO images (idx, path) VALUES (?, ?)", [(start + k, p) for k, p in enumerate(new)])
        return len(new)

    def finished_images(self, variants: int) -> set[int]:
        """Indices of the images that have a row for each of the ``variants`` variants."""
        query = "SELECT image_index FROM rows GROUP BY image_index HAVING COUNT(*) >= ?"
        return {i for (i,) in self._db.execute(query, (variants,))}

    def add_rows(self, rows: list[dict], thumbnails: dict[int, bytes]) -> None:
        """Store one finished group: its rows and its images' thumbnails, all or nothing."""
        cols = ("image_index", "variant_index", *COLUMNS)
        sql = f"INSERT OR REPLACE INTO rows ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        with self._db:
            self._db.executemany(sql, [tuple(r.get(c) for c in cols) for r in rows])
            self._db.executemany("UPDATE images SET thumbnail = ? WHERE idx = ?", [(t, i) for i, t in thumbnails.items()])
            self._db.executemany("INSERT OR REPLACE INTO maps VALUES (?, ?, ?, ?, ?)",
                                 [(r["image_index"], r["variant_index"], *(r[k] for k in MAP_KEYS)) for r in rows if r.get("map_npy")])

    def rows(self) -> list[dict]:
        """Every row, by image then variant, as dicts with the table's columns."""
        cur = self._db.execute("SELECT * FROM rows ORDER BY image_index, variant_index")
        names = [d[0] for d in cur.description]
        out = []
        for values in cur:
            row = dict(zip(names, values))
            row["top1_changed"] = None if row["top1_changed"] is None else bool(row["top1_changed"])
            out.append(row)
        return out

    def maps(self) -> dict[tuple[int, int], tuple[str, str, np.ndarray]]:
        """The stored mean maps by (image index, variant index): (method, class explained, (H, W) float16).

        Raises SweepMapError (one sentence) when a stored map is damaged.
        """
        out = {}
        for image, variant, method, name, data in self._db.execute("SELECT * FROM maps ORDER BY image_index, variant_index"):
            out[(image, variant)] = (method, name, decode_map(data, f"image {image} under variant {variant}"))
        return out

    def thumbnails(self) -> dict[int, bytes]:
        """The stored thumbnails (PNG bytes) by image index."""
        return {i: t for i, t in self._db.execute("SELECT idx, thumbnail FROM images WHERE thumbnail IS NOT NULL")}
