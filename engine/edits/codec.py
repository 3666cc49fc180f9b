"""Edits <-> JSON: the log records edits as JSON, and undo carries them to the GUI."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from engine.contracts import edits as e

_BY_NAME: dict[str, type[e.Edit]] = {cls.__name__: cls for cls in e.EDIT_TYPES}
_BY_NAME["Chat"] = e.Chat  # talking is logged like an edit (it changes memories), but cannot be undone


def to_json(edit: e.Edit) -> str:
    fields = {f.name: getattr(edit, f.name) for f in dataclasses.fields(edit) if f.name != "id"}
    return json.dumps({"edit": type(edit).__name__, **fields}, separators=(",", ":"))


def from_json(text: str) -> e.Edit:
    """A fresh command (new id) from the JSON of an edit; raises ValueError if it is not one."""
    try:
        data: dict[str, Any] = json.loads(text)
        cls = _BY_NAME[data.pop("edit")]
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an edit: {text[:80]!r}") from exc
    known = {f.name for f in dataclasses.fields(cls)} - {"id"}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
    return cls(**{k: _tuples(v) for k, v in data.items()})


def _tuples(value: Any) -> Any:
    """JSON has lists; frozen edits hold tuples (hashable, and equal to the original)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value
