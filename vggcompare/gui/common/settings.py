"""What the window remembers between sessions: configuration, last folder, geometry, recent files."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QByteArray, QSettings

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError

ORGANIZATION = "vggcompare"
APPLICATION = "vggcompare"
MAX_RECENT = 8


class WindowSettings:
    """A typed view of QSettings; pass a QSettings on a temporary file to keep tests apart."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    def config(self) -> ExperimentConfig | None:
        """The last configuration, or None when there is none or it no longer validates."""
        text = self.store.value("config", "")
        if not text:
            return None
        try:
            data = json.loads(str(text))
            data["image"] = None
            return ExperimentConfig.from_dict(data)
        except (ValueError, TypeError, ConfigError):
            return None

    def set_config(self, config: ExperimentConfig) -> None:
        """Remember a configuration (the image is remembered separately, as a recent file)."""
        data = config.to_dict()
        data["image"] = None
        self.store.setValue("config", json.dumps(data))

    def last_folder(self) -> str:
        """The folder of the last opened file, or the home folder."""
        folder = str(self.store.value("last_folder", "") or "")
        return folder if folder and os.path.isdir(folder) else os.path.expanduser("~")

    def set_last_folder(self, path: str) -> None:
        """Remember the folder of ``path`` (a file or a folder)."""
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        if folder:
            self.store.setValue("last_folder", folder)

    def recent_files(self) -> list[str]:
        """Recently opened images that still exist, newest first."""
        raw = self.store.value("recent_files", "[]")
        try:
            items = json.loads(str(raw))
        except ValueError:
            return []
        return [p for p in items if isinstance(p, str) and os.path.isfile(p)][:MAX_RECENT]

    def add_recent_file(self, path: str) -> list[str]:
        """Put ``path`` at the front of the recent files; return the new list."""
        path = os.path.abspath(path)
        items = [path] + [p for p in self.recent_files() if p != path]
        self.store.setValue("recent_files", json.dumps(items[:MAX_RECENT]))
        return items[:MAX_RECENT]

    def clear_recent_files(self) -> None:
        """Forget the recent files."""
        self.store.setValue("recent_files", "[]")

    def checkup_layers(self) -> bool:
        """Whether the Checkup tab's "Where it enters (layer by layer)" was left ticked (off until it is ticked)."""
        return str(self.store.value("checkup_layers", "false")).lower() == "true"

    def set_checkup_layers(self, on: bool) -> None:
        """Remember the Checkup tab's "Where it enters (layer by layer)" box."""
        self.store.setValue("checkup_layers", "true" if on else "false")

    def geometry(self) -> QByteArray | None:
        """The saved window geometry, if any."""
        value = self.store.value("geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        """Remember the window geometry."""
        self.store.setValue("geometry", geometry)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self.store.sync()
