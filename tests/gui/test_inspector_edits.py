"""God-mode editing in the inspector, in the real window against the live engine.

The person editor, home and workplace picked on the map, the memories tab's
add / edit / pin / forget, and whispering; each edit goes through the undo history.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.map.sprite_sync import TILE
from engine.contracts import BuildingType
from engine.contracts.edits import DeleteMemories, EditPerson, RemovePerson

from .conftest import run_ticks, wait_until


def _aim(view, x: float, y: float) -> QPoint:  # type: ignore[no-untyped-def]
    """Centre the map on tile (x, y); the tile centre's screen point."""
    rows = view.scene.static.terrain.shape[0]
    wx, wy = (x + 0.5) * TILE, (rows - y - 0.5) * TILE
    view.scene.camera.zoom = 2.0
    view.scene.camera.look_at(wx, wy)
    view.render_now()
    sx, sy = view.camera.world_to_screen(wx, wy)
    return QPoint(round(sx), round(sy))


def _click(view, point: QPoint) -> None:  # type: ignore[no-untyped-def]
    host, left = view.host, Qt.MouseButton.LeftButton
    for kind, held in ((QEvent.Type.MouseButtonPress, left), (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton)):
        event = QMouseEvent(kind, QPointF(point), QPointF(host.mapToGlobal(point)), left, held,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(host, event)


def _recording(inspector) -> list[object]:  # type: ignore[no-untyped-def]
    """Record what the inspector sends (it still goes through the undo history)."""
    sent: list[object] = []
    send = inspector.send_edit
    inspector.send_edit = lambda edit: (sent.append(edit), send(edit))[1]
    inspector.person_tabs.memories.send_edit = inspector.send_edit
    return sent


def _select(controller, person: int) -> None:  # type: ignore[no-untyped-def]
    controller.selection.select_person(person)
    inspector = controller.window.inspector
    inspector.person_tabs.setCurrentWidget(inspector.person_tabs.overview)
    wait_until(lambda: inspector.person.name.text() == controller.bridge.latest.static.people[person].name, 5,
               "the inspector to show the person")


def _show_memories(controller, person: int):  # type: ignore[no-untyped-def]
    controller.selection.select_person(person)
    tabs = controller.window.inspector.person_tabs
    tabs.setCurrentWidget(tabs.memories)
    memories = tabs.memories
    wait_until(lambda: memories.isVisible() and memories.result is not None, 10, "the memories tab")
    return memories


def _pick_on_map(controller, building) -> None:  # type: ignore[no-untyped-def]
    view = controller.window.map_view
    point = _aim(view, building.x + building.width // 2, building.y + building.height // 2)
    assert controller.tools.mode == "pick"
    _click(view, point)


def test_edit_traits_occupation_and_money_then_undo(controller) -> None:  # type: ignore[no-untyped-def]
    bridge, inspector = controller.bridge, controller.window.inspector
    person = 3
    _select(controller, person)
    sent = _recording(inspector)
    before = bridge.latest.static.people[person]
    page = inspector.person
    page.edit_button.click()
    editor = page.editor
    money_before = int(bridge.latest.money[person])  # paused: nothing spends until the ticks below
    assert inspector.editing() and editor.isVisible() and not page.personality.isVisible()
    assert editor.name.text() == before.name and editor.occupation.text() == before.occupation
    editor.occupation.setText("lighthouse keeper")
    editor.money.setValue(1234.56)
    editor.sliders[0].setValue(90)
    editor.sliders[4].setValue(5)
    run_ticks(controller, 5)  # snapshots keep arriving while the user types: the form is left alone
    assert editor.occupation.text() == "lighthouse keeper" and editor.sliders[0].value() == 90
    editor.apply_button.click()

    assert len(sent) == 1 and isinstance(sent[0], EditPerson)
    edit = sent[0]
    assert (edit.agent, edit.occupation, edit.money) == (person, "lighthouse keeper", 123456)
    assert edit.name is None and edit.age is None and edit.bio is None and edit.goals is None and edit.home is None
    assert edit.traits is not None and edit.traits[0] == 0.9 and edit.traits[4] == 0.05
    assert edit.traits[1:4] == before.traits[1:4]  # untouched sliders keep their exact values
    wait_until(lambda: bridge.latest.static.people[person].occupation == "lighthouse keeper", 10, "the edit")
    after = bridge.latest.static.people[person]
    assert after.traits[0] == 0.9 and after.traits[4] == 0.05 and int(bridge.latest.money[person]) == 123456
    wait_until(lambda: not inspector.editing(), 5, "the editor to close once applied")
    wait_until(lambda: page.money.text() == "$1,234.56", 5, "the overview to show the new money")

    controller.history.stack.undo()
    wait_until(lambda: bridge.latest.static.people[person].occupation == before.occupation, 10, "the undo")
    assert bridge.latest.static.people[person].traits == before.traits
    assert int(bridge.latest.money[person]) == money_before


def test_refused_edit_keeps_the_form_and_says_why(controller) -> None:  # type: ignore[no-untyped-def]
    inspector = controller.window.inspector
    _select(controller, 1)
    page = inspector.person
    page.edit_button.click()
    page.editor.name.setText("   ")
    assert not page.editor.apply_button.isEnabled()  # an empty name is never sent
    page.editor.name.setText("Ada")
    page.editor.revert_button.click()
    assert page.editor.name.text() == controller.bridge.latest.static.people[1].name
    # Someone in debt: the form shows it as it is (no silent change), and debt can be set too.
    info = controller.bridge.latest.static.people[1]
    page.editor.load(info, -426, "")
    assert page.editor.money.value() == -4.26 and page.editor.edit() is None
    page.editor.money.setValue(-2.0)
    page.editor.apply_button.click()
    wait_until(lambda: not inspector.editing(), 10, "the debt to be applied")
    assert int(controller.bridge.latest.money[1]) == -200
    page.edit_button.click()
    page.editor.age.setValue(120)
    page.editor.goals.setPlainText("Open a bakery by the river")
    page.editor.apply_button.click()
    wait_until(lambda: not inspector.editing(), 10, "the edit to be applied")
    assert controller.bridge.latest.static.people[1].age == 120
    assert controller.bridge.latest.static.people[1].goals == "Open a bakery by the river"
    page.edit_button.click()  # the goals set are shown next time
    assert page.editor.goals.toPlainText() == "Open a bakery by the river"
    # Meanwhile they leave town: the engine refuses the edit, and what was typed stays.
    page.editor.occupation.setText("river pilot")
    controller.history.send(RemovePerson(agent=1))
    wait_until(lambda: controller.bridge.latest.static.people[1].removed, 10, "them to leave")
    page.editor.apply_button.click()
    wait_until(lambda: page.editor.problem.isVisible(), 10, "the refusal in the editor")
    assert "no person 1" in page.editor.problem.text() and inspector.editing()
    assert page.editor.occupation.text() == "river pilot"
    page.editor.cancel_button.click()
    assert not inspector.editing() and page.personality.isVisible()


def test_pick_home_and_workplace_on_the_map(controller) -> None:  # type: ignore[no-untyped-def]
    bridge, inspector = controller.bridge, controller.window.inspector
    person = 2
    _select(controller, person)
    static = bridge.latest.static
    info = static.people[person]
    home = next(b for b in static.buildings if BuildingType(b.type).is_residential and b.id != info.home
                and not b.removed)
    inspector.person.pick_home.click()
    _pick_on_map(controller, home)
    wait_until(lambda: bridge.latest.static.people[person].home == home.id, 10, "the new home")
    wait_until(lambda: inspector.person.home.text() == home.name, 5, "the overview to show it")

    cafe = next(b for b in static.buildings if b.type == BuildingType.CAFE and not b.removed)
    inspector.person.pick_home.click()  # a cafe is no home: the engine refuses and says why
    _pick_on_map(controller, cafe)
    status = controller.window.statusBar()
    wait_until(lambda: status.currentMessage().startswith("Not done"), 10, "the refusal")
    assert "not a home" in status.currentMessage()
    assert bridge.latest.static.people[person].home == home.id

    inspector.person.pick_work.click()
    _pick_on_map(controller, cafe)
    wait_until(lambda: bridge.latest.static.people[person].workplace == cafe.id, 10, "the new workplace")
    inspector.person.no_work.trigger()
    wait_until(lambda: bridge.latest.static.people[person].workplace == -1, 10, "out of work")
    controller.history.stack.undo()
    wait_until(lambda: bridge.latest.static.people[person].workplace == cafe.id, 10, "undo: back at work")


def test_add_edit_and_find_a_memory_by_meaning(open_controller, thinking_world) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(thinking_world[0])
    memories = _show_memories(controller, 5)
    assert memories.add_action.isEnabled()
    memories.add_action.trigger()
    editor = memories.editor
    assert memories.editing() and editor.isVisible()
    editor.text.setPlainText("I found an old brass key under the bridge.")
    editor.importance.setValue(7)
    editor.save_button.click()
    wait_until(lambda: not memories.editing(), 10, "the form to close once the engine kept it")
    wait_until(lambda: "I found an old brass key under the bridge." in memories.visible_texts(), 10,
               "the new memory in the list")
    added = next(m for m in memories.result.memories if m.text == "I found an old brass key under the bridge.")
    assert added.importance == 7 and not added.pinned and added.kind == "observation"

    memories.select_memory(added.id)
    assert memories.edit_action.isEnabled()
    memories.edit_action.trigger()
    assert editor.text.toPlainText() == added.text
    new_text = "A purple giraffe danced on the roof of the town hall at midnight."
    editor.text.setPlainText(new_text)
    editor.save_button.click()
    wait_until(lambda: new_text in memories.visible_texts(), 10, "the changed memory in the list")
    assert added.text not in memories.visible_texts()

    memories.semantic.setChecked(True)
    memories.search.setText("purple giraffe dancing on the town hall roof")
    memories.search.returnPressed.emit()
    wait_until(lambda: memories.result.semantic and memories.result.query.startswith("purple giraffe"), 10,
               "the semantic search")
    assert memories.visible_texts()[0] == new_text  # retrieval now finds the new words first

    # Forgotten while being edited: the engine refuses the save, and the form keeps the words.
    changed = next(m for m in memories.result.memories if m.text == new_text)
    memories.select_memory(changed.id)
    memories.edit_action.trigger()
    editor.text.setPlainText("Words worth keeping")
    controller.history.send(DeleteMemories(memory_ids=(changed.id,)))
    wait_until(lambda: new_text not in memories.visible_texts(), 10, "the memory to be forgotten")
    editor.save_button.click()
    wait_until(lambda: editor.problem.isVisible(), 10, "the refusal in the form")
    assert memories.editing() and editor.text.toPlainText() == "Words worth keeping"


def test_pin_forget_several_and_undo(open_controller, thinking_world) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(thinking_world[0])
    memories = _show_memories(controller, 4)
    wait_until(lambda: len(memories.result.memories) >= 3, 10, "a few memories")
    first = memories.result.memories[0]
    memories.select_memory(first.id)
    pinned = first.pinned
    assert memories.pin_action.text() == ("Unpin" if pinned else "Pin")
    memories.pin_action.trigger()
    wait_until(lambda: next(m for m in memories.result.memories if m.id == first.id).pinned != pinned, 10,
               "the pin to toggle")
    assert memories.pin_action.text() == ("Pin" if pinned else "Unpin")
    controller.history.stack.undo()
    wait_until(lambda: next(m for m in memories.result.memories if m.id == first.id).pinned == pinned, 10,
               "undo of the pin")

    total = memories.total
    doomed = [m.id for m in memories.result.memories[1:3]]
    memories.table.clearSelection()
    for memory_id in doomed:
        row = memories.proxy.mapFromSource(memories.model.index(memories.model.row_of(memory_id), 0)).row()
        memories.table.selectionModel().select(
            memories.proxy.index(row, 0),
            memories.table.selectionModel().SelectionFlag.Select | memories.table.selectionModel().SelectionFlag.Rows)
    assert sorted(m.id for m in memories.selected_memories()) == sorted(doomed)
    assert memories.delete_action.text() == "Forget 2"
    menu_texts = [a.text() for a in memories.context_menu().actions() if not a.isSeparator()]
    assert len(menu_texts) == 4 and menu_texts[0] == "Add memory…" and menu_texts[-1] == "Forget 2"
    assert not memories.edit_action.isEnabled()  # edit acts on one memory
    memories.delete_action.trigger()
    wait_until(lambda: memories.total == total - 2, 10, "two memories forgotten")
    assert not set(doomed) & {m.id for m in memories.result.memories}
    controller.history.stack.undo()
    wait_until(lambda: memories.total == total, 10, "undo brings them back")
    assert set(doomed) <= {m.id for m in memories.result.memories}


def test_whisper_an_inner_thought(controller) -> None:  # type: ignore[no-untyped-def]
    inspector = controller.window.inspector
    _select(controller, 0)
    page = inspector.person
    assert not page.whisper_button.isEnabled()
    page.whisper_text.setText("Someone in this town is keeping a secret.")
    assert page.whisper_button.isEnabled()
    page.whisper_button.click()
    assert page.whisper_text.text() == ""
    QApplication.processEvents()
    memories = _show_memories(controller, 0)
    wait_until(lambda: "Someone in this town is keeping a secret." in memories.visible_texts(), 10,
               "the whisper among the memories")
    whisper = next(m for m in memories.result.memories if m.text == "Someone in this town is keeping a secret.")
    assert whisper.kind == "whisper"
