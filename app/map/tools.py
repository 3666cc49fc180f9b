"""God-mode map tools, driven by the map view's mouse and key events.

* Select (the default): the drags of ``app.map.select_tool`` (move or resize the selected
  thing, rubber-band a group, move a group). Delete demolishes the selected building (asking
  first when people are inside), or removes the whole group (one question, one undo step);
  Esc forgets a group. Ctrl+C / Ctrl+V copy the selection and paste it at the tile under the
  cursor (``app.map.clipboard``).
* New person: a click spawns someone with a fresh name on that tile.
* Place: a ghost footprint follows the cursor, green where a quick local check passes,
  red where it does not; a click sends ``PlaceBuilding`` and the engine's answer decides.
* Paint: a drag paints tiles; one ``PaintTerrain`` per stroke, sent on release.
* Object: a one-tile ghost (green/red) follows the cursor; a click sends ``PlaceProp``.
* Remove object: a click on an object sends ``RemoveProp`` (the ghost is red over an object).
* Pick: one click answers a question someone else asked ("which building is their new
  home?", "where does the fire break out?"); see :meth:`MapTools.pick`. ``pick_every``
  keeps asking, click after click (where the person the player plays walks next).

Esc or a right click drops Place, Paint, Object, Remove object and New person. Ghosts are drawn by the scene (``Scene.ghosts``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QMessageBox

from app.common.palette_mime import terrain_value
from app.map import group as groups
from app.map.clipboard import Clip, copy_members, paste_edits
from app.map.ghosts import (
    BAD,
    BRUSH_RGBA,
    ERASE_PROP,
    ERASER_GHOST,
    GOOD,
    PERSON_GHOST,
    can_stand,
    footprint_problem,
    prop_problem,
    prop_under,
)
from app.map.palette_drop import DRAG_EVENTS, PaletteDrop
from app.map.select_tool import SelectTool
from app.map.sprite_sync import TILE
from engine import api
from engine.contracts import Terrain
from engine.contracts.edits import (
    Edit,
    PaintTerrain,
    PlaceBuilding,
    PlaceProp,
    RemoveBuilding,
    RemoveProp,
    SpawnPerson,
)

__all__ = ["MapTools", "footprint_problem", "line_tiles"]  # footprint_problem: tests and docks check spots with it

SELECT, PLACE, PAINT, PICK, SPAWN, PROP, UNPROP = "select", "place", "paint", "pick", "spawn", "prop", "unprop"

SIZES = {"park": (4, 4), "school": (4, 3), "town_hall": (4, 3), "apartment": (3, 4)}


def line_tiles(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """The tiles on the way from a to b (both included), so a fast drag leaves no gaps."""
    steps = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
    return [(round(a[0] + (b[0] - a[0]) * i / steps), round(a[1] + (b[1] - a[1]) * i / steps))
            for i in range(steps + 1)]


class MapTools(QObject):
    """The active tool; ``MapView`` offers it every event first (``handle``)."""

    dropped = Signal()  # Place, Paint or New person was dropped (Esc, right click): the palette clears its choice
    message = Signal(str)

    def __init__(self, view, send: Callable[[Edit], object], parent: QObject | None = None,
                 send_group: Callable[[str, Sequence[Edit]], object] | None = None, selection=None):
        """``send_group(label, edits)`` sends edits as one undo step; ``selection`` (an
        ``app.common.selection.Selection``) holds the rubber-band group."""
        super().__init__(parent or view)
        self.view = view
        self.send = send
        self.send_group = send_group or self._send_each
        self.selection = selection
        if selection is not None:
            selection.group_changed.connect(view.set_group)
        self.mode = SELECT
        self.building_type = "home"
        self.terrain = int(Terrain.ROAD)
        self.prop_kind = "tree"
        self._stroke: dict[tuple[int, int], int] = {}
        self._last_tile: tuple[int, int] | None = None
        self._picker: Callable[[tuple[int, int], tuple[str, int] | None], None] | None = None
        self._keep_picking = False  # pick_every: the tool stays armed after a click
        self.select_tool = SelectTool(self)
        self._cursor: QPointF | None = None  # the last mouse position over the map (pastes go there)
        self.clipboard: Clip | None = None
        self._names_given: set[str] = set()  # spawned names the engine may not have shown yet
        self.drops = PaletteDrop(self)  # palette cards dragged onto the map
        view.host.setAcceptDrops(True)

    def _send_each(self, _label: str, edits: Sequence[Edit]) -> None:
        for edit in edits:
            self.send(edit)

    # ------------------------------------------------------------------ choosing

    @property
    def scene(self):
        return self.view.scene

    def arm(self, kind: str, value: object) -> None:
        """From the palette: ("building", type name), ("terrain", value), ("person", "new"), ("prop", kind),
        ("prop", "remove") or ("none", None)."""
        self._reset()
        if kind == "building":
            self.mode, self.building_type = PLACE, str(value)
        elif kind == "prop" and value == ERASE_PROP:
            self.mode = UNPROP
        elif kind == "prop":
            self.mode, self.prop_kind = PROP, str(value)
        elif kind == "terrain":
            self.mode, self.terrain = PAINT, terrain_value(value)
        elif kind == "person":
            self.mode = SPAWN
        else:
            self.mode = SELECT
        self.view.host.setCursor(Qt.CursorShape.CrossCursor if self.mode != SELECT else Qt.CursorShape.ArrowCursor)
        self.scene.show_handle = self.mode == SELECT  # no resizing while another tool is armed

    def pick(self, prompt: str, answer: Callable[[tuple[int, int], tuple[str, int] | None], None]) -> None:
        """The next left click on the map calls ``answer(tile, hit)`` (hit: ("person"|"building", index)
        or None) instead of selecting; Esc or a right click cancels. ``prompt`` goes to the status bar."""
        self.arm("none", None)
        self.mode, self._picker = PICK, answer
        self.view.host.setCursor(Qt.CursorShape.PointingHandCursor)
        self.message.emit(f"{prompt} (Esc cancels)")

    def pick_every(self, prompt: str, answer: Callable[[tuple[int, int], tuple[str, int] | None], None]) -> None:
        """Like ``pick``, but every left click answers until Esc, a right click or another tool."""
        self.pick(prompt, answer)
        self._keep_picking = True

    def drop(self) -> None:
        was = self.mode
        self.arm("none", None)
        self.view.host.unsetCursor()
        if was != SELECT:
            self.dropped.emit()

    def _reset(self) -> None:
        self._picker = None
        self._keep_picking = False
        self._stroke = {}
        self._last_tile = None
        self.select_tool.reset()
        self.show_ghosts([])

    def end_gesture(self) -> None:
        """A Select drag is over: no ghost, the usual cursor."""
        self._reset()
        self.view.host.unsetCursor()

    def show_ghosts(self, ghosts: list) -> None:
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

    def place_size(self, building_type: str | None = None) -> tuple[int, int]:
        return SIZES.get(building_type or self.building_type, (3, 3))

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
        if kind in DRAG_EVENTS:
            return self.drops.handle(event)
        # Qt types the event as a bare QEvent; its type() says which subclass it is.
        if kind == QEvent.Type.KeyPress:
            return self._key(cast(QKeyEvent, event))
        if kind == QEvent.Type.ShortcutOverride:
            key = cast(QKeyEvent, event).key()
            drop = key == Qt.Key.Key_Escape and (self.mode != SELECT or bool(self.group()))
            remove = key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.mode == SELECT \
                and (self.scene.selected_building >= 0 or bool(self.group()))
            if drop or remove:
                event.accept()
                return True
            return False
        if kind == QEvent.Type.Leave:
            self._cursor = None
            if self._last_tile is None and self.select_tool.action is None and self.scene.ghosts:
                self.show_ghosts([])  # the cursor left the map: no ghost stays behind
            return False
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease):
            return False
        mouse = cast(QMouseEvent, event)  # one of the three mouse event types just checked
        self._cursor = mouse.position()
        if self.mode == PLACE:
            return self._place(kind, mouse)
        if self.mode == PAINT:
            return self._paint(kind, mouse)
        if self.mode == PICK:
            return self._pick(kind, mouse)
        if self.mode == SPAWN:
            return self._spawn(kind, mouse)
        if self.mode in (PROP, UNPROP):
            return self._prop(kind, mouse)
        return self.select_tool.handle(kind, mouse)

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
        if not self._keep_picking:
            self.drop()
        answer(tile, hit)
        return True

    def _right_drop(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.RightButton:
            self.drop()
            return True
        return False

    def _click_tool(self, kind: QEvent.Type, event: QMouseEvent, where: Callable[[QPointF], Any],
                    ghosts: Callable[[Any], list], edit: Callable[[Any], Edit | None]) -> bool:
        """What the click-to-make tools share: a right click drops the tool, moving shows the ghost of
        what would be made at ``where(cursor)``, a left click sends ``edit`` of it."""
        if self._right_drop(kind, event):
            return True
        spot = where(event.position())
        if spot is None:
            return False
        if kind == QEvent.Type.MouseMove:
            self.show_ghosts(ghosts(spot))
            return False  # hover tooltips and panning still work
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self.view.host.setFocus(Qt.FocusReason.MouseFocusReason)
            made = edit(spot)
            if made is not None:
                self.send(made)
            return True
        return kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton

    def _place(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        def ghost(spot: tuple[int, int, int, int]) -> list:
            ok = not footprint_problem(self.scene.static, *spot, park=self.building_type == "park")
            return [self.tile_rect(*spot, rgba=GOOD if ok else BAD)]

        def build(spot: tuple[int, int, int, int]) -> Edit:
            x, y, w, h = spot
            return PlaceBuilding(type=self.building_type, x=x, y=y, width=w, height=h)

        return self._click_tool(kind, event, self.place_at, ghost, build)

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
            self.show_ghosts([self.tile_rect(*tile, rgba=rgba)])
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
        self.show_ghosts([self.tile_rect(x, y, rgba=rgba) for x, y in self._stroke])

    def _finish_stroke(self) -> None:
        terrain = self.scene.static.terrain
        cells = tuple((x, y, t) for (x, y), t in self._stroke.items() if int(terrain[y, x]) != t)
        self._stroke, self._last_tile = {}, None
        self.show_ghosts([])
        if cells:
            self.send(PaintTerrain(cells=cells))

    # ------------------------------------------------------------------ objects

    def prop_ghost(self, tile: tuple[int, int], removing: bool) -> tuple:
        """The one-tile ghost: green/red where an object may/may not go; over an object when removing."""
        static = self.scene.static
        if removing:
            return self.tile_rect(*tile, rgba=ERASER_GHOST if prop_under(static, *tile) >= 0 else BAD)
        return self.tile_rect(*tile, rgba=GOOD if not prop_problem(static, *tile) else BAD)

    def prop_edit(self, tile: tuple[int, int], kind: str) -> Edit | None:
        """PlaceProp of ``kind`` on the tile, or (kind "remove") RemoveProp of the object there (None: nothing)."""
        if kind != ERASE_PROP:
            return PlaceProp(kind=kind, x=tile[0], y=tile[1])
        prop = prop_under(self.scene.static, *tile)
        if prop < 0:
            self.message.emit("No object there to remove")
            return None
        return RemoveProp(prop=prop)

    def _prop(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        removing = self.mode == UNPROP
        return self._click_tool(kind, event, self.tile_at,
                                lambda tile: [self.prop_ghost(tile, removing=removing)],
                                lambda tile: self.prop_edit(tile, ERASE_PROP if removing else self.prop_kind))

    # ------------------------------------------------------------------ new person

    def _spawn(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        def ghost(tile: tuple[int, int]) -> list:
            return [self.tile_rect(*tile, rgba=PERSON_GHOST if can_stand(self.scene.static, *tile) else BAD)]

        return self._click_tool(kind, event, self.tile_at, ghost,
                                lambda tile: SpawnPerson(name=self.new_name(), x=tile[0], y=tile[1]))

    def new_name(self) -> str:
        """A plausible full name nobody in town has (nor anyone spawned a moment ago)."""
        static = self.scene.static
        taken = {p.name for p in static.people} | self._names_given
        name = api.suggest_name(taken, seed=len(static.people) + len(self._names_given))
        self._names_given.add(name)
        return name

    # ------------------------------------------------------------------ the group

    def group(self) -> tuple[tuple[str, int], ...]:
        return self.selection.group if self.selection is not None else self.scene.group

    def set_group(self, members: tuple[tuple[str, int], ...]) -> None:
        """Select these (several: a group; one: an ordinary selection; none: nothing)."""
        if self.selection is not None:
            self.selection.set_group(members)
            return
        self.view.set_group(members if len(members) > 1 else ())
        if len(members) == 1:
            kind, index = members[0]
            (self.view.select_person if kind == "person" else self.view.select_building)(index)

    # ------------------------------------------------------------------ keys, delete, copy and paste

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.mode != SELECT:
            self.drop()
            return True
        if key == Qt.Key.Key_Escape and self.group():
            self.set_group(())
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.mode == SELECT:
            return self.remove_selected()
        return False

    def remove_selected(self, confirm: bool = True) -> bool:
        if self.group():
            return self.remove_group(confirm)
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

    def remove_group(self, confirm: bool = True) -> bool:
        """Remove every member of the group (people leave town, buildings are demolished): one question,
        one undo step."""
        static, members = self.scene.static, self.group()
        edits = groups.remove_edits(static, members)
        if not edits:
            return False
        what = groups.describe(members)
        if confirm:
            answer = QMessageBox.question(self.view, "Remove?", f"Remove {what}? People leave town and buildings "
                                          "are demolished (Ctrl+Z brings them all back).")
            if answer != QMessageBox.StandardButton.Yes:
                return True
        self.set_group(())
        self.send_group(f"Remove {what}", edits)
        return True

    def copy_selection(self) -> bool:
        """Ctrl+C: remember the selected building(s) and person(s) for pasting."""
        snapshot = self.scene.snapshot
        clip = copy_members(snapshot, self._selected_members()) if snapshot is not None else None
        if clip is None:
            self.message.emit("Select buildings or people to copy")
            return False
        self.clipboard = clip
        self.message.emit(f"Copied {clip.describe()}: Ctrl+V pastes at the cursor")
        return True

    def paste(self, tile: tuple[int, int] | None = None) -> bool:
        """Ctrl+V: the copied things again, centred on ``tile`` (default: under the cursor, else the
        middle of the view), as one undo step."""
        static = self.scene.static
        if self.clipboard is None or static is None:
            self.message.emit("Nothing copied yet: select something and press Ctrl+C")
            return False
        tile = tile or self._paste_tile()
        if tile is None:
            return False
        self.send_group(f"Paste {self.clipboard.describe()}", paste_edits(self.clipboard, tile, static))
        return True

    def _paste_tile(self) -> tuple[int, int] | None:
        camera = self.scene.camera
        return self.tile_at(self._cursor if self._cursor is not None else QPointF(camera.width / 2, camera.height / 2))

    def _selected_members(self) -> tuple[tuple[str, int], ...]:
        if self.group():
            return self.group()
        if self.scene.selected_building >= 0:
            return (("building", self.scene.selected_building),)
        if self.scene.selected_person >= 0:
            return (("person", self.scene.selected_person),)
        return ()
