"""A table of ``MemoryView`` rows: when, kind, text, importance, last recalled (and score when ranked).

Kept apart from the tab so the tab is only about asking and paging. Rows are
whatever the engine answered, in its order (newest first, or best first for a
semantic search); the view may sort them by any column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.docks.mind_feed import KIND_COLOURS, MUTED
from engine.contracts import MemoryView

COLUMNS = ("When", "Kind", "Memory", "Imp.", "Recalled", "Score")
WHEN, KIND, TEXT, IMPORTANCE, LAST, SCORE = range(len(COLUMNS))
MEMORY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
PIN = "★ "
_Index = QModelIndex | QPersistentModelIndex


def importance_colour(importance: float) -> QColor:
    """Cream for the mundane (1) to warm apricot for the unforgettable (10)."""
    t = max(0.0, min(1.0, (importance - 1.0) / 9.0))
    low, high = (251, 248, 240), (246, 190, 120)
    return QColor(*(round(a + (b - a) * t) for a, b in zip(low, high, strict=True)))


class MemoryTableModel(QAbstractTableModel):
    def __init__(self, when: Callable[[int], str], ago: Callable[[int], str], parent: Any = None):
        super().__init__(parent)
        self.when = when  # tick -> "D2 14:05"
        self.ago = ago  # tick -> "3 h ago"
        self.rows: list[MemoryView] = []
        self.show_score = False

    def set_rows(self, rows: tuple[MemoryView, ...] | list[MemoryView], show_score: bool) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.show_score = show_score
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("When it happened", "What sort of memory", "The memory, in their words",
                    "Importance, 1 (mundane) to 10 (unforgettable)", "When they last recalled it",
                    "Retrieval score: recency + importance + relevance")[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        m, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(m, col)
        if role == SORT_ROLE:
            return (m.tick, m.kind, m.text, m.importance, m.last_access, m.score)[col]
        if role == MEMORY_ROLE:
            return m
        if role == Qt.ItemDataRole.ToolTipRole:
            pinned = "Pinned: a core memory that never fades.\n" if m.pinned else ""
            cites = f"\nRests on {len(m.evidence)} memories." if m.evidence else ""
            return f"{pinned}{m.text}{cites}\nLast recalled {self.when(m.last_access)}."
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == KIND:
                return QColor(KIND_COLOURS.get(m.kind, MUTED))
            if col in (WHEN, LAST, SCORE):
                return QColor(MUTED)
        if role == Qt.ItemDataRole.BackgroundRole and col == IMPORTANCE:
            return importance_colour(m.importance)
        if role == Qt.ItemDataRole.FontRole and m.pinned and col == TEXT:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (IMPORTANCE, SCORE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, m: MemoryView, col: int) -> str:
        if col == WHEN:
            return self.when(m.tick)
        if col == KIND:
            return m.kind
        if col == TEXT:
            return (PIN if m.pinned else "") + m.text
        if col == IMPORTANCE:
            return f"{m.importance:g}"
        if col == LAST:
            return self.ago(m.last_access)
        return f"{m.score:.2f}"

    def row_of(self, memory_id: int) -> int:
        for row, m in enumerate(self.rows):
            if m.id == memory_id:
                return row
        return -1
