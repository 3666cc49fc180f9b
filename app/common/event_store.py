"""The events the GUI has seen: a bounded log plus a short history per person.

Pure Python (no Qt) so it is cheap to test; the event log's model and the
inspector read from it.
"""

from __future__ import annotations

from collections import deque

from app.common.formatting import event_people
from engine.contracts import Event

LOG_LIMIT = 20_000
PER_PERSON = 25


class EventStore:
    def __init__(self, limit: int = LOG_LIMIT, per_person: int = PER_PERSON):
        self.events: deque[Event] = deque(maxlen=limit)
        self.per_person = per_person
        self.by_person: dict[int, deque[Event]] = {}
        self.total = 0  # events ever added (absolute index of the next one)

    def add(self, events: list[Event]) -> int:
        """Append; returns how many old events fell off the front."""
        overflow = max(0, len(self.events) + len(events) - (self.events.maxlen or 0))
        self.events.extend(events)
        self.total += len(events)
        for event in events:
            for person in event_people(event):
                history = self.by_person.get(person)
                if history is None:
                    history = self.by_person[person] = deque(maxlen=self.per_person)
                history.append(event)
        return min(overflow, len(self.events)) if overflow else 0

    def for_person(self, person: int) -> list[Event]:
        return list(self.by_person.get(person, ()))

    def drop_after(self, tick: int) -> None:
        """Forget what happened after ``tick`` (the future of a line we left)."""
        kept = [e for e in self.events if e.tick <= tick]
        self.events = deque(kept, maxlen=self.events.maxlen)
        for person, history in list(self.by_person.items()):
            self.by_person[person] = deque((e for e in history if e.tick <= tick), maxlen=self.per_person)

    def clear(self) -> None:
        self.events.clear()
        self.by_person.clear()
        self.total = 0

    def __len__(self) -> int:
        return len(self.events)
