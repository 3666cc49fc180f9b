"""Edits of the map: place, move, resize and demolish buildings; paint terrain.

Every change is checked before anything is touched: footprints stay on the map,
off water and roads and other buildings, and every entrance stays on a road the
town can reach.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from engine.contracts import edits as e
from engine.contracts.enums import BuildingType, Terrain
from engine.edits.context import EditContext, EditError
from engine.state.city import WALKWAYS, Building, City, Lot, NoDoorError, Rect, entrance_for
from engine.state.person import Person
from engine.world.generator import STAFF, default_capacity
from engine.world.layout import DEFAULT_HOURS
from engine.world.pathfinding import PathFinder
from engine.world.props import props_in

MAX_SIDE = 16


def _kind(name: str) -> BuildingType:
    try:
        return BuildingType[name.strip().upper().replace(" ", "_")]
    except KeyError:
        names = ", ".join(t.name.lower() for t in BuildingType)
        raise EditError(f"unknown building type {name!r} (one of {names})") from None


def _check_props(city: City, rect: Rect, kind: BuildingType) -> None:
    """A park may hold objects (they are part of it); any other building needs the ground clear."""
    kinds = props_in(city, rect) if kind != BuildingType.PARK else []
    if kinds:
        raise EditError(f"a {kinds[0]} stands there; remove it first")


def _check_footprint(city: City, rect: Rect, ignore: int = -1) -> None:
    if not (1 <= rect.width <= MAX_SIDE and 1 <= rect.height <= MAX_SIDE):
        raise EditError(f"a building is 1 to {MAX_SIDE} tiles on a side")
    if not (city.in_bounds(rect.x, rect.y) and city.in_bounds(rect.x + rect.width - 1, rect.y + rect.height - 1)):
        raise EditError("that is off the map")
    area = city.terrain[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width]
    if (area == Terrain.WATER).any():
        raise EditError("buildings cannot stand in water")
    if (area == Terrain.ROAD).any():  # (a plaza may be built on: the town hall stands on one)
        raise EditError("that would build over a road; move it beside the road")
    for other in city.standing:
        if other.id != ignore and _overlap(other.footprint, rect):
            raise EditError(f"that overlaps {other.name}")


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def _entrance(city: City, rect: Rect) -> tuple[int, int]:
    try:
        return entrance_for(city, rect)
    except NoDoorError as error:
        raise EditError(str(error)) from None


def _check_reachable(city: City) -> None:
    """Every standing entrance must stay reachable from the rest of town."""
    finder = PathFinder(city.walkable_mask())
    labels = finder.component_labels()
    standing = city.standing
    cells = np.array([finder.cell(*b.entrance) for b in standing])
    if len(cells) < 2:
        return
    town = np.bincount(labels[cells]).argmax()
    cut = [b.name for b, c in zip(standing, cells, strict=True) if labels[c] != town]
    if cut:
        raise EditError(f"that would cut {cut[0]} off from the rest of town")


def place(ctx: EditContext, edit: e.PlaceBuilding) -> tuple[str, e.Edit]:
    city = ctx.sim.city
    special = ctx.sim.plugins.building_kind(edit.type)  # a plugin's kind stands on a core type's floor
    kind = special.base if special is not None else _kind(edit.type)
    rect = Rect(edit.x, edit.y, edit.width, edit.height)
    _check_footprint(city, rect)
    _check_props(city, rect, kind)
    entrance = _entrance(city, rect)
    # A replay (or a redo) of a logged placement brings back the same id: the tombstone its undo left.
    revive = 0 <= edit.building_id < len(city.buildings) and city.buildings[edit.building_id].removed
    building_id = edit.building_id if revive else len(city.buildings)
    tombstone = city.buildings[building_id] if revive else None
    lot_id = tombstone.lot if tombstone is not None and 0 <= tombstone.lot < len(city.lots) else len(city.lots)
    old_lot = city.lots[lot_id] if lot_id < len(city.lots) else None
    lot = Lot(lot_id, _neighbourhood_at(city, rect), Rect(rect.x, rect.y, rect.width, rect.height))
    capacity = edit.capacity or (4 if kind.is_residential else default_capacity(kind) if kind in STAFF else 20)
    name = edit.name.strip() or f"New {special.label if special is not None else kind.label}"
    building = Building(building_id, name, kind, lot.id, rect, entrance, capacity)
    if special is not None:
        building.capacity = edit.capacity or special.capacity
        building.opens, building.closes = special.opens, special.closes
    elif kind in (BuildingType.CAFE, BuildingType.SHOP, BuildingType.OFFICE, BuildingType.WORKSHOP,
                  BuildingType.SCHOOL, BuildingType.TOWN_HALL):
        building.opens, building.closes = DEFAULT_HOURS[kind]
    _put(city.lots, lot_id, lot)
    _put(city.buildings, building_id, building)
    try:
        _check_reachable(city)
    except EditError:
        _undo_put(city.buildings, building_id, tombstone)
        _undo_put(city.lots, lot_id, old_lot)
        raise
    if special is not None:
        ctx.sim.plugins.placed(building.id, special.key)
    ctx.changed_map()
    return f"built {name}", e.RemoveBuilding(building=building.id)


Item = TypeVar("Item")


def _put(items: list[Item], index: int, item: Item) -> None:
    if index < len(items):
        items[index] = item
    else:
        items.append(item)


def _undo_put(items: list[Item], index: int, previous: Item | None) -> None:
    if previous is None:
        items.pop()
    else:
        items[index] = previous


def _neighbourhood_at(city: City, rect: Rect) -> int:
    cx, cy = rect.centre
    for n in city.neighbourhoods:
        if n.area.contains(int(cx), int(cy)):
            return n.id
    return 0 if city.neighbourhoods else -1


def move(ctx: EditContext, edit: e.MoveBuilding) -> tuple[str, e.Edit]:
    city = ctx.sim.city
    building = ctx.building(edit.building)
    old = building.footprint
    rect = Rect(edit.x, edit.y, edit.width or old.width, edit.height or old.height)
    _check_footprint(city, rect, ignore=building.id)
    _check_props(city, rect, building.type)
    entrance = _entrance(city, rect)
    before = (building.footprint, building.entrance)
    building.footprint, building.entrance = rect, entrance
    try:
        _check_reachable(city)
    except EditError:
        building.footprint, building.entrance = before
        raise
    ctx.changed_map()
    ctx.sim.building_moved(building.id)
    inverse = e.MoveBuilding(building=building.id, x=old.x, y=old.y, width=old.width, height=old.height)
    verb = "moved" if (rect.width, rect.height) == (old.width, old.height) else "resized"
    return f"{verb} {building.name}", inverse


def remove(ctx: EditContext, edit: e.RemoveBuilding) -> tuple[str, e.Edit]:
    sim = ctx.sim
    building = ctx.building(edit.building)
    residents = [p for p in sim.people if not p.removed and p.home == building.id]
    new_homes = _rehouse(sim.city, sim.people, residents, building) if residents else {}
    workers = [p for p in sim.people if not p.removed and p.workplace == building.id]
    building.removed = True
    homes = tuple((p.id, building.id) for p in residents)
    jobs = tuple((p.id, building.id) for p in workers)
    for p in residents:
        p.home = new_homes[p.id]
    for p in workers:
        p.workplace = -1
    ctx.changed_map()
    sim.building_removed(building.id)
    for p in residents + workers:
        sim.brain.schedules[p.id] = sim.brain.schedule_for(p)
    ctx.changed_people()
    moved = f"; {len(residents)} people moved house" if residents else ""
    return f"demolished {building.name}{moved}", e.RestoreBuilding(building=building.id, homes=homes, jobs=jobs)


def _rehouse(city: City, people: list[Person], residents: list[Person], leaving: Building) -> dict[int, int]:
    counts = np.bincount([p.home for p in people if not p.removed], minlength=len(city.buildings))
    homes = [b for b in city.standing if b.type.is_residential and b.id != leaving.id]
    lx, ly = leaving.entrance
    homes.sort(key=lambda b: (abs(b.entrance[0] - lx) + abs(b.entrance[1] - ly), b.id))
    placed: dict[int, int] = {}
    for p in residents:
        home = next((b for b in homes if counts[b.id] < b.capacity), None)
        if home is None:
            raise EditError(f"nowhere for {len(residents)} residents of {leaving.name} to live; build a home first")
        counts[home.id] += 1
        placed[p.id] = home.id
    return placed


def restore(ctx: EditContext, edit: e.RestoreBuilding) -> tuple[str, e.Edit]:
    sim = ctx.sim
    buildings = sim.city.buildings
    if not 0 <= edit.building < len(buildings) or not buildings[edit.building].removed:
        raise EditError(f"building {edit.building} is not demolished")
    building = buildings[edit.building]
    _check_footprint(sim.city, building.footprint, ignore=building.id)
    _check_props(sim.city, building.footprint, building.type)
    building.removed = False
    for person, home in edit.homes:
        if not sim.people[person].removed:
            sim.people[person].home = home
    for person, job in edit.jobs:
        if not sim.people[person].removed:
            sim.people[person].workplace = job
    for person, _ in edit.homes + edit.jobs:
        sim.brain.schedules[person] = sim.brain.schedule_for(sim.people[person])
    ctx.changed_map()
    ctx.changed_people()
    return f"rebuilt {building.name}", e.RemoveBuilding(building=building.id)


def paint(ctx: EditContext, edit: e.PaintTerrain) -> tuple[str, e.Edit]:
    city = ctx.sim.city
    if not edit.cells:
        raise EditError("nothing to paint")
    footprints = city.footprint_mask()
    entrances = {b.entrance for b in city.standing}
    old: list[tuple[int, int, int]] = []
    for x, y, value in edit.cells:
        if not city.in_bounds(x, y):
            raise EditError(f"({x}, {y}) is off the map")
        try:
            terrain = Terrain(value)
        except ValueError:
            raise EditError(f"unknown terrain {value}") from None
        if footprints[y, x] and terrain in (Terrain.WATER, Terrain.ROAD):
            raise EditError(f"({x}, {y}) is inside a building")
        prop = city.prop_at(x, y) if terrain in (Terrain.WATER, Terrain.ROAD) else None
        if prop is not None:  # refused rather than silently swept away: remove the object first
            raise EditError(f"a {prop.kind} stands at ({x}, {y}); remove it before painting {terrain.name.lower()}")
        if (x, y) in entrances and terrain not in WALKWAYS:
            raise EditError(f"({x}, {y}) is a building's door step: it must stay road")
        old.append((x, y, int(city.terrain[y, x])))
    for x, y, value in edit.cells:
        city.terrain[y, x] = value
    try:
        _check_reachable(city)
    except EditError:
        for x, y, value in old:
            city.terrain[y, x] = value
        raise
    ctx.changed_map()
    label = Terrain(edit.cells[0][2]).name.lower()
    return f"painted {len(edit.cells)} tile(s) {label}", e.PaintTerrain(cells=tuple(reversed(old)))
