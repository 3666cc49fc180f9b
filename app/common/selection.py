"""What the user has selected, shared by the map, the inspector, the graph and the log."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

PERSON, BUILDING, NOTHING = "person", "building", ""


Member = tuple[str, int]  # (PERSON or BUILDING, index)


class Selection(QObject):
    """One selected person or building (or nothing), or a group of them picked on the map with a
    rubber band. A group and a single selection never coexist: choosing one drops the other.
    Emits only on a real change."""

    changed = Signal(str, int)  # kind, index
    focus_requested = Signal(str, int)  # "show me this on the map" (event log, search)
    group_changed = Signal(object)  # the new ``group``: a tuple of (kind, index), empty when none

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.kind = NOTHING
        self.index = -1
        self.group: tuple[Member, ...] = ()

    def select(self, kind: str, index: int) -> None:
        if index < 0:
            kind, index = NOTHING, -1
        self._set_group(())
        if (kind, index) != (self.kind, self.index):
            self.kind, self.index = kind, index
            self.changed.emit(kind, index)

    def set_group(self, members: tuple[Member, ...] | list[Member]) -> None:
        """Select several things at once; one member is an ordinary single selection, none clears."""
        unique = tuple(dict.fromkeys((str(kind), int(index)) for kind, index in members if index >= 0))
        if len(unique) < 2:
            self.select(*(unique[0] if unique else (NOTHING, -1)))
            return
        self.select(NOTHING, -1)
        self._set_group(unique)

    def _set_group(self, members: tuple[Member, ...]) -> None:
        if members != self.group:
            self.group = members
            self.group_changed.emit(members)

    def members(self) -> tuple[Member, ...]:
        """Everything selected: the group, else the single selection (or nothing)."""
        if self.group:
            return self.group
        return ((self.kind, self.index),) if self.kind else ()

    def select_person(self, index: int) -> None:
        self.select(PERSON, index)

    def select_building(self, index: int) -> None:
        self.select(BUILDING, index)

    def clear(self) -> None:
        self.select(NOTHING, -1)

    def focus(self, kind: str, index: int) -> None:
        """Select and ask the map to bring it into view."""
        self.select(kind, index)
        if index >= 0:
            self.focus_requested.emit(kind, index)

    @property
    def person(self) -> int:
        return self.index if self.kind == PERSON else -1

    @property
    def building(self) -> int:
        return self.index if self.kind == BUILDING else -1
