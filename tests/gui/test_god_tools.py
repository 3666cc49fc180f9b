"""God-mode tools in the real window: the palette, place/paint/drag on the map, undo and redo."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.map.sprite_sync import TILE
from app.map.tools import footprint_problem
from engine.contracts import Terrain
from engine.contracts.edits import PlaceBuilding

from .conftest import wait_until

LEFT = Qt.MouseButton.LeftButton


def _free_spot(static, width: int, height: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    terrain = static.terrain
    for y in range(2, terrain.shape[0] - height - 2):
        for x in range(2, terrain.shape[1] - width - 2):
            if (terrain[y:y + height, x:x + width] == Terrain.GRASS).all() \
                    and not footprint_problem(static, x, y, width, height):
                return x, y
    raise AssertionError("no free spot")


def _aim(view, x: float, y: float) -> QPoint:  # type: ignore[no-untyped-def]
    """Centre the map on tile (x, y) at a good zoom; the tile centre's screen point."""
    rows = view.scene.static.terrain.shape[0]
    wx, wy = (x + 0.5) * TILE, (rows - y - 0.5) * TILE
    view.scene.camera.zoom = 2.0
    view.scene.camera.look_at(wx, wy)
    view.render_now()
    sx, sy = view.camera.world_to_screen(wx, wy)
    return QPoint(round(sx), round(sy))


def _mouse(view, kind: QEvent.Type, point: QPoint, buttons: Qt.MouseButton = LEFT) -> None:  # type: ignore[no-untyped-def]
    host = view.host
    pos = QPointF(point)
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else LEFT
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else buttons
    event = QMouseEvent(kind, pos, QPointF(host.mapToGlobal(point)), button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(host, event)


def _drag(view, points: list[QPoint]) -> None:  # type: ignore[no-untyped-def]
    _mouse(view, QEvent.Type.MouseButtonPress, points[0])
    for point in points[1:]:
        _mouse(view, QEvent.Type.MouseMove, point)
    _mouse(view, QEvent.Type.MouseButtonRelease, points[-1])


def _key(controller, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:  # type: ignore[no-untyped-def]
    from pytestqt.qtbot import QtBot

    window = controller.window
    window.activateWindow()
    window.map_view.host.setFocus()
    QApplication.processEvents()
    QtBot.keyClick(window.map_view.host, key, modifiers)


def _undo(controller) -> None:  # type: ignore[no-untyped-def]
    _key(controller, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def _redo(controller) -> None:  # type: ignore[no-untyped-def]
    _key(controller, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def test_place_a_building_then_undo_and_redo(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    static = bridge.latest.static
    window.palette_dock.choose("building", "cafe")
    assert controller.tools.mode == "place"
    width, height = controller.tools.place_size()
    x, y = _free_spot(static, width, height)
    point = _aim(view, x + width // 2, y + height // 2)
    count = len(static.buildings)
    _mouse(view, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton)
    assert view.scene.ghosts and view.scene.ghosts[0][4][1] > view.scene.ghosts[0][4][0]  # green: looks fine
    _mouse(view, QEvent.Type.MouseButtonPress, point)
    _mouse(view, QEvent.Type.MouseButtonRelease, point)
    wait_until(lambda: len(bridge.latest.static.buildings) > count, 10, "the new building")
    new = bridge.latest.static.buildings[count]
    assert (new.x, new.y, new.width, new.height) == (x, y, width, height) and not new.removed
    view.render_now()  # the scene draws the new building (and skips removed ones) without failing
    assert controller.history.stack.count() == 1
    assert controller.history.stack.undoText()

    _undo(controller)
    wait_until(lambda: bridge.latest.static.buildings[count].removed, 10, "Ctrl+Z to remove the building")
    view.render_now()
    assert view.scene.pick(point.x(), point.y()) != ("building", count)
    _redo(controller)
    wait_until(lambda: not bridge.latest.static.buildings[count].removed, 10, "Ctrl+Shift+Z to bring it back")
    _undo(controller)
    wait_until(lambda: bridge.latest.static.buildings[count].removed, 10, "a second undo")

    # Esc drops the tool and the palette choice.
    _key(controller, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    assert controller.tools.mode == "select" and window.palette_dock.list.currentItem() is None


def test_a_refused_placement_says_why(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    terrain = bridge.latest.static.terrain
    water = np.argwhere(terrain[3:-3, 3:-3] == Terrain.WATER)
    assert len(water), "the village has no water"
    y, x = (int(v) + 3 for v in water[len(water) // 2])
    window.palette_dock.choose("building", "home")
    point = _aim(view, x, y)
    count = len(bridge.latest.static.buildings)
    _mouse(view, QEvent.Type.MouseButtonPress, point)
    _mouse(view, QEvent.Type.MouseButtonRelease, point)
    status = window.statusBar()
    wait_until(lambda: status.currentMessage().startswith("Not done"), 10, "the refusal in the status bar")
    assert "water" in status.currentMessage()
    assert len(bridge.latest.static.buildings) == count
    assert controller.history.stack.count() == 0


def test_paint_a_road_stroke_and_undo(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    static = bridge.latest.static
    x, y = _free_spot(static, 4, 3)
    before = static.terrain.copy()
    window.palette_dock.choose("terrain", int(Terrain.ROAD))
    assert controller.tools.mode == "paint"
    start = _aim(view, x, y + 2)
    step = round(TILE * view.camera.zoom)
    _drag(view, [start, start + QPoint(step, 0), start + QPoint(3 * step, 0)])
    cells = [(x + i, y + 2) for i in range(4)]
    wait_until(lambda: all(bridge.latest.static.terrain[cy, cx] == Terrain.ROAD for cx, cy in cells), 10,
               "the road to be painted")
    assert controller.history.stack.count() == 1
    _undo(controller)
    wait_until(lambda: (bridge.latest.static.terrain == before).all(), 10, "Ctrl+Z to restore the grass")


def test_drag_a_person_into_another_building(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    snap = bridge.latest
    static = snap.static
    person = 0
    xy = view.scene.person_xy(person)
    rows = static.terrain.shape[0]
    point = _aim(view, xy[0] / TILE - 0.5, rows - xy[1] / TILE - 0.5)
    hit = view.scene.pick(point.x(), point.y())
    assert hit is not None and hit[0] == "person"
    person = hit[1]
    _mouse(view, QEvent.Type.MouseButtonPress, point)  # a click selects
    _mouse(view, QEvent.Type.MouseButtonRelease, point)
    wait_until(lambda: controller.selection.person == person, 5, "the click to select")
    here = int(snap.location[person])
    target = next(b for b in static.buildings if b.id != here and not b.removed and b.type != 7)
    # Drag from the person to the middle of the target building (same view: no camera move in between).
    tx, ty = target.x + target.width // 2, target.y + target.height // 2
    wx, wy = (tx + 0.5) * TILE, (rows - ty - 0.5) * TILE
    view.scene.camera.zoom = min(view.scene.camera.zoom, 0.5)
    view.scene.camera.look_at((xy[0] + wx) / 2, (xy[1] + wy) / 2)
    view.render_now()
    sx, sy = view.camera.world_to_screen(*view.scene.person_xy(person))
    source = QPoint(round(sx), round(sy))
    assert view.scene.pick(source.x(), source.y()) == ("person", person)
    ex, ey = view.camera.world_to_screen(wx, wy)
    end = QPoint(round(ex), round(ey))
    _drag(view, [source, source + QPoint(10, 0), (source + end) / 2, end])
    wait_until(lambda: int(bridge.latest.location[person]) == target.id, 10, "the person to be in the building")
    assert controller.history.stack.count() == 1


def test_drag_a_building_then_delete_it(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    static = bridge.latest.static
    # Place a small workshop first (nobody inside), then move it by dragging and demolish it with Delete.
    x, y = _free_spot(static, 3, 3)
    controller.history.send(PlaceBuilding(type="workshop", x=x, y=y, width=3, height=3))
    count = len(static.buildings)
    wait_until(lambda: len(bridge.latest.static.buildings) > count, 10, "the workshop")
    static = bridge.latest.static
    terrain = static.terrain
    near = sorted((abs(cx - x) + abs(cy - y), cx, cy) for cy in range(max(0, y - 8), y + 8)
                   for cx in range(max(0, x - 8), x + 8) if (cx, cy) != (x, y)
                   and (terrain[cy:cy + 3, cx:cx + 3] == Terrain.GRASS).all()
                   and not footprint_problem(static, cx, cy, 3, 3, ignore=static.buildings[count].id))
    assert near, "nowhere to move the workshop to"
    _, nx, ny = near[0]
    grab = _aim(view, x + 1, y + 1)
    hit = view.scene.pick(grab.x(), grab.y())
    assert hit == ("building", count), hit
    _mouse(view, QEvent.Type.MouseButtonPress, grab)  # a click selects
    _mouse(view, QEvent.Type.MouseButtonRelease, grab)
    wait_until(lambda: controller.selection.building == count, 5, "the click to select the building")
    step = TILE * view.camera.zoom
    end = grab + QPoint(round((nx - x) * step), round((ny - y) * step))
    _drag(view, [grab, grab + QPoint(8, 0), end])
    wait_until(lambda: (bridge.latest.static.buildings[count].x, bridge.latest.static.buildings[count].y)
               == (nx, ny), 10, "the building to move")
    assert controller.history.stack.count() == 2
    view.select_building(count)
    _key(controller, Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
    wait_until(lambda: bridge.latest.static.buildings[count].removed, 10, "Delete to demolish it")
