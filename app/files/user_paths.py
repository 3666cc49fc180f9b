"""Where Townsfolk keeps the user's things: settings, logs, crash recovery and new worlds.

Always the platform's user folders (platformdirs), never the app's own folder:
a bundle may be read-only (a system install, a signed macOS app) and is replaced
on every update. ``TOWNSFOLK_CONFIG_DIR`` still moves the settings (the smoke
test and the tests use it). Nothing here imports Qt.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir, user_documents_dir, user_log_dir

from app.common.resources import resource_root

APP = "townsfolk"
RECOVERY_FOLDER = "recovery"


def config_dir() -> Path:
    """Settings (``townsfolk.ini``)."""
    override = os.environ.get("TOWNSFOLK_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    """Private app data: crash recovery copies."""
    return Path(user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    """Crash logs (rotating)."""
    return Path(user_log_dir(APP, appauthor=False))


def worlds_dir() -> Path:
    """Where new and saved worlds go by default: a "Townsfolk" folder in the user's documents."""
    return Path(user_documents_dir()) / "Townsfolk"


def recovery_dir() -> Path:
    return data_dir() / RECOVERY_FOLDER


def _under(path: str | Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def is_bundled_sample(path: str | Path) -> bool:
    """A sample world shipped with the app (``worlds/`` beside the code, or inside the bundle)."""
    return _under(path, resource_root() / "worlds")


def is_recovery_copy(path: str | Path) -> bool:
    """A crash autosave: a stop-gap, never a place to save to or to reopen next time."""
    return _under(path, recovery_dir())


def needs_save_as(path: str | Path | None) -> bool:
    """Save must ask for a new place: no file yet, a bundled sample, or a recovery copy."""
    return path is None or is_bundled_sample(path) or is_recovery_copy(path)
