"""Palette cards dragged onto the map: a ghost follows the drag, the drop makes the edit.

A building shows its footprint (green where it may stand, red where not); a new
person shows the tile they would appear on; a terrain brush the tile it would
paint; an object the tile it would stand on (a "Remove object" card: the object
it would remove). Dropping sends the same edit a click with the card armed would, and
leaves the map in whatever tool it was in.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QDropEvent

from app.common.palette_mime import decode, terrain_value
from app.map.ghosts import BAD, BRUSH_RGBA, ERASE_PROP, GOOD, PERSON_GHOST, can_stand, footprint_problem
from engine.contracts import Terrain
from engine.contracts.edits import PaintTerrain, PlaceBuilding, SpawnPerson

DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.DragLeave, QEvent.Type.Drop)


class PaletteDrop:
    def __init__(self, tools) -> None:
        self.tools = tools  # app.map.tools.MapTools: geometry, ghosts, names and the edit sender

    def handle(self, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.DragLeave:
            self.tools.show_ghosts([])
            return True
        drop = cast(QDropEvent, event)  # drag enter, drag move and drop events are all QDropEvents
        card = decode(drop.mimeData())
        if card is None:
            return False
        if kind == QEvent.Type.Drop:
            self.tools.show_ghosts([])
            edit = self._edit(card, drop.position())
            if edit is None:
                drop.ignore()
                return True
            self.tools.view.host.setFocus()
            self.tools.send(edit)
        else:
            self.tools.show_ghosts(self._ghosts(card, drop.position()))
        drop.acceptProposedAction()
        return True

    def _footprint(self, building_type: str, pos: QPointF) -> tuple[int, int, int, int] | None:
        tile = self.tools.tile_at(pos)
        if tile is None:
            return None
        w, h = self.tools.place_size(building_type)
        return tile[0] - w // 2, tile[1] - h // 2, w, h

    def _ghosts(self, card: tuple[str, object], pos: QPointF) -> list:
        kind, value = card
        tools, static = self.tools, self.tools.scene.static
        if kind == "building":
            spot = self._footprint(str(value), pos)
            if spot is None:
                return []
            ok = not footprint_problem(static, *spot, park=value == "park")
            return [tools.tile_rect(*spot, rgba=GOOD if ok else BAD)]
        tile = tools.tile_at(pos)
        if tile is None:
            return []
        if kind == "person":
            return [tools.tile_rect(*tile, rgba=PERSON_GHOST if can_stand(static, *tile) else BAD)]
        if kind == "prop":
            return [tools.prop_ghost(tile, removing=value == ERASE_PROP)]
        return [tools.tile_rect(*tile, rgba=BRUSH_RGBA.get(Terrain(terrain_value(value)), GOOD))]

    def _edit(self, card: tuple[str, object], pos: QPointF):
        kind, value = card
        if kind == "building":
            spot = self._footprint(str(value), pos)
            return None if spot is None else PlaceBuilding(type=str(value), x=spot[0], y=spot[1], width=spot[2],
                                                           height=spot[3])
        tile = self.tools.tile_at(pos)
        if tile is None:
            return None
        if kind == "person":
            return SpawnPerson(name=self.tools.new_name(), x=tile[0], y=tile[1])
        if kind == "prop":
            return self.tools.prop_edit(tile, str(value))
        if kind == "terrain":
            return PaintTerrain(cells=((tile[0], tile[1], terrain_value(value)),))
        return None
