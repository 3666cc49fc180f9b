"""Does the open world have changes its file lacks? Followed from the engine's snapshots and events.

The world changed when its tick or its timeline (checkpoints, branches) moved away from
what was last saved, or an edit or a jump in time was made since. A world that was never
saved (New world, an imported map) or is a recovery copy counts as changed from the start:
closing it would lose it. ``revision`` counts changes, so an autosave can tell whether
anything happened since the last one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.common.event_batch import EventBatch
from engine.contracts import EditApplied, EditMade, PluginsChosen, TimeJumped, WorldSaved, WorldSnapshot

_CHANGES = (EditMade, EditApplied, TimeJumped, PluginsChosen)


class UnsavedChanges(QObject):
    changed = Signal(bool)  # the new value of ``dirty``

    def __init__(self, is_own_file: Callable[[str], bool], parent: QObject | None = None):
        super().__init__(parent)
        self.is_own_file = is_own_file  # a save to this path is the world's own (not an autosave)
        self.dirty = False
        self.revision = 0
        self._saved_tick: int | None = None  # None: take it from the next snapshot
        self._saved_version: int | None = None
        self._last: tuple[int, int] | None = None  # the tick and timeline version last seen

    def world_opened(self, saved: bool) -> None:
        """A world was just opened or made; ``saved``: it is exactly what its own file holds."""
        self._saved_tick = None
        self._saved_version = None
        self._last = None
        self.revision = 0
        self._set(not saved)

    def on_snapshot(self, snapshot: WorldSnapshot) -> None:
        version = snapshot.timeline.version if snapshot.timeline is not None else 0
        self._last = (snapshot.tick, version)
        if self._saved_tick is None:
            self._saved_tick = snapshot.tick
        if snapshot.tick == self._saved_tick and self._saved_version is None:
            self._saved_version = version  # the first view of the saved state
            return
        if snapshot.tick != self._saved_tick or version != self._saved_version:
            self._mark()

    def on_events(self, events: EventBatch) -> None:
        for event in events.only(WorldSaved, *_CHANGES):  # in order: an edit after a save in the batch still counts
            if isinstance(event, WorldSaved):
                if self.is_own_file(event.path):
                    # The snapshot of this poll came first and shows the state just saved.
                    seen = self._last if self._last is not None and self._last[0] == event.tick else None
                    self._saved_tick, self._saved_version = event.tick, seen[1] if seen else None
                    self._set(False)
                    if self._last is not None and seen is None:
                        self._mark()  # the world had already moved on past the saved tick
            elif isinstance(event, _CHANGES):
                self._mark()

    def _mark(self) -> None:
        self.revision += 1
        self._saved_tick, self._saved_version = -1, -1  # only a save makes it clean again
        self._set(True)

    def _set(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.changed.emit(dirty)
