"""User settings: window layout, recent files, the last world. Never stored next to the code.

An INI file in the user's config folder (platformdirs); ``TOWNSFOLK_CONFIG_DIR``
moves it (the tests point it at a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.files.user_paths import config_dir, is_bundled_sample, is_recovery_copy

RECENT_LIMIT = 8
__all__ = ["RECENT_LIMIT", "Settings", "config_dir"]


class Settings:
    def __init__(self, path: Path | None = None):
        self.path = path or config_dir() / "townsfolk.ini"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.qsettings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def recent_files(self) -> list[str]:
        value = self.qsettings.value("files/recent", [])
        if isinstance(value, str):  # QSettings hands back a one-entry list as a lone string
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(v) for v in value if v]

    def add_recent(self, path: str | Path) -> list[str]:
        """Remember a world opened or saved. A crash recovery copy is a stop-gap and never listed; a bundled
        sample is listed but never becomes the last world (the next start shows the welcome view instead)."""
        if is_recovery_copy(path):
            return self.recent_files()
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_files() if p != path]
        recent.insert(0, path)
        recent = recent[:RECENT_LIMIT]
        self.qsettings.setValue("files/recent", recent)
        if not is_bundled_sample(path):
            self.qsettings.setValue("files/last", path)
        return recent

    def forget_recent(self, path: str | Path) -> None:
        path = str(path)
        self.qsettings.setValue("files/recent", [p for p in self.recent_files() if p != path])

    def last_world(self) -> str | None:
        """The world to reopen at start (never a bundled sample, which older versions stored)."""
        value = self.qsettings.value("files/last", "")
        return str(value) if value and not is_bundled_sample(str(value)) else None

    def autosave_minutes(self, default: float = 5.0) -> float:
        """Real minutes between autosaves of unsaved work (``files/autosave_minutes``; 0 turns them off)."""
        value = self.qsettings.value("files/autosave_minutes", default)
        if not isinstance(value, int | float | str):  # INI values come back as text
            return default
        try:
            return max(0.0, float(value))
        except ValueError:
            return default

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self.qsettings.value("window/geometry")
        state = self.qsettings.value("window/state")
        return (geometry if isinstance(geometry, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def value(self, key: str, default: object = None) -> object:
        return self.qsettings.value(key, default)

    def set_value(self, key: str, value: object) -> None:
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        self.qsettings.sync()
