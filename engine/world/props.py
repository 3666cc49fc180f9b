"""Where god mode's objects (trees, benches, lamps, fountains, flower beds) may stand, and what they do.

An object takes one tile: on the map, on neither water nor road, not on another object,
and not inside a building, except a park (its paths and lawns are open ground, and a
fountain or a bench there is what makes the park nicer to be in).
"""

from __future__ import annotations

import numpy as np

from engine.contracts.enums import BuildingType, Terrain
from engine.state.city import PROP_KINDS, City, Rect

# Objects that make a park more fun to spend time in.
PARK_DELIGHTS = ("fountain", "flowers", "bench")
FUN_BONUS = 1.25  # fun refills this much faster at leisure in a park with one of them


def kind_problem(kind: str) -> str:
    if kind in PROP_KINDS:
        return ""
    return f"unknown object {kind!r} (one of {', '.join(PROP_KINDS)})"


def prop_problem(city: City, kind: str, x: int, y: int, ignore: int = -1) -> str:
    """Why an object of ``kind`` could not stand at (x, y); "" when it may. ``ignore``: a prop id."""
    problem = kind_problem(kind)
    if problem:
        return problem
    if not city.in_bounds(x, y):
        return f"({x}, {y}) is off the map"
    terrain = city.terrain[y, x]
    if terrain == Terrain.WATER:
        return f"({x}, {y}) is water"
    if terrain == Terrain.ROAD:
        return f"({x}, {y}) is a road; objects stand beside it"
    building = city.building_at(x, y)
    if building is not None and building.type != BuildingType.PARK:
        return f"({x}, {y}) is inside {building.name}"
    other = city.prop_at(x, y)
    if other is not None and other.id != ignore:
        return f"a {other.kind} already stands at ({x}, {y})"
    return ""


def props_in(city: City, rect: Rect) -> list[str]:
    """Kinds of the standing objects inside ``rect`` (a footprint a building wants)."""
    return [p.kind for p in city.props if not p.removed and rect.contains(p.x, p.y)]


def park_fun_factor(city: City) -> np.ndarray:
    """(buildings,) float32: how much faster fun refills at leisure inside each building."""
    factor = np.ones(len(city.buildings), dtype=np.float32)
    delights = [p for p in city.props if not p.removed and p.kind in PARK_DELIGHTS]
    if not delights:
        return factor
    for b in city.buildings_of(BuildingType.PARK):
        if any(b.footprint.contains(p.x, p.y) for p in delights):
            factor[b.id] = FUN_BONUS
    return factor
