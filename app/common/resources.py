"""Where Townsfolk's bundled files live: ``assets/`` and ``worlds/``.

From a source checkout (or an editable install) they sit next to the ``app``
package; in a PyInstaller bundle they sit under ``sys._MEIPASS``. Nothing here
imports Qt, so headless code may use it too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resource_root() -> Path:
    """The folder holding ``assets/`` and ``worlds/``."""
    override = os.environ.get("TOWNSFOLK_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[2]  # app/common/resources.py -> the checkout


def assets_dir() -> Path:
    return resource_root() / "assets"


def art_dir() -> Path:
    return assets_dir() / "art"


def bundled_world(name: str = "village") -> Path:
    """A sample world shipped with the app (``worlds/village.town`` opens the first time)."""
    return resource_root() / "worlds" / f"{name}.town"
