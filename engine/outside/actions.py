"""The action vocabulary an outside program answers with, and its validation against the world.

An answer is a JSON list of actions, each an object with a ``type``:

- ``go_to``: ``place`` (a building id), ``activity`` (what to do there), ``minutes``
- ``do``: ``activity`` here, for ``minutes``
- ``say_to``: ``person`` (someone at the same place), ``text``
- ``remember``: ``text`` (into their memory stream)
- ``plan``: ``text`` (their plan in their own words, shown in perception and the log)
- ``recall``: ``query``, ``k``: memories to include in the next perception

At most one ``go_to`` or ``do``; with none, they carry on as they are for a while.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.contracts.enums import Activity

ACTIVITIES: dict[str, int] = {a.name.lower(): int(a) for a in Activity if a != Activity.TRAVEL}


@dataclass(frozen=True)
class Limits:
    actions: int = 8
    minutes: int = 12 * 60
    say: int = 500  # characters
    remember: int = 1000
    plan: int = 2000
    query: int = 200
    recall: int = 20  # memories
    answer_bytes: int = 16 * 1024


LIMITS = Limits()


class ActionError(ValueError):
    """An answer that cannot be done; its message says which action and why."""


@dataclass
class Actions:
    move: tuple[int, int, int] | None = None  # (activity, building, minutes)
    says: list[tuple[int, str]] = field(default_factory=list)
    remembers: list[str] = field(default_factory=list)
    plan: str | None = None
    recall: tuple[str, int] | None = None


class WorldView(Protocol):
    """What validation needs to know about the world (the outside brain answers it)."""

    @property
    def buildings(self) -> int: ...

    def building_open(self, building: int) -> bool: ...

    def can_talk(self, agent: int, other: int) -> bool: ...

    def here(self, agent: int) -> int: ...


def _text(action: dict[str, Any], key: str, limit: int, where: str) -> str:
    value = action.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ActionError(f"{where}: '{key}' must be a non-empty string")
    if len(value) > limit:
        raise ActionError(f"{where}: '{key}' is {len(value)} characters, at most {limit}")
    return value.strip()


def _int(action: dict[str, Any], key: str, low: int, high: int, where: str) -> int:
    value = action.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ActionError(f"{where}: '{key}' must be an integer")
    if not low <= value <= high:
        raise ActionError(f"{where}: '{key}' must be between {low} and {high}, not {value}")
    return value


def _activity(action: dict[str, Any], where: str, default: str | None = None) -> int:
    name = action.get("activity", default)
    if name not in ACTIVITIES:
        raise ActionError(f"{where}: 'activity' must be one of {', '.join(ACTIVITIES)}, not {name!r}")
    return ACTIVITIES[name]


def parse_actions(text: str, agent: int, world: WorldView) -> Actions:
    """The actions in ``text`` (JSON), checked against ``world`` (a ``WorldView``) for ``agent``."""
    if len(text.encode()) > LIMITS.answer_bytes:
        raise ActionError(f"the answer is larger than {LIMITS.answer_bytes} bytes")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ActionError(f"the answer is not JSON: {exc}") from None
    if not isinstance(raw, list):
        raise ActionError("the answer must be a list of actions")
    if len(raw) > LIMITS.actions:
        raise ActionError(f"{len(raw)} actions, at most {LIMITS.actions}")
    out = Actions()
    for i, action in enumerate(raw):
        where = f"action {i + 1}"
        if not isinstance(action, dict):
            raise ActionError(f"{where}: must be an object with a 'type'")
        kind = action.get("type")
        where = f"action {i + 1} ({kind})"
        if kind in ("go_to", "do"):
            if out.move is not None:
                raise ActionError(f"{where}: only one go_to or do per decision")
            minutes = _int(action, "minutes", 1, LIMITS.minutes, where) if "minutes" in action else 30
            if kind == "go_to":
                place = _int(action, "place", 0, world.buildings - 1, where)
                if not world.building_open(place):
                    raise ActionError(f"{where}: place {place} is demolished")
            else:
                place = world.here(agent)
                if place < 0:
                    raise ActionError(f"{where}: they are outdoors; go_to a place first")
            out.move = (_activity(action, where, "leisure"), place, minutes)
        elif kind == "say_to":
            person = action.get("person")
            if not isinstance(person, int) or isinstance(person, bool) or person == agent:
                raise ActionError(f"{where}: 'person' must be the id of someone else")
            if not world.can_talk(agent, person):
                raise ActionError(f"{where}: person {person} is not here to talk to (talk needs the same place)")
            out.says.append((person, _text(action, "text", LIMITS.say, where)))
        elif kind == "remember":
            out.remembers.append(_text(action, "text", LIMITS.remember, where))
        elif kind == "plan":
            out.plan = _text(action, "text", LIMITS.plan, where)
        elif kind == "recall":
            out.recall = (_text(action, "query", LIMITS.query, where), _int(action, "k", 1, LIMITS.recall, where))
        else:
            raise ActionError(f"{where}: unknown type; use go_to, do, say_to, remember, plan or recall")
    return out
