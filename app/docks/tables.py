"""Read-only tables for the society docks: cells that sort by value, refills that keep the user's place.

A dock calls :func:`fill_table` with plain rows every time its view changes; the table is
rebuilt only when the rows really differ, and the scroll position and sort order survive a
rebuild, so a table never jumps under the reader.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

DATA_ROLE = Qt.ItemDataRole.UserRole  # what a click on the row refers to (a person or building id...)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    sort: Any = None  # sorts by this (a number) instead of the text when given
    data: Any = None  # carried on the row's first cell: what the row is about
    tip: str = ""


class SortableItem(QTableWidgetItem):
    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is not None and theirs is not None:
            return bool(mine < theirs)
        return self.text().lower() < other.text().lower()


def make_table(headers: tuple[str, ...], parent: QWidget | None = None, sortable: bool = True,
               stretch: int = 0) -> QTableWidget:
    """A read-only, row-selecting table; column ``stretch`` takes the spare width."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(22)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setSortingEnabled(sortable)
    return table


# What each table shows now, by table: so an unchanged snapshot leaves the table (and its scroll) alone.
_SHOWN_ROWS: weakref.WeakKeyDictionary[QTableWidget, tuple[tuple[tuple[str, Any], ...], ...]] = weakref.WeakKeyDictionary()


def fill_table(table: QTableWidget, rows: list[tuple[Cell, ...]]) -> bool:
    """Show ``rows``; returns False (and leaves the table alone) when they are what it already shows."""
    key = tuple(tuple((c.text, c.data) for c in row) for row in rows)
    if _SHOWN_ROWS.get(table) == key:
        return False
    _SHOWN_ROWS[table] = key
    scroll = table.verticalScrollBar().value()
    selected = row_data(table, table.currentRow()) if table.currentRow() >= 0 else None
    sorting = table.isSortingEnabled()
    table.setSortingEnabled(False)  # inserting into a sorted table would move rows under our feet
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            item = SortableItem(cell.text)
            if cell.sort is not None:
                item.setData(SORT_ROLE, cell.sort)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 0:
                item.setData(DATA_ROLE, cell.data)
            if cell.tip:
                item.setToolTip(cell.tip)
            table.setItem(r, c, item)
    table.setSortingEnabled(sorting)
    if selected is not None:
        for r in range(table.rowCount()):
            if row_data(table, r) == selected:
                table.blockSignals(True)
                table.selectRow(r)
                table.blockSignals(False)
                break
    table.verticalScrollBar().setValue(scroll)
    return True


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    """The text shown in one cell ("" where the cell has no item)."""
    item = table.item(row, column)
    return "" if item is None else item.text()


def row_data(table: QTableWidget, row: int) -> Any:
    """What row ``row`` is about (the first cell's data), None for no row."""
    item = table.item(row, 0) if row >= 0 else None
    return None if item is None else item.data(DATA_ROLE)
