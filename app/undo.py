"""Undo and redo of god-mode edits, on the engine's inverses.

``EditHistory.send`` submits an edit. When the engine answers ``EditApplied`` a
``QUndoCommand`` is pushed whose undo sends the inverse the engine gave, and
whose redo sends the inverse of *that* (each answer carries the next inverse, so
the chain is tracked by command ids). A ``CommandRejected`` shows its reason in
the status bar and nothing is pushed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu

from engine import api
from engine.contracts import CommandRejected, EditApplied, Event
from engine.contracts.edits import Edit

STATUS_MS = 8000


class _EditCommand(QUndoCommand):
    def __init__(self, history: EditHistory, summary: str, inverse: str):
        super().__init__(summary)
        self.history = history
        self.undo_json = inverse  # sends this to undo
        self.redo_json = ""  # known once an undo has been applied
        self._first = True  # QUndoStack.push calls redo(): the edit is already applied
        self.waiting = ""  # "redo"/"undo" asked for before the engine answered the step before it

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        if self.redo_json:
            self.history._submit(api.edit_from_json(self.redo_json), "redo", self)
            self.redo_json = ""
        else:
            self.waiting = "redo"

    def undo(self) -> None:
        if self.undo_json:
            self.history._submit(api.edit_from_json(self.undo_json), "undo", self)
            self.undo_json = ""
        else:
            self.waiting = "undo"

    def resume(self) -> None:
        """Send a step the user asked for while the one before it was still on its way."""
        waiting, self.waiting = self.waiting, ""
        if waiting == "redo":
            self.redo()
        elif waiting == "undo":
            self.undo()


class EditHistory(QObject):
    """The window's undo stack of edits; ``message`` shows a line in the status bar."""

    applied = Signal(str)  # summary
    rejected = Signal(str)  # reason

    def __init__(self, bridge, message: Callable[[str], None], parent: QObject | None = None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.bridge = bridge
        self.message = message
        self.stack = QUndoStack(self)
        self._pending: dict[int, tuple[str, _EditCommand | None]] = {}
        bridge.events_arrived.connect(self.on_events)

    def send(self, edit: Edit) -> int | None:
        """Submit a new edit; it goes on the stack once the engine has applied it."""
        return self._submit(edit, "new", None)

    def clear(self) -> None:
        self.stack.clear()
        self._pending.clear()

    def _submit(self, edit: Edit, kind: str, command: _EditCommand | None) -> int | None:
        if not self.bridge.attached:
            return None
        command_id = self.bridge.send(edit)
        self._pending[command_id] = (kind, command)
        return command_id

    def on_events(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, EditApplied | CommandRejected) and event.command_id in self._pending:
                kind, command = self._pending.pop(event.command_id)
                if isinstance(event, CommandRejected):
                    if command is not None:  # an undo or redo the world no longer allows: the chain is broken
                        self.stack.clear()
                        self._pending = {k: v for k, v in self._pending.items() if v[1] is None}
                        self.message(f"Could not {kind}: {event.reason} (undo history cleared)")
                    else:
                        self.message(f"Not done: {event.reason}")
                    self.rejected.emit(event.reason)
                    continue
                self._applied(event, kind, command)

    def _applied(self, event: EditApplied, kind: str, command: _EditCommand | None) -> None:
        if kind == "new":
            if event.inverse:
                self.stack.push(_EditCommand(self, event.summary, event.inverse))
                self.message(event.summary)
            else:
                self.message(f"{event.summary} (cannot be undone)")
        elif command is not None and kind == "undo":
            command.redo_json = event.inverse
            self.message(f"Undone: {command.text()}")
            command.resume()
        elif command is not None:
            command.undo_json = event.inverse
            self.message(f"Redone: {command.text()}")
            command.resume()
        self.applied.emit(event.summary)


def install_edit_menu(window: QMainWindow, stack: QUndoStack, before: QMenu | None = None) -> QMenu:
    """An Edit menu with Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z) naming the edit."""
    menu = QMenu("&Edit", window)
    undo = stack.createUndoAction(menu, "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    redo = stack.createRedoAction(menu, "&Redo")
    redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
    for action in (undo, redo):
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        menu.addAction(action)
        window.addAction(action)  # shortcuts work with the menu closed
    bar = window.menuBar()
    if before is not None:
        bar.insertMenu(before.menuAction(), menu)
    else:
        bar.addMenu(menu)
    menu.setObjectName("editMenu")
    undo.setObjectName("undoAction")
    redo.setObjectName("redoAction")
    return menu
