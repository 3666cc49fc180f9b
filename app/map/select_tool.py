"""The Select tool's left-button gestures on the map.

A left press decides what the drag that may follow does:

* on the selected building's corner handle: resize it (never below 2x2);
* on a member of the rubber-band group: move the whole group by the same offset;
* on the selected person or building: move just that one (teleport / move);
* on empty map, or anywhere with Shift held: draw a rubber band, which selects everything in it.

A press that never becomes a drag is a click (the view selects what is under it). A press on an
unselected thing is left to the view too. Ghosts preview every drag; the edits go out on release.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from app.map import group as groups
from app.map.ghosts import BAD, BAND_RGBA, GOOD, PERSON_GHOST, can_stand, footprint_problem
from app.map.sprite_sync import TILE
from app.map.tool_host import ToolHost
from engine.contracts import BuildingType
from engine.contracts.edits import MoveBuilding, TeleportPerson

GRAB, BAND, RESIZE, GROUP_MOVE = "grab", "band", "resize", "group"
DRAG_THRESHOLD = 4  # screen pixels before a press becomes a drag
MIN_SIDE = 2  # the smallest building side a resize allows, in tiles
CURSORS = {BAND: Qt.CursorShape.CrossCursor, RESIZE: Qt.CursorShape.SizeFDiagCursor}


class SelectTool:
    def __init__(self, tools: ToolHost):
        self.tools = tools
        self.action: str | None = None  # GRAB, BAND, RESIZE or GROUP_MOVE while the left button is down
        self._grab: tuple[str, int] | None = None  # the thing moved or resized
        self._grab_offset = (0, 0)  # where in a grabbed building the press was, in tiles
        self._anchor = (0, 0)  # the tile the press was on
        self._press: QPointF | None = None
        self._dragging = False

    @property
    def scene(self):
        return self.tools.scene

    def reset(self) -> None:
        self.action, self._grab, self._press, self._dragging = None, None, None, False

    def handle(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        pos = event.position()
        if kind == QEvent.Type.MouseButtonPress:
            return event.button() == Qt.MouseButton.LeftButton and self._press_at(event)
        if self.action is None or self._press is None:
            return False
        if kind == QEvent.Type.MouseMove:
            if not self._dragging and (pos - self._press).manhattanLength() > DRAG_THRESHOLD:
                self._dragging = True
                self.tools.view.host.setCursor(CURSORS.get(self.action, Qt.CursorShape.ClosedHandCursor))
            if self._dragging:
                self._preview(pos)
            return True
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            self._release(pos)
            return True
        return False

    def _press_at(self, event: QMouseEvent) -> bool:
        scene, pos = self.scene, event.position()
        hit = scene.pick(pos.x(), pos.y())
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            action = BAND
        elif scene.on_handle(pos.x(), pos.y()):
            action, hit = RESIZE, ("building", scene.selected_building)
        elif hit is not None and hit in self.tools.group():
            action = GROUP_MOVE
        elif hit is not None and hit[1] == (scene.selected_person if hit[0] == "person" else scene.selected_building):
            action = GRAB
        elif hit is None:
            action = BAND
        else:
            return False
        self.tools.view.host.setFocus(Qt.FocusReason.MouseFocusReason)
        self.action, self._press, self._dragging = action, pos, False
        self._grab = hit if action in (GRAB, RESIZE) else None
        self._anchor = self.tools.tile_at(pos) or (0, 0)
        if action == GRAB and hit is not None and hit[0] == "building":
            b = scene.static.buildings[hit[1]]
            self._grab_offset = (self._anchor[0] - b.x, self._anchor[1] - b.y)
        return True

    def _preview(self, pos: QPointF) -> None:
        tools, static = self.tools, self.scene.static
        if self.action == GRAB:
            self._grab_ghost(pos)
        elif self.action == BAND and self._press is not None:
            left, bottom, right, top = self._band(self._press, pos)
            tools.show_ghosts([(left, bottom, right - left, top - bottom, BAND_RGBA)])
        elif self.action == RESIZE and self._grab is not None:
            b = static.buildings[self._grab[1]]
            w, h = self._resized(self._grab[1], pos)
            ok = not footprint_problem(static, b.x, b.y, w, h, ignore=b.id, park=b.type == BuildingType.PARK)
            tools.show_ghosts([tools.tile_rect(b.x, b.y, w, h, GOOD if ok else BAD)])
        elif self.action == GROUP_MOVE:
            self._group_ghosts(pos)

    def _release(self, pos: QPointF) -> None:
        action, grab, press, dragging = self.action, self._grab, self._press, self._dragging
        self.tools.end_gesture()
        if not dragging:
            self.tools.view.click_at(pos.x(), pos.y())
        elif action == GRAB and grab is not None:
            self._drop_grab(grab, pos)
        elif action == BAND and press is not None:
            self._finish_band(press, pos)
        elif action == RESIZE and grab is not None:
            self._finish_resize(grab[1], pos)
        elif action == GROUP_MOVE:
            self._finish_group_move(pos)

    # ------------------------------------------------------------------ the rubber band

    def _band(self, a: QPointF, b: QPointF) -> tuple[float, float, float, float]:
        """The band between two screen points as (left, bottom, right, top) in world px."""
        ax, ay = self.scene.camera.screen_to_world(a.x(), a.y())
        bx, by = self.scene.camera.screen_to_world(b.x(), b.y())
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)

    def _finish_band(self, press: QPointF, pos: QPointF) -> None:
        scene, snapshot = self.scene, self.scene.snapshot
        if snapshot is None:
            return
        members = groups.members_in_band(scene.static, snapshot.location, scene.people_world_xy(),
                                         scene.building_rects, self._band(press, pos))
        self.tools.set_group(members)
        if len(members) > 1:
            self.tools.message.emit(f"Selected {groups.describe(members)}: drag one to move them all, "
                                    "Delete removes them, Ctrl+C copies")

    # ------------------------------------------------------------------ resizing a building by its corner

    def _resized(self, index: int, pos: QPointF) -> tuple[int, int]:
        """The size that puts the bottom-right corner on the grid line nearest the cursor."""
        b = self.scene.static.buildings[index]
        rows = self.scene.static.terrain.shape[0]
        wx, wy = self.scene.camera.screen_to_world(pos.x(), pos.y())
        return max(MIN_SIDE, round(wx / TILE) - b.x), max(MIN_SIDE, round(rows - wy / TILE) - b.y)

    def _finish_resize(self, index: int, pos: QPointF) -> None:
        b = self.scene.static.buildings[index]
        w, h = self._resized(index, pos)
        if (w, h) != (b.width, b.height):
            self.tools.send(MoveBuilding(building=b.id, x=b.x, y=b.y, width=w, height=h))

    # ------------------------------------------------------------------ moving a group

    def _group_offset(self, pos: QPointF) -> tuple[int, int]:
        tile = self.tools.tile_at(pos) or self._anchor
        return tile[0] - self._anchor[0], tile[1] - self._anchor[1]

    def _group_ghosts(self, pos: QPointF) -> None:
        tools, static, snapshot = self.tools, self.scene.static, self.scene.snapshot
        if snapshot is None:
            return
        members = tools.group()
        moving = {static.buildings[i].id for kind, i in members if kind == "building"}
        ghosts = []
        for edit in groups.move_edits(snapshot, members, *self._group_offset(pos)):
            if isinstance(edit, MoveBuilding):
                b = static.buildings[edit.building]
                ok = not footprint_problem(static, edit.x, edit.y, b.width, b.height, ignore=moving,
                                          park=b.type == BuildingType.PARK)
                ghosts.append(tools.tile_rect(edit.x, edit.y, b.width, b.height, GOOD if ok else BAD))
            elif isinstance(edit, TeleportPerson):
                ok = can_stand(static, edit.x, edit.y)
                ghosts.append(tools.tile_rect(edit.x, edit.y, rgba=PERSON_GHOST if ok else BAD))
        tools.show_ghosts(ghosts)

    def _finish_group_move(self, pos: QPointF) -> None:
        snapshot, members = self.scene.snapshot, self.tools.group()
        dx, dy = self._group_offset(pos)
        if snapshot is None or (dx, dy) == (0, 0):
            return
        self.tools.send_group(f"Move {groups.describe(members)}", groups.move_edits(snapshot, members, dx, dy))

    # ------------------------------------------------------------------ moving the one selected thing

    def _drag_target(self, grab: tuple[str, int], pos: QPointF) -> tuple[int, int] | None:
        tile = self.tools.tile_at(pos)
        if tile is None:
            return None
        if grab[0] == "building":
            return tile[0] - self._grab_offset[0], tile[1] - self._grab_offset[1]
        return tile

    def _grab_ghost(self, pos: QPointF) -> None:
        tools, grab = self.tools, self._grab
        target = self._drag_target(grab, pos) if grab is not None else None
        if target is None or grab is None:
            return
        if grab[0] == "person":
            tools.show_ghosts([tools.tile_rect(*target, rgba=PERSON_GHOST)])
            return
        b = self.scene.static.buildings[grab[1]]
        ok = not footprint_problem(self.scene.static, target[0], target[1], b.width, b.height, ignore=b.id,
                                  park=b.type == BuildingType.PARK)
        tools.show_ghosts([tools.tile_rect(target[0], target[1], b.width, b.height, GOOD if ok else BAD)])

    def _drop_grab(self, grab: tuple[str, int], pos: QPointF) -> None:
        target = self._drag_target(grab, pos)
        if target is None:
            return
        static = self.scene.static
        if grab[0] == "person":
            self.tools.send(TeleportPerson(agent=static.people[grab[1]].id, x=target[0], y=target[1]))
        else:
            b = static.buildings[grab[1]]
            if (target[0], target[1]) != (b.x, b.y):
                self.tools.send(MoveBuilding(building=b.id, x=target[0], y=target[1]))
