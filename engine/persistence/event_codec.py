"""Events <-> (tick, kind, JSON) rows for the world file's history."""

from __future__ import annotations

import dataclasses
import json

from engine.contracts import events as ev

_KINDS: dict[str, type[ev.Event]] = {
    cls.__name__: cls
    for cls in vars(ev).values()
    if isinstance(cls, type) and issubclass(cls, ev.Event) and cls is not ev.Event
}

_SHARED = (int, str)  # the types of values worth sharing (never a bool: True == 1 would come back as 1)


def to_row(event: ev.Event) -> tuple[int, str, str]:
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event) if f.name != "tick"}
    if isinstance(event, ev.ConversationHeld):  # saved as its words (worded now if nobody read them yet)
        del fields["said"]
        fields["lines"] = event.lines
    return event.tick, type(event).__name__, json.dumps(fields, separators=(",", ":"))


def from_row(tick: int, kind: str, payload: str, shared: dict[object, object] | None = None) -> ev.Event:
    """``shared``: values already read (one dict for a whole history), so that events read back share their
    equal numbers and words as the running engine's do, instead of holding a copy each: a reopened long run's
    tens of thousands of events held their ticks, people and places as several MB of separate numbers."""
    cls = _KINDS.get(kind)
    if cls is None:
        raise ValueError(f"unknown event kind {kind!r}")
    fields = json.loads(payload)
    if shared is not None:
        tick = shared.setdefault(tick, tick)  # type: ignore[assignment]
        for name, value in fields.items():
            if type(value) in _SHARED:
                fields[name] = shared.setdefault(value, value)
    if "lines" in fields:
        fields["said"] = tuple((int(s), str(t)) for s, t in fields.pop("lines"))
    if "evidence" in fields:
        fields["evidence"] = tuple(int(e) for e in fields["evidence"])
    for name in ("attendees", "yes", "no", "winners", "witnesses"):  # JSON lists back to the tuples they were
        if name in fields:
            fields[name] = tuple(int(v) for v in fields[name])
    if "tally" in fields:
        fields["tally"] = tuple((int(c), int(n)) for c, n in fields["tally"])
    return cls(tick=tick, **fields)
