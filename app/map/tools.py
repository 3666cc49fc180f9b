"""God-mode map tools, driven by the map view's mouse and key events.

* Select (the default): drag the selected person onto a tile to teleport them, drag the
  selected building to move it; Delete demolishes the selected building (asking first
  when people are inside).
* Place: a ghost footprint follows the cursor, green where a quick local check passes,
  red where it does not; a click sends ``PlaceBuilding`` and the engine's answer decides.
* Paint: a drag paints tiles; one ``PaintTerrain`` per stroke, sent on release.
* Pick: one click answers a question someone else asked ("which building is their new
  home?", "where does the fire break out?"); see :meth:`MapTools.pick`.

Esc or a right click drops Place and Paint. Ghosts are drawn by the scene (``Scene.ghosts``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QMessageBox

from app.map.sprite_sync import TILE
from engine.contracts import StaticWorld, Terrain
from engine.contracts.edits import Edit, MoveBuilding, PaintTerrain, PlaceBuilding, RemoveBuilding, TeleportPerson

SELECT, PLACE, PAINT, PICK = "select", "place", "paint", "pick"
DRAG_THRESHOLD = 4
GOOD = (90, 200, 90, 110)
BAD = (220, 60, 60, 110)
PERSON_GHOST = (246, 207, 87, 140)
BRUSH_RGBA = {Terrain.GRASS: (120, 170, 80, 170), Terrain.WATER: (70, 130, 200, 170),
              Terrain.ROAD: (150, 140, 130, 190), Terrain.PLAZA: (215, 200, 170, 170),
              Terrain.SAND: (230, 210, 140, 170), Terrain.FOREST: (50, 110, 60, 170)}
SIZES = {"park": (4, 4), "school": (4, 3), "town_hall": (4, 3), "apartment": (3, 4)}


def footprint_problem(static: StaticWorld, x: int, y: int, w: int, h: int, ignore: int = -1) -> str:
    """Why a building could not stand here ("" if it looks fine); the engine has the last word."""
    terrain = static.terrain
    rows, cols = terrain.shape
    if x < 0 or y < 0 or x + w > cols or y + h > rows:
        return "off the map"
    area = terrain[y:y + h, x:x + w]
    if (area == Terrain.WATER).any():
        return "on water"
    if (area == Terrain.ROAD).any():
        return "on a road"
    for b in static.buildings:
        if b.removed or b.id == ignore:
            continue
        if x < b.x + b.width and b.x < x + w and y < b.y + b.height and b.y < y + h:
            return f"overlaps {b.name}"
    edges = []
    if y > 0:
        edges.append(terrain[y - 1, x:x + w])
    if y + h < rows:
        edges.append(terrain[y + h, x:x + w])
    if x > 0:
        edges.append(terrain[y:y + h, x - 1])
    if x + w < cols:
        edges.append(terrain[y:y + h, x + w])
    if not any((edge == Terrain.ROAD).any() for edge in edges):
        return "no road along an edge"
    return ""


def line_tiles(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """The tiles on the way from a to b (both included), so a fast drag leaves no gaps."""
    steps = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
    return [(round(a[0] + (b[0] - a[0]) * i / steps), round(a[1] + (b[1] - a[1]) * i / steps))
            for i in range(steps + 1)]


class MapTools(QObject):
    """The active tool; ``MapView`` offers it every event first (``handle``)."""

    dropped = Signal()  # Place or Paint was dropped (Esc, right click): the palette clears its choice
    message = Signal(str)

    def __init__(self, view, send: Callable[[Edit], object], parent: QObject | None = None):  # type: ignore[no-untyped-def]
        super().__init__(parent or view)
        self.view = view
        self.send = send
        self.mode = SELECT
        self.building_type = "home"
        self.terrain = int(Terrain.ROAD)
        self._stroke: dict[tuple[int, int], int] = {}
        self._last_tile: tuple[int, int] | None = None
        self._grab: tuple[str, int] | None = None
        self._grab_offset = (0, 0)
        self._press: QPointF | None = None
        self._dragging = False
        self._picker: Callable[[tuple[int, int], tuple[str, int] | None], None] | None = None

    # ------------------------------------------------------------------ choosing

    @property
    def scene(self):  # type: ignore[no-untyped-def]
        return self.view.scene

    def arm(self, kind: str, value: object) -> None:
        """From the palette: ("building", type name), ("terrain", value) or ("none", None)."""
        self._reset()
        if kind == "building":
            self.mode, self.building_type = PLACE, str(value)
        elif kind == "terrain":
            self.mode, self.terrain = PAINT, int(value)  # type: ignore[call-overload]
        else:
            self.mode = SELECT
        self.view.host.setCursor(Qt.CursorShape.CrossCursor if self.mode != SELECT else Qt.CursorShape.ArrowCursor)

    def pick(self, prompt: str, answer: Callable[[tuple[int, int], tuple[str, int] | None], None]) -> None:
        """The next left click on the map calls ``answer(tile, hit)`` (hit: ("person"|"building", index)
        or None) instead of selecting; Esc or a right click cancels. ``prompt`` goes to the status bar."""
        self.arm("none", None)
        self.mode, self._picker = PICK, answer
        self.view.host.setCursor(Qt.CursorShape.PointingHandCursor)
        self.message.emit(f"{prompt} (Esc cancels)")

    def drop(self) -> None:
        was = self.mode
        self.arm("none", None)
        self.view.host.unsetCursor()
        if was != SELECT:
            self.dropped.emit()

    def _reset(self) -> None:
        self._picker = None
        self._stroke = {}
        self._last_tile = None
        self._grab = None
        self._press = None
        self._dragging = False
        self._ghosts([])

    def _ghosts(self, ghosts: list) -> None:
        self.scene.ghosts = ghosts
        self.view.update_map()

    # ------------------------------------------------------------------ geometry

    def tile_at(self, pos: QPointF) -> tuple[int, int] | None:
        static = self.scene.static
        if static is None:
            return None
        rows = static.terrain.shape[0]
        wx, wy = self.scene.camera.screen_to_world(pos.x(), pos.y())
        return math.floor(wx / TILE), rows - 1 - math.floor(wy / TILE)

    def tile_rect(self, x: int, y: int, w: int = 1, h: int = 1, rgba: tuple = GOOD) -> tuple:
        rows = self.scene.static.terrain.shape[0]
        return (x * TILE, (rows - y - h) * TILE, w * TILE, h * TILE, rgba)

    def place_size(self) -> tuple[int, int]:
        return SIZES.get(self.building_type, (3, 3))

    def place_at(self, pos: QPointF) -> tuple[int, int, int, int] | None:
        tile = self.tile_at(pos)
        if tile is None:
            return None
        w, h = self.place_size()
        return tile[0] - w // 2, tile[1] - h // 2, w, h

    # ------------------------------------------------------------------ events

    def handle(self, event: QEvent) -> bool:
        """True when the tool used the event (the view then ignores it)."""
        if self.scene.static is None:
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            return self._key(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.ShortcutOverride:
            key = event.key()  # type: ignore[attr-defined]
            drop = key == Qt.Key.Key_Escape and self.mode != SELECT
            remove = key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.mode == SELECT \
                and self.scene.selected_building >= 0
            if drop or remove:
                event.accept()
                return True
            return False
        if kind == QEvent.Type.Leave and self._last_tile is None and self._grab is None and self.scene.ghosts:
            self._ghosts([])  # the cursor left the map: no ghost stays behind
            return False
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease):
            return False
        mouse: QMouseEvent = event  # type: ignore[assignment]
        if self.mode == PLACE:
            return self._place(kind, mouse)
        if self.mode == PAINT:
            return self._paint(kind, mouse)
        if self.mode == PICK:
            return self._pick(kind, mouse)
        return self._select(kind, mouse)

    def _pick(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        if self._right_drop(kind, event):
            return True
        if kind != QEvent.Type.MouseButtonPress or event.button() != Qt.MouseButton.LeftButton:
            return kind == QEvent.Type.MouseButtonRelease
        tile = self.tile_at(event.position())
        answer = self._picker
        if tile is None or answer is None:
            return True
        hit = self.scene.pick(event.position().x(), event.position().y())
        self.drop()
        answer(tile, hit)
        return True

    def _right_drop(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.RightButton:
            self.drop()
            return True
        return False

    def _place(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        if self._right_drop(kind, event):
            return True
        spot = self.place_at(event.position())
        if spot is None:
            return False
        static = self.scene.static
        if kind == QEvent.Type.MouseMove:
            ok = not footprint_problem(static, *spot)
            self._ghosts([self.tile_rect(*spot, rgba=GOOD if ok else BAD)])
            return False  # hover tooltips and panning still work
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self.view.host.setFocus(Qt.FocusReason.MouseFocusReason)
            x, y, w, h = spot
            self.send(PlaceBuilding(type=self.building_type, x=x, y=y, width=w, height=h))
            return True
        return kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton

    def _paint(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        if self._right_drop(kind, event):
            return True
        tile = self.tile_at(event.position())
        if tile is None:
            return False
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self.view.host.setFocus(Qt.FocusReason.MouseFocusReason)
            self._stroke, self._last_tile = {}, None
            self._add_stroke(tile)
            return True
        if kind == QEvent.Type.MouseMove:
            if self._last_tile is not None and event.buttons() & Qt.MouseButton.LeftButton:
                self._add_stroke(tile)
                return True
            rgba = BRUSH_RGBA.get(Terrain(self.terrain), GOOD)
            self._ghosts([self.tile_rect(*tile, rgba=rgba)])
            return False
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton \
                and self._last_tile is not None:
            self._finish_stroke()
            return True
        return False

    def _add_stroke(self, tile: tuple[int, int]) -> None:
        terrain = self.scene.static.terrain
        rows, cols = terrain.shape
        for x, y in line_tiles(self._last_tile or tile, tile):
            if 0 <= x < cols and 0 <= y < rows:
                self._stroke[(x, y)] = self.terrain
        self._last_tile = tile
        rgba = BRUSH_RGBA.get(Terrain(self.terrain), GOOD)
        self._ghosts([self.tile_rect(x, y, rgba=rgba) for x, y in self._stroke])

    def _finish_stroke(self) -> None:
        terrain = self.scene.static.terrain
        cells = tuple((x, y, t) for (x, y), t in self._stroke.items() if int(terrain[y, x]) != t)
        self._stroke, self._last_tile = {}, None
        self._ghosts([])
        if cells:
            self.send(PaintTerrain(cells=cells))

    def _select(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        scene, pos = self.scene, event.position()
        if kind == QEvent.Type.MouseButtonPress:
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            hit = scene.pick(pos.x(), pos.y())
            if hit is None or hit[1] != (scene.selected_person if hit[0] == "person" else scene.selected_building):
                return False
            self.view.host.setFocus(Qt.FocusReason.MouseFocusReason)
            self._grab, self._press, self._dragging = hit, pos, False
            if hit[0] == "building":
                b = scene.static.buildings[hit[1]]
                tile = self.tile_at(pos) or (b.x, b.y)
                self._grab_offset = (tile[0] - b.x, tile[1] - b.y)
            return True
        if self._grab is None or self._press is None:
            return False
        if kind == QEvent.Type.MouseMove:
            if not self._dragging and (pos - self._press).manhattanLength() > DRAG_THRESHOLD:
                self._dragging = True
                self.view.host.setCursor(Qt.CursorShape.ClosedHandCursor)
            if self._dragging:
                self._drag_ghost(pos)
            return True
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            grab, dragging = self._grab, self._dragging
            self._reset()
            self.view.host.unsetCursor()
            if dragging:
                self._drop_grab(grab, pos)
            else:
                self.view.click_at(pos.x(), pos.y())
            return True
        return False

    def _drag_target(self, pos: QPointF) -> tuple[int, int] | None:
        tile = self.tile_at(pos)
        if tile is None or self._grab is None:
            return None
        if self._grab[0] == "building":
            return tile[0] - self._grab_offset[0], tile[1] - self._grab_offset[1]
        return tile

    def _drag_ghost(self, pos: QPointF) -> None:
        target = self._drag_target(pos)
        if target is None or self._grab is None:
            return
        if self._grab[0] == "person":
            self._ghosts([self.tile_rect(*target, rgba=PERSON_GHOST)])
            return
        b = self.scene.static.buildings[self._grab[1]]
        ok = not footprint_problem(self.scene.static, target[0], target[1], b.width, b.height, ignore=b.id)
        self._ghosts([self.tile_rect(target[0], target[1], b.width, b.height, GOOD if ok else BAD)])

    def _drop_grab(self, grab: tuple[str, int], pos: QPointF) -> None:
        self._grab = grab
        target = self._drag_target(pos)
        self._grab = None
        if target is None:
            return
        static = self.scene.static
        if grab[0] == "person":
            self.send(TeleportPerson(agent=static.people[grab[1]].id, x=target[0], y=target[1]))
        else:
            b = static.buildings[grab[1]]
            if (target[0], target[1]) != (b.x, b.y):
                self.send(MoveBuilding(building=b.id, x=target[0], y=target[1]))

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.mode != SELECT:
            self.drop()
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.mode == SELECT:
            return self.remove_selected()
        return False

    def remove_selected(self, confirm: bool = True) -> bool:
        scene = self.scene
        index = scene.selected_building
        if scene.static is None or not 0 <= index < len(scene.static.buildings):
            return False
        b = scene.static.buildings[index]
        if b.removed:
            return False
        inside = int((scene.snapshot.location == b.id).sum()) if scene.snapshot is not None else 0
        if confirm and inside:
            answer = QMessageBox.question(self.view, "Demolish?",
                                          f"{inside} {'person is' if inside == 1 else 'people are'} inside "
                                          f"{b.name}. Demolish it anyway?")
            if answer != QMessageBox.StandardButton.Yes:
                return True
        self.send(RemoveBuilding(building=b.id))
        return True

