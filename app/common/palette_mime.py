"""What a palette card carries when it is dragged onto the map: its kind and value, as JSON."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

MIME = "application/x-townsfolk-palette"


def encode(kind: str, value: object) -> QMimeData:
    data = QMimeData()
    data.setData(MIME, json.dumps({"kind": kind, "value": value}).encode("utf-8"))
    return data


def terrain_value(value: object) -> int:
    """A terrain card's value: the Terrain number (the palette makes it an int; JSON keeps it one)."""
    if not isinstance(value, int):
        raise TypeError(f"a terrain card carries a number, not {value!r}")
    return int(value)  # a plain int, also for an IntEnum member


def decode(data: QMimeData | None) -> tuple[str, object] | None:
    """(kind, value) of a palette card, or None for anything else dropped on the map."""
    if data is None or not data.hasFormat(MIME):
        return None
    try:
        card = json.loads(bytes(data.data(MIME).data()).decode("utf-8"))
        return str(card["kind"]), card["value"]
    except (ValueError, KeyError, TypeError):
        return None
