"""Which building an incident happens at, and where people go because of it."""

from __future__ import annotations

from collections.abc import Mapping

from engine.contracts.enums import BuildingType
from engine.state.city import Building, City

OUTDOORS = (BuildingType.PARK,)
BUSINESSES = (BuildingType.SHOP, BuildingType.CAFE)
HOMES = (BuildingType.HOME, BuildingType.APARTMENT)
REFUGE_TILES = 15  # a park this close to a fire is where people gather; further, the nearest other building


def _distance2(b: Building, x: float, y: float) -> float:
    cx, cy = b.footprint.centre
    return (cx - x) ** 2 + (cy - y) ** 2


def _nearest(buildings: list[Building], x: float, y: float, within: float | None = None) -> int:
    if not buildings:
        return -1
    best = min(buildings, key=lambda b: (_distance2(b, x, y), b.id))
    if within is not None and _distance2(best, x, y) > within ** 2:
        return -1
    return best.id


def district_at(city: City, x: int, y: int) -> int:
    for d in city.districts:
        if d.area.contains(x, y):
            return d.id
    return -1


def building_near(city: City, x: int, y: int, radius: float, kind: str) -> int:
    """The building an incident of ``kind`` at tile (x, y) happens at, or -1."""
    here = city.building_at(x, y)
    if kind == "shop":  # only a business can hold a grand opening
        if here is not None and here.type in BUSINESSES:
            return here.id
        found = _nearest(city.buildings_of(*BUSINESSES), x + 0.5, y + 0.5, radius)
        return found if found >= 0 else _nearest(city.buildings_of(BuildingType.SHOP), x + 0.5, y + 0.5)
    if here is not None:
        return here.id
    if kind == "festival":
        found = _nearest(city.buildings_of(*OUTDOORS), x + 0.5, y + 0.5, radius)
        if found >= 0:
            return found
    return _nearest(city.standing, x + 0.5, y + 0.5, radius)


def refuge(city: City, building: int) -> int:
    """Where people from (or watching) ``building`` go: a park close by, else the nearest other non-home."""
    x, y = city.buildings[building].footprint.centre
    others = [b for b in city.standing if b.id != building]
    park = _nearest([b for b in others if b.type in OUTDOORS], x, y, REFUGE_TILES)
    if park >= 0:
        return park
    found = _nearest([b for b in others if b.type not in HOMES], x, y)
    return found if found >= 0 else _nearest(others, x, y)


def stall(city: City, businesses: Mapping[int, object], building: int) -> int:
    """The cafe whose stall feeds a festival at ``building`` (its takings go there), or -1."""
    x, y = city.buildings[building].footprint.centre
    return _nearest([b for b in city.buildings_of(BuildingType.CAFE) if b.id in businesses], x, y)
