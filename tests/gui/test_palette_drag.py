"""Palette cards dragged onto the map: the ghost follows, the drop builds (or brings someone), undo takes it back."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.common.palette_mime import MIME
from engine.contracts import Terrain

from .conftest import wait_until
from .test_god_tools import _aim, _free_spot, _undo

COPY = Qt.DropAction.CopyAction


def _card_data(palette, kind: str, value: object):  # type: ignore[no-untyped-def]
    """What the palette list puts on the drag (the same call Qt makes when a drag starts)."""
    item = palette.find_card(kind, value)
    assert item is not None
    data = palette.list.mimeData([item])
    assert data.hasFormat(MIME) and MIME in palette.list.mimeTypes()
    return data


def _drag_onto(view, data, path: list[QPoint]) -> bool:  # type: ignore[no-untyped-def]
    host = view.host
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(path[0], COPY, data, buttons, mods)
    QApplication.sendEvent(host, enter)
    assert enter.isAccepted()
    for point in path[1:]:
        QApplication.sendEvent(host, QDragMoveEvent(point, COPY, data, buttons, mods))
    drop = QDropEvent(QPointF(path[-1]), COPY, data, buttons, mods, QEvent.Type.Drop)
    QApplication.sendEvent(host, drop)
    return drop.isAccepted()


def test_drag_a_cafe_from_the_palette_onto_the_map_then_undo(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view, static = window.map_view, bridge.latest.static
    width, height = controller.tools.place_size("cafe")
    x, y = _free_spot(static, width, height)
    target = _aim(view, x + width // 2, y + height // 2)
    data = _card_data(window.palette_dock, "building", "cafe")
    count = len(static.buildings)
    host = view.host
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(host, QDragEnterEvent(target + QPoint(-40, 0), COPY, data, buttons, mods))
    QApplication.sendEvent(host, QDragMoveEvent(target, COPY, data, buttons, mods))
    ghost = view.scene.ghosts[0]
    assert ghost[4][1] > ghost[4][0]  # a green footprint where it may stand
    drop = QDropEvent(QPointF(target), COPY, data, buttons, mods, QEvent.Type.Drop)
    QApplication.sendEvent(host, drop)
    assert drop.isAccepted() and not view.scene.ghosts
    wait_until(lambda: len(bridge.latest.static.buildings) > count, 10, "the dropped cafe")
    cafe = bridge.latest.static.buildings[count]
    assert (cafe.x, cafe.y, cafe.width, cafe.height) == (x, y, width, height) and cafe.name
    assert controller.tools.mode == "select"  # a drop arms nothing
    _undo(controller)
    wait_until(lambda: bridge.latest.static.buildings[count].removed, 10, "Ctrl+Z removes the dropped cafe")


def test_drop_a_new_person_and_something_that_is_not_a_card(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view, static = window.map_view, bridge.latest.static
    road = next((x, y) for y in range(static.terrain.shape[0]) for x in range(static.terrain.shape[1])
                if static.terrain[y, x] == Terrain.ROAD)
    point = _aim(view, *road)
    people = len(static.people)
    assert _drag_onto(view, _card_data(window.palette_dock, "person", "new"), [point])
    wait_until(lambda: len(bridge.latest.static.people) > people, 10, "the newcomer")
    text = QMimeData()
    text.setText("just words")
    enter = QDragEnterEvent(point, COPY, text, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    QApplication.sendEvent(view.host, enter)
    assert not enter.isAccepted()  # the map only takes palette cards
