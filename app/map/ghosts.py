"""What the map tools' ghosts are made of: their colours, and the quick local checks that tint
them green or red before the engine (which has the last word) answers."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from engine.contracts import BuildingType, StaticWorld, Terrain

DOOR_SIDES = (int(Terrain.ROAD), int(Terrain.PLAZA))  # a door may open onto either (as in the engine)
GOOD = (90, 200, 90, 110)
BAD = (220, 60, 60, 110)
PERSON_GHOST = (246, 207, 87, 140)
BAND_RGBA = (120, 170, 240, 60)
ERASER_GHOST = (240, 120, 60, 150)  # "Remove object" over an object
ERASE_PROP = "remove"  # the value of the palette's "Remove object" card (its kind is "prop")
BRUSH_RGBA = {Terrain.GRASS: (120, 170, 80, 170), Terrain.WATER: (70, 130, 200, 170),
              Terrain.ROAD: (150, 140, 130, 190), Terrain.PLAZA: (215, 200, 170, 170),
              Terrain.SAND: (230, 210, 140, 170), Terrain.FOREST: (50, 110, 60, 170)}


def footprint_problem(static: StaticWorld, x: int, y: int, w: int, h: int,
                      ignore: int | Collection[int] = -1, park: bool = False) -> str:
    """Why a building could not stand here ("" if it looks fine); the engine has the last word.
    ``ignore``: a building id (or several) that is moving, so its old footprint is no obstacle;
    ``park``: it is a park, which may hold objects (anything else may not bury one)."""
    ignored = {ignore} if isinstance(ignore, int) else set(ignore)
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
        if b.removed or b.id in ignored:
            continue
        if x < b.x + b.width and b.x < x + w and y < b.y + b.height and b.y < y + h:
            return f"overlaps {b.name}"
    if not park:
        for prop in static.props:
            if not prop.removed and x <= prop.x < x + w and y <= prop.y < y + h:
                return f"a {prop.kind} stands there"
    edges = []
    if y > 0:
        edges.append(terrain[y - 1, x:x + w])
    if y + h < rows:
        edges.append(terrain[y + h, x:x + w])
    if x > 0:
        edges.append(terrain[y:y + h, x - 1])
    if x + w < cols:
        edges.append(terrain[y:y + h, x + w])
    if not any(np.isin(edge, DOOR_SIDES).any() for edge in edges):  # the engine's door rule
        return "no road along an edge"
    return ""


def can_stand(static: StaticWorld, x: int, y: int) -> bool:
    """On the map, and on walkable ground or inside a building (where a person may be put)."""
    rows, cols = static.terrain.shape
    if not (0 <= x < cols and 0 <= y < rows):
        return False
    if Terrain(int(static.terrain[y, x])).walkable:
        return True
    return any(not b.removed and b.x <= x < b.x + b.width and b.y <= y < b.y + b.height for b in static.buildings)


def prop_problem(static: StaticWorld, x: int, y: int) -> str:
    """Why an object could not stand on tile (x, y) ("" if it looks fine): off the map, water, road,
    inside a building other than a park, or on another object. The engine has the last word."""
    rows, cols = static.terrain.shape
    if not (0 <= x < cols and 0 <= y < rows):
        return "off the map"
    terrain = int(static.terrain[y, x])
    if terrain in (Terrain.WATER, Terrain.ROAD):
        return f"on {Terrain(terrain).name.lower()}"
    for b in static.buildings:
        if not b.removed and b.type != BuildingType.PARK and b.x <= x < b.x + b.width and b.y <= y < b.y + b.height:
            return f"inside {b.name}"
    if any(not p.removed and (p.x, p.y) == (x, y) for p in static.props):
        return "on another object"
    return ""


def prop_under(static: StaticWorld, x: int, y: int) -> int:
    """The id of the standing object on tile (x, y), or -1."""
    return next((p.id for p in static.props if not p.removed and (p.x, p.y) == (x, y)), -1)
