"""The undo history against a stand-in bridge: answers that arrive late, and time moving under it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.common.event_batch import EventBatch
from app.godmode.undo import EditHistory
from engine import api
from engine.contracts import EditApplied, TimeJumped
from engine.contracts.edits import EditPerson


class FakeBridge(QObject):
    events_arrived = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.attached = True
        self.sent: list[tuple[int, object]] = []
        self._next = 100

    def send(self, command) -> int:  # type: ignore[no-untyped-def]
        self._next += 1
        self.sent.append((self._next, command))
        return self._next

    def answer(self, command_id: int, summary: str, inverse) -> EditApplied:  # type: ignore[no-untyped-def]
        return EditApplied(0, command_id, summary, api.edit_to_json(inverse) if inverse else "")


def _history(qapp):  # type: ignore[no-untyped-def]
    bridge = FakeBridge()
    messages: list[str] = []
    return bridge, EditHistory(bridge, messages.append), messages


def test_undo_while_a_new_edit_is_on_its_way(qapp) -> None:  # type: ignore[no-untyped-def]
    bridge, history, _messages = _history(qapp)
    first = history.send(EditPerson(agent=1, age=40))
    bridge.events_arrived.emit(EventBatch([bridge.answer(first, "changed age", EditPerson(agent=1, age=30))]))
    assert history.stack.count() == 1
    second = history.send(EditPerson(agent=2, age=50))
    history.stack.undo()  # Ctrl+Z before the engine answered the second edit: it undoes the first
    undo_id = bridge.sent[-1][0]
    # Both answers in one batch: the second edit lands (dropping the undone first from the stack),
    # then the first's undo answer finds its step gone — and nothing breaks.
    bridge.events_arrived.emit(EventBatch([bridge.answer(second, "changed age of 2", EditPerson(agent=2, age=20)),
                                           bridge.answer(undo_id, "changed age back", EditPerson(agent=1, age=40))]))
    assert history.stack.count() == 1 and history.stack.text(0) == "changed age of 2"


def test_moving_in_time_clears_the_history_but_not_edits_on_their_way(qapp) -> None:  # type: ignore[no-untyped-def]
    bridge, history, messages = _history(qapp)
    first = history.send(EditPerson(agent=1, age=40))
    bridge.events_arrived.emit(EventBatch([bridge.answer(first, "changed age", EditPerson(agent=1, age=30))]))
    pending = history.send(EditPerson(agent=3, age=60))
    bridge.events_arrived.emit(EventBatch([TimeJumped(10, 1, 50, "fork"),
                                           bridge.answer(pending, "changed age of 3", EditPerson(agent=3, age=33))]))
    assert history.stack.count() == 1 and history.stack.text(0) == "changed age of 3"
    assert any("moved in time" in m for m in messages)
