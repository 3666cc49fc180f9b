"""What the user has selected, shared by the map, the inspector, the graph and the log."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

PERSON, BUILDING, NOTHING = "person", "building", ""


class Selection(QObject):
    """One selected person or building (or nothing). Emits only on a real change."""

    changed = Signal(str, int)  # kind, index
    focus_requested = Signal(str, int)  # "show me this on the map" (event log, search)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.kind = NOTHING
        self.index = -1

    def select(self, kind: str, index: int) -> None:
        if index < 0:
            kind, index = NOTHING, -1
        if (kind, index) != (self.kind, self.index):
            self.kind, self.index = kind, index
            self.changed.emit(kind, index)

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
