"""The events the GUI has seen: a bounded log plus a short history of the people being looked at.

Pure Python (no Qt) so it is cheap to test; the event log's model and the
inspector read from it.

A history is kept only for the few people someone asked about (the inspector's
person, the last ``FOLLOWED`` of them), never for everyone: a history for each
of a 10,000-person town's people kept nearly every event ever seen alive (130,000
after 20 seconds at max speed, ~35 MB and growing), for a dock that shows one
person at a time. A person asked about for the first time starts with what the
log still holds of them (all of it in a small town; the last ``LOG_LIMIT`` events'
worth in a big one at full speed) and gathers from then on.
"""

from __future__ import annotations

from collections import deque

from app.common.formatting import event_people
from engine.contracts import Event

LOG_LIMIT = 20_000
PER_PERSON = 25
FOLLOWED = 8  # people whose history is kept while it is not on screen (going back to one shows it whole)


class EventStore:
    def __init__(self, limit: int = LOG_LIMIT, per_person: int = PER_PERSON, followed: int = FOLLOWED):
        self.events: deque[Event] = deque(maxlen=limit)
        self.per_person = per_person
        self.followed = followed
        self.by_person: dict[int, deque[Event]] = {}  # the people followed, the most recently asked about last
        self.total = 0  # events ever added (absolute index of the next one)

    def add(self, events: list[Event]) -> int:
        """Append; returns how many old events fell off the front."""
        overflow = max(0, len(self.events) + len(events) - (self.events.maxlen or 0))
        self.events.extend(events)
        self.total += len(events)
        if self.by_person:
            for event in events:
                for person in event_people(event):
                    history = self.by_person.get(person)
                    if history is not None:
                        history.append(event)
        return min(overflow, len(self.events)) if overflow else 0

    def history(self, person: int) -> deque[Event]:
        """``person``'s recent events, oldest first; from now on they are followed as events arrive."""
        history = self.by_person.pop(person, None)
        if history is None:
            history = deque((e for e in self.events if person in event_people(e)), maxlen=self.per_person)
        self.by_person[person] = history  # the most recently asked about last
        while len(self.by_person) > self.followed:
            del self.by_person[next(iter(self.by_person))]
        return history

    def for_person(self, person: int) -> list[Event]:
        return list(self.history(person))

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
