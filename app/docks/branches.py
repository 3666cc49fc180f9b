"""Branches dock: every line of history the world has, and the one being shown.

Playing or editing from the past starts a new branch instead of overwriting the
old future, so the user needs a place to see those lines, go back to one, give
it a name, or throw it away. The dock only asks (signals); the time controls
send the commands, and a refusal (say, deleting the main line) comes back here
as an inline message rather than a modal box.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.common import formatting as fmt
from engine.contracts import BranchView, TimelineView

COLUMNS = ("Branch", "Forks at", "Length")
CONFIRM_SECONDS = 4.0  # a second click on Delete within this long deletes


def duration_text(ticks: int, tick_seconds: int) -> str:
    """'3h 05m' (or '45m') of sim time for a number of ticks."""
    minutes = max(0, ticks) * tick_seconds // 60
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


class BranchesDock(QWidget):
    switch_requested = Signal(int)
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("branchesTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.table.setToolTip("Lines of history. Double-click one to go to it; F2 or a slow click renames it")
        self.table.cellDoubleClicked.connect(lambda row, _col: self._switch_row(row))
        self.table.itemChanged.connect(self._on_item_changed)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.switch_button = QPushButton("Switch")
        self.switch_button.setToolTip("Show this branch, at its furthest tick")
        self.rename_button = QPushButton("Rename")
        self.rename_button.setToolTip("Give this branch a name (edit it in the list)")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Throw this branch away (click twice to confirm; main and the shown one stay)")
        self.switch_button.clicked.connect(lambda: self._switch_row(self.table.currentRow()))
        self.rename_button.clicked.connect(self._rename_current)
        self.delete_button.clicked.connect(self._delete_current)
        for button in (self.switch_button, self.rename_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel("")
        self.message.setObjectName("branchesMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(lambda: self.message.setText(""))
        self.branches: tuple[BranchView, ...] = ()
        self.current = -1
        self._key: tuple[int, int, int] | None = None
        self._filling = False
        self._armed: tuple[int, float] | None = None  # branch to delete, when Delete was first clicked

    # ------------------------------------------------------------------ feeding

    def set_timeline(self, timeline: TimelineView | None, tick_seconds: int, start_minute: int) -> None:
        """Rebuild the list, but only when the timeline itself changed (not on every snapshot)."""
        if timeline is None:
            return
        key = (timeline.version, timeline.head, timeline.current)
        if key == self._key or self.table.state() == QAbstractItemView.State.EditingState:
            return
        self._key = key
        selected = self.selected_branch()
        self.branches, self.current = timeline.branches, timeline.current
        self._filling = True
        self.table.setRowCount(len(self.branches))
        bold = QFont()
        bold.setBold(True)
        for row, branch in enumerate(self.branches):
            name = QTableWidgetItem(branch.name)
            name.setData(Qt.ItemDataRole.UserRole, branch.id)
            fork = QTableWidgetItem("—" if branch.parent < 0 else fmt.sim_time(branch.fork_tick, tick_seconds,
                                                                               start_minute))
            length = QTableWidgetItem(duration_text(branch.head_tick - branch.fork_tick, tick_seconds))
            length.setToolTip(f"{branch.head_tick - branch.fork_tick} ticks")
            for col, item in enumerate((name, fork, length)):
                if col:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if branch.id == self.current:
                    item.setFont(bold)
                    item.setToolTip("The branch being shown")
                self.table.setItem(row, col, item)
            if branch.id == selected:
                self.table.selectRow(row)
        self._filling = False

    def invalidate(self) -> None:
        """Rebuild from the next snapshot even if the timeline did not change (a refused rename)."""
        self._key = None

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#b23a2e" if error else "color:#4c4458")
        self.message.setText(text)
        self._message_timer.start(8000)

    # ------------------------------------------------------------------ asking

    def selected_branch(self) -> int:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else -1

    def row_of(self, branch: int) -> int:
        return next((row for row, b in enumerate(self.branches) if b.id == branch), -1)

    def _switch_row(self, row: int) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            self.show_message("Choose a branch first.", error=True)
            return
        branch = int(item.data(Qt.ItemDataRole.UserRole))
        if branch != self.current:
            self.switch_requested.emit(branch)

    def _rename_current(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            self.show_message("Choose a branch to rename.", error=True)
            return
        item = self.table.item(row, 0)
        if item is not None:
            self.table.editItem(item)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        branch = int(item.data(Qt.ItemDataRole.UserRole))
        name = item.text().strip()
        old = next((b.name for b in self.branches if b.id == branch), "")
        if name and name != old:
            self.rename_requested.emit(branch, name)
        elif not name:
            self.show_message("A branch needs a name.", error=True)
            self.invalidate()  # put the old name back on the next snapshot

    def _delete_current(self) -> None:
        branch = self.selected_branch()
        if branch < 0:
            self.show_message("Choose a branch to delete.", error=True)
            return
        armed = self._armed
        if armed is not None and armed[0] == branch and time.monotonic() - armed[1] < CONFIRM_SECONDS:
            self._armed = None
            self.delete_requested.emit(branch)
            return
        self._armed = (branch, time.monotonic())
        name = self.branches[self.row_of(branch)].name if self.row_of(branch) >= 0 else str(branch)
        self.show_message(f"Click Delete again to throw away '{name}' and everything that happened on it.")
