"""EngineBridge: the only path between the engine thread and the Qt widgets.

A ~30 Hz ``QTimer`` on the GUI thread drains the engine's outbox — the newest
snapshot and a bounded batch of events — and re-emits them as Qt signals.
The map hears every snapshot taken (``frame_changed``, ~15 a second at max speed: ``SNAPSHOT_MS``);
the docks and the status bar (``snapshot_changed``) at most every ``DOCKS_MS`` while
the engine runs, in an event-loop turn of their own: their redraws at 30 Hz would cost
the engine its time (they hold the GIL), and in the poll's turn they would hold up
input behind the map's and the events' work. A snapshot of a stopped engine, and the
one before any new moment, is never held.
``send`` puts a command in the inbox and returns at once: the GUI never waits
on the engine; answers come back later as events.

Reads (what someone remembers, plans, thought) are commands too: ``query``
sends one quietly — its answer goes to ``answers_arrived`` for the inspector,
and its "done" acknowledgement never reaches the event log, which is about the
town, not about the user clicking around.

The snapshot's costly parts (the ties' table, the society's view) are built while the engine
runs only for a dock on screen that shows them: each such dock is registered with
``read_part_when_shown``, and the engine is told which parts a dock on screen shows
(``EngineHandle.read_only``); tabbed away, they were a tenth of its time beside the window.

``moment_changed`` is the one signal for "what is on screen is now another moment":
a world was opened, time was moved (seek, branch switch, a new branch) or an edit was
undone or redone. It is emitted after the snapshot of that moment, so
``bridge.latest`` already shows it; every view that keeps anything between snapshots
(news lines, layouts, answers to questions) connects to it in its ``subscribe`` and
re-asks or forgets, so nothing from another time or branch stays on screen.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDockWidget

from app.common.event_batch import EventBatch
from engine import api
from engine.contracts import (
    Command,
    CommandApplied,
    CommandRejected,
    Event,
    MemoriesResult,
    MindReport,
    PluginsReport,
    SaveWorld,
    ThoughtsResult,
    TimeJumped,
    WorldSaved,
    WorldSnapshot,
)
from engine.contracts.snapshots import COSTLY_PARTS
from engine.contracts.society import LedgerResult, PairReport

log = logging.getLogger(__name__)
POLL_MS = 33
# A flood at max speed is taken in slices, each in an event-loop turn of its own so that input is
# handled between them (the event log, the map's marks and the undo history cost Python time per
# event, and one slice of 20,000 held a key press up behind it).
EVENTS_PER_POLL = 2_000
DOCKS_MS = 250
# While running, a snapshot is taken at most this often (every other poll: ~15 a second). The engine
# builds the next one only once the last was taken, and at one a tick that was ~14% of its time at max
# speed; the map glides people between snapshots on its own, at its own frame rate.
SNAPSHOT_MS = 60
ANSWERS = (MindReport, MemoriesResult, ThoughtsResult, LedgerResult, PairReport, PluginsReport)


@dataclass(frozen=True, slots=True)
class Moment:
    """Which moment the views must now show (see ``EngineBridge.moment_changed``)."""

    tick: int
    branch: int
    reason: str  # open | seek | switch | fork | undo | redo
    when: str = ""  # the clock at that tick, in words ("Day 2  08:00")


class EngineBridge(QObject):
    snapshot_changed = Signal(object)  # WorldSnapshot, for the docks: at most every DOCKS_MS while running
    frame_changed = Signal(object)  # WorldSnapshot, every one taken: for the map
    # Lists go as ``object``: declared ``list``, PySide converted each one to a QVariantList and back for
    # every slot, ~2 ms a poll of 2,000 events with the GIL held (the engine and the map waiting meanwhile).
    events_arrived = Signal(object)  # EventBatch
    answers_arrived = Signal(object)  # list[MindReport | MemoriesResult | ThoughtsResult | CommandRejected] of queries
    command_answered = Signal(object)  # CommandApplied | CommandRejected
    world_attached = Signal()  # a new world's engine is listened to: its first snapshot follows
    moment_changed = Signal(object)  # Moment: the views show another moment (see the module's doc)
    world_saved = Signal(str)  # path
    save_failed = Signal(str, str)  # path, reason
    engine_failed = Signal(str)

    def __init__(self, parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.handle: api.EngineHandle | None = None
        self.latest: WorldSnapshot | None = None
        self._pending_saves: dict[int, str] = {}
        self._quiet: set[int] = set()
        self._failure_reported = False
        self._opening = False  # the first snapshot of a newly attached world is a new moment
        self._shown: WorldSnapshot | None = None  # the last snapshot the docks were given
        self._shown_at = 0.0
        self._taken_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        self._more = QTimer(self)
        self._more.setSingleShot(True)
        self._more.setInterval(0)
        self._more.timeout.connect(self.poll)
        # While running, the docks' redraw (tens of ms) gets an event-loop turn of its own, after the map's
        # snapshot and the events: a key press waiting meanwhile is handled between them.
        self._docks_later = QTimer(self)
        self._docks_later.setSingleShot(True)
        self._docks_later.setInterval(0)
        self._docks_later.timeout.connect(self._show_docks)
        # part -> {dock's object name: on screen}; a part no dock registered for is always read
        self._part_docks: dict[str, dict[str, bool]] = {}

    def read_part_when_shown(self, part: str, dock: QDockWidget) -> None:
        """``dock`` shows the snapshots' ``part`` (one of ``COSTLY_PARTS``): the engine builds it while running
        only when this dock, or another registered for it, is on screen (kept by ``visibilityChanged``)."""
        if part not in COSTLY_PARTS:
            raise ValueError(f"not a costly part of a snapshot: {part}")
        name = dock.objectName()
        self._part_docks.setdefault(part, {})[name] = True  # until Qt says it is hidden

        def shown(visible: bool) -> None:
            self._part_docks[part][name] = visible
            self._tell_parts_read()
        dock.visibilityChanged.connect(shown)
        self._tell_parts_read()

    def parts_read(self) -> list[str]:
        """The costly parts a dock on screen shows, and those no dock registered for (someone may read them)."""
        return [part for part in COSTLY_PARTS
                if part not in self._part_docks or any(self._part_docks[part].values())]

    def _tell_parts_read(self) -> None:
        if self.handle is not None:
            self.handle.read_only(self.parts_read())

    def attach(self, handle: api.EngineHandle) -> None:
        """Start listening to a running engine (replacing any previous one)."""
        self.handle = handle
        self.latest = self._shown = None
        self._pending_saves.clear()
        self._quiet.clear()
        self._failure_reported = False
        self._opening = True
        self._tell_parts_read()
        self.world_attached.emit()
        self._timer.start()
        self.poll()

    def detach(self) -> api.EngineHandle | None:
        handle, self.handle = self.handle, None
        self._timer.stop()
        self._more.stop()
        self._docks_later.stop()
        return handle

    @property
    def saving(self) -> bool:
        """A save was sent and the engine has not answered it yet."""
        return bool(self._pending_saves)

    @property
    def attached(self) -> bool:
        return self.handle is not None

    def send(self, command: Command) -> int:
        """Queue ``command`` for the engine; returns its id (the answer arrives as an event)."""
        if self.handle is None:
            raise RuntimeError("no world is open")
        if isinstance(command, SaveWorld):
            self._pending_saves[command.id] = command.path
        return self.handle.submit(command)

    def query(self, command: Command) -> int | None:
        """Send a read or a quiet command (Watch); None when no world is open. Never raises."""
        if self.handle is None:
            return None
        self._quiet.add(command.id)
        return self.handle.submit(command)

    def poll(self) -> None:
        """Drain the outbox once (the timer calls this; tests may too)."""
        handle = self.handle
        if handle is None:
            return
        events = handle.drain_events(EVENTS_PER_POLL)
        more = len(events) >= EVENTS_PER_POLL
        now = time.monotonic()
        snapshot = None
        if self.latest is None or not self.latest.running or now - self._taken_at >= SNAPSHOT_MS / 1000:
            snapshot = handle.latest_snapshot()
            self._taken_at = now
        if snapshot is not None and snapshot is not self.latest:
            self.latest = snapshot
            self.frame_changed.emit(snapshot)
        latest = self.latest
        if latest is not None and latest is not self._shown:
            if not latest.running or self._opening:
                self._show_docks()
                if self._opening:
                    self._opening = False
                    self._announce("open")
            elif time.monotonic() - self._shown_at >= DOCKS_MS / 1000 and not self._docks_later.isActive():
                self._docks_later.start()
        if events:
            batch = self._answer(EventBatch(events))
            if batch:
                self.events_arrived.emit(batch)
        if more:
            self._more.start()  # more are waiting: take them in the next turn, not the next poll
        if not handle.alive and handle.failure is not None and not self._failure_reported:
            self._failure_reported = True
            self.engine_failed.emit(f"The simulation stopped: {handle.failure}")

    def _show_docks(self) -> None:
        """Give the docks the newest snapshot now."""
        if self.latest is not None and self.latest is not self._shown:
            self._shown, self._shown_at = self.latest, time.monotonic()
            self.snapshot_changed.emit(self.latest)

    def _answer(self, events: EventBatch) -> EventBatch:
        """Route answers; returns the events the rest of the app should see (quiet ones removed)."""
        answers: list[Event] = []
        if events.has(*ANSWERS, CommandApplied, CommandRejected):
            kept: list[Event] = []
            for event in events:
                if isinstance(event, ANSWERS):
                    answers.append(event)
                elif isinstance(event, CommandApplied | CommandRejected) and event.command_id in self._quiet:
                    self._quiet.discard(event.command_id)
                    if isinstance(event, CommandRejected):
                        answers.append(event)
                else:
                    kept.append(event)
            events = EventBatch(kept)
        if answers:
            self.answers_arrived.emit(answers)
        for event in events.only(CommandApplied, CommandRejected, WorldSaved):
            if isinstance(event, CommandApplied | CommandRejected):
                self.command_answered.emit(event)
                path = self._pending_saves.pop(event.command_id, None)
                if path is not None and isinstance(event, CommandRejected):
                    self.save_failed.emit(path, event.reason)
            elif isinstance(event, WorldSaved):
                self.world_saved.emit(event.path)
        jumps = events.only(TimeJumped)
        if jumps:  # several in one batch (a seek then a fork): the views need to re-ask once, for the last
            self._announce(jumps[-1].reason)
        return events

    def announce_moment(self, reason: str) -> None:
        """Tell the views the moment shown changed for a reason the engine does not report as a jump
        (an undo or a redo: the edit history knows, the engine only sees an edit)."""
        self._announce(reason)

    def _announce(self, reason: str) -> None:
        snapshot = self.latest
        if snapshot is None:
            return
        self._show_docks()  # the views re-ask for the moment the snapshot they hold shows
        branch = snapshot.timeline.current if snapshot.timeline is not None else 0
        self.moment_changed.emit(Moment(snapshot.tick, branch, reason, snapshot.clock_text))
