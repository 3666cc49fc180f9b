"""Time travel through the real window: the playhead, the step keys, branches in the dock.

Each test opens the village, runs a few dozen ticks at full speed, then travels
back through the GUI (not through engine calls) and checks the clock the engine
reports.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import run_ticks, wait_until


def _settle(controller, tick: int, what: str) -> None:  # type: ignore[no-untyped-def]
    wait_until(lambda: controller.bridge.latest.tick == tick and not controller.bridge.latest.running, 20, what)


def test_dragging_the_playhead_moves_the_clock_back(controller) -> None:  # type: ignore[no-untyped-def]
    head = run_ticks(controller, 30)
    timeline = controller.window.timeline
    wait_until(lambda: timeline.timeline is not None and timeline.timeline.head == head, 10, "the head drawn")
    sent: list[tuple[int, bool]] = []
    timeline.seek_requested.connect(lambda tick, exact: sent.append((tick, exact)))
    line = timeline.playhead[2]
    for tick in (25, 20, 15, 12):  # a quick drag: throttled to one cheap seek, then the rest later
        line.setValue(tick)
        line.sigDragged.emit(line)
    assert sent == [(25, False)]
    assert all(other.value() == 12 for other in timeline.playhead)
    line.sigPositionChangeFinished.emit(line)
    assert sent[-1] == (12, True)
    _settle(controller, 12, "the exact seek to tick 12")
    snapshot = controller.bridge.latest
    assert snapshot.timeline.head == head  # looking at the past: the future is still there
    wait_until(lambda: timeline.header.isVisible() and controller.time.past_label.isVisible(), 5, "past notice")
    assert "new branch" in timeline.header.text()
    assert timeline.future[2].isVisible() and timeline.future[2].getRegion() == (12, head)
    assert timeline.playhead[0].value() == 12


def test_left_and_right_step_one_tick(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    head = run_ticks(controller, 20)
    window.activateWindow()
    window.timeline.setFocus()
    QApplication.processEvents()
    target = window.timeline  # not the map: bare arrows pan the map while it has focus
    wait_until(lambda: controller.bridge.latest.timeline.head == head, 10, "the head")
    from pytestqt.qtbot import QtBot

    QtBot.keyClick(target, Qt.Key.Key_Left)
    _settle(controller, head - 1, "Left to step back")
    QtBot.keyClick(target, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    _settle(controller, head - 11, "Shift+Left to jump back")
    QtBot.keyClick(target, Qt.Key.Key_Right)
    _settle(controller, head - 10, "Right to step forward in the past")
    QtBot.keyClick(target, Qt.Key.Key_End)
    _settle(controller, head, "End to go to the head")
    QtBot.keyClick(target, Qt.Key.Key_Right)  # at the head, Right runs the world one tick on
    _settle(controller, head + 1, "Right to step at the head")
    assert controller.bridge.latest.timeline.head == head + 1
    assert len(controller.bridge.latest.timeline.branches) == 1  # stepping at the head is no fork


def test_playing_from_the_past_branches_and_the_dock_switches_renames(controller) -> None:  # type: ignore[no-untyped-def]
    time = controller.time
    dock, table = time.branches, time.branches.table
    head = run_ticks(controller, 30)
    time.seek(10)
    _settle(controller, 10, "the seek back")
    run_ticks(controller, 5)  # running from the past forks a new branch
    wait_until(lambda: table.rowCount() == 2, 10, "the new branch in the dock")
    snapshot = controller.bridge.latest
    main = next(b for b in snapshot.timeline.branches if b.parent < 0)
    branch = next(b for b in snapshot.timeline.branches if b.parent >= 0)
    assert snapshot.timeline.current == branch.id and branch.fork_tick == 10
    assert table.item(dock.row_of(branch.id), 0).font().bold()
    # Rename the new branch in place.
    item = table.item(dock.row_of(branch.id), 0)
    item.setText("what if")
    wait_until(lambda: any(b.name == "what if" for b in controller.bridge.latest.timeline.branches), 10, "rename")
    wait_until(lambda: table.item(dock.row_of(branch.id), 0).text() == "what if", 5, "the dock to show the name")
    # Deleting the main line is refused, inline.
    table.selectRow(dock.row_of(main.id))
    dock.delete_button.click()
    dock.delete_button.click()
    wait_until(lambda: "cannot be deleted" in dock.message.text(), 10, "the refusal in the dock")
    assert len(controller.bridge.latest.timeline.branches) == 2
    # Switch back to main: its head is where it was.
    table.selectRow(dock.row_of(main.id))
    dock.switch_button.click()
    wait_until(lambda: controller.bridge.latest.timeline.current == main.id, 20, "the switch to main")
    _settle(controller, head, "main's head")
    wait_until(lambda: table.item(dock.row_of(main.id), 0).font().bold(), 5, "main shown as current")
    assert len(controller.bridge.latest.timeline.branches) == 2


def test_event_store_forgets_the_future_of_a_line_it_left():
    from app.common.event_store import EventStore
    from engine.contracts import Arrived

    store = EventStore()
    store.add([Arrived(tick, 1, 2) for tick in range(10)])
    store.drop_after(4)
    assert [e.tick for e in store.events] == [0, 1, 2, 3, 4]
    assert [e.tick for e in store.for_person(1)] == [0, 1, 2, 3, 4]
