"""Direct manipulation on the map in the real window: rubber-band groups, group delete and move as one
undo step, copy/paste, the resize handle and the "New person" card."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from app.map.ghosts import BAND_RGBA
from app.map.scene import PERSON_LIFT
from app.map.sprite_sync import TILE
from app.map.tools import footprint_problem
from engine.contracts import BuildingType, Terrain
from engine.contracts.edits import PlaceBuilding, TeleportPerson

from .conftest import wait_until
from .test_god_tools import _aim, _free_spot, _key, _redo, _undo

LEFT = Qt.MouseButton.LeftButton
NO_KEYS = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _mouse(view, kind: QEvent.Type, point: QPoint, modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:  # type: ignore[no-untyped-def]
    host = view.host
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else LEFT
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else LEFT
    event = QMouseEvent(kind, QPointF(point), QPointF(host.mapToGlobal(point)), button, held, modifiers)
    QApplication.sendEvent(host, event)


def _hover(view, point: QPoint) -> None:  # type: ignore[no-untyped-def]
    host = view.host
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(point), QPointF(host.mapToGlobal(point)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, NO_KEYS)
    QApplication.sendEvent(host, event)


def _drag(view, points: list[QPoint], modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:  # type: ignore[no-untyped-def]
    _mouse(view, QEvent.Type.MouseButtonPress, points[0], modifiers)
    for point in points[1:]:
        _mouse(view, QEvent.Type.MouseMove, point, modifiers)
    _mouse(view, QEvent.Type.MouseButtonRelease, points[-1], modifiers)


def _screen(view, tx: float, ty: float) -> QPoint:  # type: ignore[no-untyped-def]
    """The screen point of tile coordinates (tx, ty) (tile corners at whole numbers)."""
    rows = view.scene.static.terrain.shape[0]
    sx, sy = view.camera.world_to_screen(tx * TILE, (rows - ty) * TILE)
    return QPoint(round(sx), round(sy))


def _place(controller, kind: str, x: int, y: int, w: int, h: int) -> int:  # type: ignore[no-untyped-def]
    """Place a building through the undo history; its index."""
    bridge = controller.bridge
    count = len(bridge.latest.static.buildings)
    controller.history.send(PlaceBuilding(type=kind, x=x, y=y, width=w, height=h))
    wait_until(lambda: len(bridge.latest.static.buildings) > count, 10, f"the {kind}")
    return count


def _two_free_spots(controller, w: int, h: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    first = _place(controller, "workshop", *_free_spot(controller.bridge.latest.static, w, h), w, h)
    second = _place(controller, "workshop", *_free_spot(controller.bridge.latest.static, w, h), w, h)
    return first, second


def _standing(static) -> set[int]:  # type: ignore[no-untyped-def]
    return {p.id for p in static.people if not p.removed}


def test_rubber_band_selects_the_people_and_buildings_inside(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    static = bridge.latest.static  # a world opens paused: nobody walks out of the band meanwhile
    anchor = next(b for b in static.buildings if not b.removed and b.type != BuildingType.PARK)
    x0, y0 = anchor.x - 5, anchor.y - 5
    x1, y1 = anchor.x + anchor.width + 5, anchor.y + anchor.height + 5
    # Someone out on a road inside the band, and someone on a road just outside it.
    roads = [(x, y) for y in range(y0 + 1, y1 - 1) for x in range(x0 + 1, x1 - 1)
             if static.terrain[y, x] == Terrain.ROAD]
    outside = next((x, y) for y in range(y1 + 2, static.terrain.shape[0]) for x in range(x0, x1)
                   if static.terrain[y, x] == Terrain.ROAD)
    walker, stray = [p.id for p in static.people if not p.removed and p.home != anchor.id][:2]
    for person, (x, y) in ((walker, roads[0]), (stray, outside)):
        controller.history.send(TeleportPerson(agent=person, x=x, y=y))
    wait_until(lambda: tuple(int(v) for v in bridge.latest.positions[walker]) == roads[0]
               and tuple(int(v) for v in bridge.latest.positions[stray]) == outside, 10, "two people on the roads")
    # The band holds what is drawn: wait for the two to finish gliding to their new spots.
    wait_until(lambda: view.scene.snapshot is bridge.latest and not view.scene.people.animating(), 10,
               "the map to show them there")
    _aim(view, (x0 + x1) / 2, (y0 + y1) / 2)
    view.scene.camera.zoom = min(view.camera.width, view.camera.height) * 0.8 / ((x1 - x0) * TILE)
    view.render_now()
    snap = bridge.latest
    # What a band from tile corner (x0, y0) to (x1, y1) holds, worked out from the engine's own numbers.
    buildings = {b.id for b in static.buildings if not b.removed
                 and x0 <= b.x + b.width / 2 <= x1 and y0 <= b.y + b.height / 2 <= y1}
    drawn_y = snap.positions[:, 1] - PERSON_LIFT / TILE
    people = {p.id for p in static.people if not p.removed and int(snap.location[p.id]) not in buildings
              and x0 <= snap.positions[p.id, 0] <= x1 and y0 <= drawn_y[p.id] <= y1}
    expected = {("building", i) for i in buildings} | {("person", i) for i in people}
    assert anchor.id in buildings and walker in people and stray not in people

    # Shift+drag starts a band even on top of a building (instead of selecting or moving it).
    start, end = _screen(view, x0, y0), _screen(view, x1, y1)
    inside = _screen(view, anchor.x + 0.5, anchor.y + 0.5)
    assert view.scene.pick(inside.x(), inside.y()) is not None
    _drag(view, [inside, (inside + end) / 2, end], SHIFT)
    assert ("building", anchor.id) in controller.selection.group
    assert bridge.latest.static.buildings[anchor.id].x == anchor.x  # nothing moved
    controller.selection.clear()
    assert view.scene.group == ()

    _drag(view, [start, (start + end) / 2, end], SHIFT)
    assert set(controller.selection.group) == expected
    assert set(view.scene.group) == expected  # drawn highlighted
    assert controller.selection.kind == ""  # a group, not a single selection
    assert view.scene.ghosts == []  # the band is gone after release
    view.render_now()
    _key(controller, Qt.Key.Key_Escape, NO_KEYS)  # Esc forgets the group
    assert controller.selection.group == () and view.scene.group == ()

    # A plain drag from an empty spot draws a band too; a click on empty map clears the group.
    empty = next((QPoint(px, py) for py in range(20, round(view.camera.height) - 20, 7)
                  for px in range(20, round(view.camera.width) - 20, 7)
                  if view.scene.pick(px, py) is None), None)
    assert empty is not None
    _mouse(view, QEvent.Type.MouseButtonPress, empty)
    _mouse(view, QEvent.Type.MouseMove, empty + QPoint(30, 20))
    assert len(view.scene.ghosts) == 1 and view.scene.ghosts[0][4] == BAND_RGBA
    assert view.scene.ghosts[0][2] == pytest.approx(30 / view.camera.zoom)  # world px, as wide as the drag
    _mouse(view, QEvent.Type.MouseButtonRelease, empty + QPoint(30, 20))
    assert view.scene.ghosts == []
    _drag(view, [empty])
    assert controller.selection.group == () and view.scene.group == ()


def test_group_delete_is_one_question_and_one_undo(controller, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    bridge, history = controller.bridge, controller.history
    view = controller.window.map_view
    a, b = _two_free_spots(controller, 3, 3)
    person = next(p.id for p in bridge.latest.static.people if not p.removed)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.Yes)
    controller.selection.set_group([("building", a), ("building", b), ("person", person)])
    assert view.scene.group == (("building", a), ("building", b), ("person", person))
    steps = history.stack.count()
    _key(controller, Qt.Key.Key_Delete, NO_KEYS)

    def gone() -> bool:
        s = bridge.latest.static
        return s.buildings[a].removed and s.buildings[b].removed and s.people[person].removed

    wait_until(gone, 10, "Delete to remove the whole group")
    assert len(asked) == 1 and "1 person and 2 buildings" in asked[0]
    wait_until(lambda: history.stack.count() == steps + 1, 5, "one undo step")
    assert controller.selection.group == ()

    _undo(controller)

    def back() -> bool:
        s = bridge.latest.static
        return not (s.buildings[a].removed or s.buildings[b].removed or s.people[person].removed)

    wait_until(back, 10, "one Ctrl+Z to bring them all back")
    _redo(controller)
    wait_until(gone, 10, "one Ctrl+Shift+Z to remove them all again")


def test_dragging_a_group_member_moves_the_whole_group(controller) -> None:  # type: ignore[no-untyped-def]
    bridge, history = controller.bridge, controller.history
    view = controller.window.map_view
    a, b = _two_free_spots(controller, 3, 3)
    static = bridge.latest.static
    first, second = static.buildings[a], static.buildings[b]
    moving = {first.id, second.id}
    offsets = sorted((abs(dx) + abs(dy), dx, dy) for dx in range(-6, 7) for dy in range(-6, 7)
                      if (dx, dy) != (0, 0)
                      and not footprint_problem(static, first.x + dx, first.y + dy, 3, 3, ignore=moving)
                      and not footprint_problem(static, second.x + dx, second.y + dy, 3, 3, ignore=moving))
    assert offsets, "nowhere to move the pair to"
    _, dx, dy = offsets[0]
    controller.selection.set_group([("building", a), ("building", b)])
    grab = _aim(view, first.x + 1, first.y + 1)
    assert view.scene.pick(grab.x(), grab.y()) == ("building", a)
    step = TILE * view.camera.zoom
    end = grab + QPoint(round(dx * step), round(dy * step))
    steps = history.stack.count()
    _drag(view, [grab, grab + QPoint(8, 0), end])

    def moved() -> bool:
        s = bridge.latest.static
        return (s.buildings[a].x, s.buildings[a].y, s.buildings[b].x, s.buildings[b].y) == \
            (first.x + dx, first.y + dy, second.x + dx, second.y + dy)

    wait_until(moved, 10, "both buildings to move by the same offset")
    wait_until(lambda: history.stack.count() == steps + 1, 5, "one undo step")
    _undo(controller)
    wait_until(lambda: (bridge.latest.static.buildings[a].x, bridge.latest.static.buildings[b].x)
               == (first.x, second.x), 10, "one Ctrl+Z to move both back")


def test_copy_paste_a_building_and_a_person(controller) -> None:  # type: ignore[no-untyped-def]
    bridge, history, window = controller.bridge, controller.history, controller.window
    view = window.map_view
    original = _place(controller, "cafe", *_free_spot(bridge.latest.static, 3, 3), 3, 3)
    static = bridge.latest.static
    source = static.buildings[original]
    x, y = _free_spot(static, 3, 3)
    controller.selection.select_building(original)
    _key(controller, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert controller.tools.clipboard is not None and len(controller.tools.clipboard.buildings) == 1
    _hover(view, _aim(view, x + 1, y + 1))  # paste centred on the tile under the cursor
    count, steps = len(static.buildings), history.stack.count()
    _key(controller, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_until(lambda: len(bridge.latest.static.buildings) > count, 10, "the pasted building")
    pasted = bridge.latest.static.buildings[count]
    assert (pasted.type, pasted.width, pasted.height) == (source.type, source.width, source.height)
    assert (pasted.x, pasted.y) == (x, y) and pasted.name == f"{source.name} (copy)"
    wait_until(lambda: history.stack.count() == steps + 1, 5, "one undo step")
    _undo(controller)
    wait_until(lambda: bridge.latest.static.buildings[count].removed, 10, "one Ctrl+Z to remove the copy")

    # A person: the same profile under a new name, through the Edit menu this time.
    static = bridge.latest.static
    person = next(p for p in static.people if not p.removed)
    controller.selection.select_person(person.id)
    window.findChild(type(window.window_actions.find), "copyAction").trigger()
    gx, gy = _free_spot(static, 1, 1)
    _hover(view, _aim(view, gx, gy))
    people = len(static.people)
    window.findChild(type(window.window_actions.find), "pasteAction").trigger()
    wait_until(lambda: len(bridge.latest.static.people) > people, 10, "the pasted person")
    twin = bridge.latest.static.people[people]
    assert twin.name == f"{person.name} II"
    assert (twin.occupation, twin.age, twin.traits) == (person.occupation, person.age, person.traits)
    assert tuple(int(v) for v in bridge.latest.positions[people]) == (gx, gy)
    _undo(controller)
    wait_until(lambda: bridge.latest.static.people[people].removed, 10, "Ctrl+Z to send the twin away")


def test_the_resize_handle_changes_the_size(controller) -> None:  # type: ignore[no-untyped-def]
    bridge = controller.bridge
    view = controller.window.map_view
    static = bridge.latest.static
    terrain = static.terrain
    spot = next((x, y) for y in range(2, terrain.shape[0] - 8) for x in range(2, terrain.shape[1] - 8)
                if not footprint_problem(static, x, y, 3, 3) and not footprint_problem(static, x, y, 5, 4))
    index = _place(controller, "workshop", *spot, 3, 3)
    controller.selection.select_building(index)
    _aim(view, spot[0] + 2, spot[1] + 2)
    corner = _screen(view, spot[0] + 3, spot[1] + 3)
    assert view.scene.on_handle(corner.x(), corner.y())
    step = TILE * view.camera.zoom
    end = corner + QPoint(round(2 * step), round(step))
    _drag(view, [corner, corner + QPoint(6, 3), end])
    wait_until(lambda: (bridge.latest.static.buildings[index].width, bridge.latest.static.buildings[index].height)
               == (5, 4), 10, "the building to grow to 5x4")
    b = bridge.latest.static.buildings[index]
    assert (b.x, b.y) == spot

    # Never smaller than 2x2, however far up-left the handle goes.
    view.render_now()
    corner = _screen(view, spot[0] + 5, spot[1] + 4)
    _drag(view, [corner, corner + QPoint(-6, -6), corner - QPoint(round(6 * step), round(6 * step))])
    wait_until(lambda: (bridge.latest.static.buildings[index].width, bridge.latest.static.buildings[index].height)
               == (2, 2), 10, "the building to shrink to 2x2")
    _undo(controller)
    wait_until(lambda: bridge.latest.static.buildings[index].width == 5, 10, "Ctrl+Z to undo the shrink")


def test_the_new_person_card_spawns_someone_where_clicked(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    static = bridge.latest.static
    window.palette_dock.choose("person", "new")
    assert controller.tools.mode == "spawn"
    x, y = _free_spot(static, 1, 1)
    point = _aim(view, x, y)
    before, names = _standing(static), {p.name for p in static.people}
    count = len(static.people)
    _mouse(view, QEvent.Type.MouseButtonPress, point)
    _mouse(view, QEvent.Type.MouseButtonRelease, point)
    wait_until(lambda: len(bridge.latest.static.people) > count, 10, "the newcomer")
    newcomer = bridge.latest.static.people[count]
    assert _standing(bridge.latest.static) == before | {newcomer.id}
    assert newcomer.name not in names and len(newcomer.name.split()) == 2
    assert tuple(int(v) for v in bridge.latest.positions[count]) == (x, y)
    assert np.isfinite(bridge.latest.positions[count]).all()
    _key(controller, Qt.Key.Key_Escape, NO_KEYS)
    assert controller.tools.mode == "select" and window.palette_dock.list.currentItem() is None
    _undo(controller)
    wait_until(lambda: bridge.latest.static.people[count].removed, 10, "Ctrl+Z to undo the arrival")
    assert _standing(bridge.latest.static) == before
