"""The two boxes between threads: commands in, the newest snapshot and events out.

Snapshots sit in a latest-value slot: an old one is replaced, never queued, so
the GUI always draws the newest world. The slot also says whether its snapshot
was taken (``wanted``): at max speed the engine builds the next one only once the
reader has taken the last, so snapshots follow the display's rate (~30 a second),
not the tick rate, and a headless run nobody reads pays for almost none. The reader also
says which of the snapshot's costly parts it shows now (``read_only``): the window with its
social graph and society docks tabbed away reads neither, and building them for every
refresh was a tenth of the engine's time beside the window. Events queue up to a bound; past it the
oldest are dropped and counted (the world file's history keeps them all).
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterable

from engine.contracts.commands import Command
from engine.contracts.events import Event
from engine.contracts.snapshots import COSTLY_PARTS, WorldSnapshot


class Inbox:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Command] = queue.SimpleQueue()

    def put(self, command: Command) -> None:
        self._queue.put(command)

    def drain(self) -> list[Command]:
        commands = []
        while True:
            try:
                commands.append(self._queue.get_nowait())
            except queue.Empty:
                return commands


class Outbox:
    def __init__(self, max_events: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._snapshot: WorldSnapshot | None = None
        self._taken = True
        self.snapshots = 0  # published so far (the hand-off's test counts them)
        self._events: deque[Event] = deque(maxlen=max_events)
        self.dropped = 0
        self._read = frozenset(COSTLY_PARTS)

    def publish(self, snapshot: WorldSnapshot | None, events: list[Event]) -> None:
        with self._lock:
            if snapshot is not None:
                self._snapshot = snapshot
                self._taken = False
                self.snapshots += 1
            overflow = len(self._events) + len(events) - (self._events.maxlen or 0)
            if overflow > 0:
                self.dropped += overflow
            self._events.extend(events)

    def latest(self) -> WorldSnapshot | None:
        """The newest snapshot, for the reader (taking it asks the engine for the next)."""
        with self._lock:
            self._taken = True
            return self._snapshot

    def peek(self) -> WorldSnapshot | None:
        """The newest snapshot, for the engine itself (does not count as taken)."""
        with self._lock:
            return self._snapshot

    @property
    def wanted(self) -> bool:
        """The reader took the last snapshot (or there is none yet): a new one would be read."""
        return self._taken

    def read_only(self, parts: Iterable[str]) -> None:
        """The reader shows only ``parts`` of ``COSTLY_PARTS`` now; until it says so it reads them all."""
        parts = frozenset(parts)
        unknown = parts - set(COSTLY_PARTS)
        if unknown:
            raise ValueError(f"not a costly part of a snapshot: {', '.join(sorted(unknown))}")
        self._read = parts  # one reference swapped: the engine thread reads it without the lock

    def reads(self, part: str) -> bool:
        """Whether the reader shows ``part`` now (one of ``COSTLY_PARTS``)."""
        return part in self._read

    def drain(self, limit: int | None = None) -> list[Event]:
        with self._lock:
            if limit is None or limit >= len(self._events):
                events = list(self._events)
                self._events.clear()
            else:
                events = [self._events.popleft() for _ in range(limit)]
            return events
