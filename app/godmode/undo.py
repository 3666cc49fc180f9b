"""Undo and redo of god-mode edits, on the engine's inverses.

``EditHistory.send`` submits an edit. When the engine answers ``EditApplied`` a
``QUndoCommand`` is pushed whose undo sends the inverse the engine gave, and
whose redo sends the inverse of *that* (each answer carries the next inverse, so
the chain is tracked by command ids). A ``CommandRejected`` shows its reason in
the status bar and nothing is pushed.

``EditHistory.send_group`` submits several edits as one user action (a group move,
a group delete, a paste): once every one of them has been answered, the applied ones
go on the stack as children of one macro, so a single Ctrl+Z undoes them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu
from shiboken6 import isValid

from app.common.event_batch import EventBatch
from engine import api
from engine.contracts import CommandRejected, EditApplied, TimeJumped
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


@dataclass
class _Batch:
    """The edits of one ``send_group``: answers are collected until the last one arrives."""

    label: str
    answers: list[EditApplied | CommandRejected | None] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(answer is not None for answer in self.answers)


class EditHistory(QObject):
    """The window's undo stack of edits; ``message`` shows a line in the status bar."""

    applied = Signal(str)  # summary
    rejected = Signal(str)  # reason

    def __init__(self, bridge, message: Callable[[str], None], parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.message = message
        self.stack = QUndoStack(self)
        self._pending: dict[int, tuple[str, _EditCommand | None]] = {}
        self._batched: dict[int, tuple[_Batch, int]] = {}  # command id -> (its batch, its place in it)
        bridge.events_arrived.connect(self.on_events)

    def send(self, edit: Edit) -> int | None:
        """Submit a new edit; it goes on the stack once the engine has applied it."""
        return self._submit(edit, "new", None)

    def send_group(self, label: str, edits: Sequence[Edit]) -> list[int]:
        """Submit edits that make one user action: they become ONE undo step named ``label``.

        The engine applies them in this order; undo sends their inverses in reverse order."""
        if not edits or not self.bridge.attached:
            return []
        batch = _Batch(label, [None] * len(edits))
        ids = []
        for place, edit in enumerate(edits):
            command_id = self.bridge.send(edit)
            self._batched[command_id] = (batch, place)
            ids.append(command_id)
        return ids

    def clear(self) -> None:
        self.stack.clear()
        self._pending.clear()
        self._batched.clear()

    def _submit(self, edit: Edit, kind: str, command: _EditCommand | None) -> int | None:
        if not self.bridge.attached:
            return None
        command_id = self.bridge.send(edit)
        self._pending[command_id] = (kind, command)
        return command_id

    def on_events(self, events: EventBatch) -> None:
        for event in events.only(TimeJumped, EditApplied, CommandRejected):
            if isinstance(event, TimeJumped):
                self._time_moved()
                continue
            if isinstance(event, EditApplied | CommandRejected) and event.command_id in self._batched:
                batch, place = self._batched.pop(event.command_id)
                batch.answers[place] = event
                if batch.complete:
                    self._batch_done(batch)
                continue
            if isinstance(event, EditApplied | CommandRejected) and event.command_id in self._pending:
                kind, command = self._pending.pop(event.command_id)
                if command is not None and not isValid(command):
                    # Its step was dropped from the stack meanwhile (a new edit replaced what had been
                    # undone): the engine did what was asked, there is just nothing left to update.
                    continue
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

    def _time_moved(self) -> None:
        """A seek, a branch switch or a fork: the steps on the stack belong to another moment, and undoing
        one now would rewrite the past (and start yet another branch). New edits on their way still land."""
        if self.stack.count():
            self.stack.clear()
            self.message("Undo history cleared: the town moved in time")
        self._pending = {k: v for k, v in self._pending.items() if v[1] is None}

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
            self.bridge.announce_moment("undo")
            command.resume()
        elif command is not None:
            command.undo_json = event.inverse
            self.message(f"Redone: {command.text()}")
            self.bridge.announce_moment("redo")
            command.resume()
        self.applied.emit(event.summary)


    def _batch_done(self, batch: _Batch) -> None:
        done = [a for a in batch.answers if isinstance(a, EditApplied)]
        refused = [a for a in batch.answers if isinstance(a, CommandRejected)]
        undoable = [a for a in done if a.inverse]
        if undoable:
            # The children are already applied (_EditCommand skips its first redo), so the macro
            # only records them; undoing it undoes them in reverse order.
            self.stack.beginMacro(batch.label)
            for answer in undoable:
                self.stack.push(_EditCommand(self, answer.summary, answer.inverse))
            self.stack.endMacro()
        if refused:
            reason = refused[0].reason
            if done:
                self.message(f"{batch.label}: {len(refused)} of {len(batch.answers)} not done ({reason})")
            else:
                self.message(f"Not done: {reason}")
            self.rejected.emit(reason)
        elif len(undoable) < len(done):
            self.message(f"{batch.label} (cannot be fully undone)")
        else:
            self.message(batch.label)
        if done:
            self.applied.emit(batch.label)


def install_edit_menu(window: QMainWindow, stack: QUndoStack, before: QMenu | None = None,
                      copy: Callable[[], object] | None = None, paste: Callable[[], object] | None = None) -> QMenu:
    """An Edit menu with Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z) naming the edit, and Copy (Ctrl+C) and
    Paste (Ctrl+V) of map things when ``copy``/``paste`` are given."""
    menu = QMenu("&Edit", window)
    undo = stack.createUndoAction(menu, "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    redo = stack.createRedoAction(menu, "&Redo")
    redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
    actions: list[QAction] = [undo, redo]
    for text, keys, name, slot in (("&Copy", "Ctrl+C", "copyAction", copy), ("&Paste", "Ctrl+V", "pasteAction", paste)):
        if slot is None:
            continue
        action = QAction(text, menu)
        action.setShortcut(QKeySequence(keys))
        action.setObjectName(name)
        action.setStatusTip("Copy the selected buildings and people" if name == "copyAction"
                            else "Paste them at the tile under the cursor")
        action.triggered.connect(lambda _checked=False, run=slot: run())
        actions.append(action)
    for index, action in enumerate(actions):
        if index == 2:
            menu.addSeparator()
        # A text field with focus still gets its own Ctrl+C/V: it claims them as a shortcut override.
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
