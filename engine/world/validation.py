"""Find every problem in a world, so `townsfolk check` can list them all at once."""

from __future__ import annotations

import numpy as np

from engine.contracts.enums import Terrain
from engine.state.city import City, Rect
from engine.state.world import World
from engine.untrusted.limits import MAX_BUILDINGS, MAX_CAPACITY, MAX_MAP_SIDE, MAX_PEOPLE
from engine.world.pathfinding import PathFinder
from engine.world.props import prop_problem


def find_problems(world: World) -> list[str]:
    city = world.city
    problems: list[str] = []
    n_buildings = len(city.buildings)
    living = [p for p in world.people if not p.removed]
    problems += _numbering(world)
    if problems:
        return problems  # the checks below index by id
    if len({p.name for p in living}) != len(living):
        problems.append("two or more people share a name")
    for b in city.buildings:
        if b.removed:
            continue
        f = b.footprint
        label = f"building {b.id} '{b.name}'"
        if f.width < 1 or f.height < 1:
            problems.append(f"{label} has an empty footprint")
        if not (city.in_bounds(f.x, f.y) and city.in_bounds(f.x + f.width - 1, f.y + f.height - 1)):
            problems.append(f"{label} is off the map")
            continue
        if (city.terrain[f.y : f.y + f.height, f.x : f.x + f.width] == Terrain.WATER).any():
            problems.append(f"{label} stands in water")
        if b.capacity < 1:
            problems.append(f"{label} has no capacity")
        elif b.capacity > MAX_CAPACITY:
            problems.append(f"{label} holds {b.capacity:,} people (at most {MAX_CAPACITY:,})")
        if not (0 <= b.opens < 1440 and 0 < b.closes <= 1440):
            problems.append(f"{label} has impossible opening hours {b.opens}-{b.closes}")
        if not 0 <= b.lot < len(city.lots):
            problems.append(f"{label} stands on lot {b.lot}, which does not exist")
        ex, ey = b.entrance
        if not city.in_bounds(ex, ey):
            problems.append(f"{label} has its entrance off the map")
        elif city.terrain[ey, ex] not in (Terrain.ROAD, Terrain.PLAZA):
            problems.append(f"{label} has its entrance at ({ex}, {ey}), which is not on a road")
        elif not _touches(b.footprint, ex, ey):
            problems.append(f"{label} has its entrance at ({ex}, {ey}), away from the building")
    problems += _overlaps(world)
    problems += _misplaced_props(city)
    problems += _unreachable(world)
    for lot in city.lots:
        if not 0 <= lot.neighbourhood < len(city.neighbourhoods):
            problems.append(f"lot {lot.id} belongs to neighbourhood {lot.neighbourhood}, which does not exist")
    for n in city.neighbourhoods:
        if not 0 <= n.district < len(city.districts):
            problems.append(f"neighbourhood '{n.name}' belongs to district {n.district}, which does not exist")
    for p in world.people:
        if p.removed:
            continue
        label = f"{p.name} (person {p.id})"
        if not 0 <= p.home < n_buildings or city.buildings[p.home].removed:
            problems.append(f"{label} lives in building {p.home}, which does not exist")
        elif not city.buildings[p.home].type.is_residential:
            problems.append(f"{label} lives in '{city.buildings[p.home].name}', which is not a home")
        if p.workplace >= n_buildings or p.workplace < -1 or (p.workplace >= 0 and city.buildings[p.workplace].removed):
            problems.append(f"{label} works at building {p.workplace}, which does not exist")
        if p.hangout >= n_buildings or p.hangout < -1 or (p.hangout >= 0 and city.buildings[p.hangout].removed):
            problems.append(f"{label} hangs out at building {p.hangout}, which does not exist")
        if not all(0.0 <= t <= 1.0 for t in p.traits):
            problems.append(f"{label} has traits outside 0..1")
        if p.age < 0 or p.age > 120:
            problems.append(f"{label} is {p.age} years old")
    residents = np.bincount([p.home for p in world.people if 0 <= p.home < n_buildings and not p.removed],
                            minlength=n_buildings)
    for b in city.buildings:
        if b.type.is_residential and residents[b.id] > b.capacity:
            problems.append(f"'{b.name}' houses {residents[b.id]} people but has room for {b.capacity}")
    for (first, second), _tie in world.relationships.items():
        if not (0 <= first < len(world.people) and 0 <= second < len(world.people)):
            problems.append(f"a relationship names person {max(first, second)}, who does not exist")
    return problems


def _numbering(world: World) -> list[str]:
    """The engine keeps people and buildings in arrays indexed by id: ids must count up from 0."""
    problems = []
    city = world.city
    if not (1 <= city.width <= MAX_MAP_SIDE and 1 <= city.height <= MAX_MAP_SIDE):
        problems.append(f"the map is {city.width} x {city.height} tiles (at most {MAX_MAP_SIDE} each way)")
    if len(world.people) > MAX_PEOPLE:
        problems.append(f"{len(world.people):,} people is more than {MAX_PEOPLE:,}")
    if len(city.buildings) > MAX_BUILDINGS:
        problems.append(f"{len(city.buildings):,} buildings is more than {MAX_BUILDINGS:,}")
    bad_person = next((i for i, p in enumerate(world.people) if p.id != i), None)
    if bad_person is not None:
        problems.append(f"person {world.people[bad_person].id} is number {bad_person} in the list")
    bad_building = next((i for i, b in enumerate(city.buildings) if b.id != i), None)
    if bad_building is not None:
        problems.append(f"building {city.buildings[bad_building].id} is number {bad_building} in the list")
    return problems


def _touches(f: Rect, x: int, y: int) -> bool:
    inside_x = f.x <= x < f.x + f.width
    inside_y = f.y <= y < f.y + f.height
    return (inside_x and y in (f.y - 1, f.y + f.height)) or (inside_y and x in (f.x - 1, f.x + f.width))


def _overlaps(world: World) -> list[str]:
    owner = np.full(world.city.terrain.shape, -1, dtype=np.int32)
    problems = []
    for b in world.city.standing:
        f = b.footprint
        if not world.city.in_bounds(f.x, f.y):
            continue
        area = owner[f.y : f.y + f.height, f.x : f.x + f.width]
        clash = area[area >= 0]
        if clash.size:
            other = world.city.buildings[int(clash[0])]
            problems.append(f"building {b.id} '{b.name}' overlaps '{other.name}'")
        area[area < 0] = b.id
    return problems


def _misplaced_props(city: City) -> list[str]:
    """Objects off the map, in water or on a road, inside a building other than a park, or stacked."""
    problems = []
    for i, p in enumerate(city.props):
        label = f"object {p.id} (a {p.kind})"
        if p.id != i:
            problems.append(f"{label} has id {p.id} but is number {i} in the list")
        if p.removed:
            continue
        problem = prop_problem(city, p.kind, p.x, p.y, ignore=p.id)
        if problem:  # (of two objects on one tile, the later one is reported)
            problems.append(f"{label}: {problem}")
    return problems


def _unreachable(world: World) -> list[str]:
    """Every entrance must be reachable from the largest walkable area (the town)."""
    city = world.city
    entrances = [b for b in city.standing if city.in_bounds(*b.entrance)]
    if not entrances:
        return []
    walkable = city.walkable_mask()
    finder = PathFinder(walkable)
    labels = finder.component_labels()
    cells = np.array([finder.cell(*b.entrance) for b in entrances])
    entrance_labels = labels[cells]
    town = np.bincount(entrance_labels).argmax()
    return [
        f"building {b.id} '{b.name}' has an entrance no road reaches"
        for b, label, cell in zip(entrances, entrance_labels, cells, strict=True)
        if label != town or not walkable.flat[cell]
    ]
