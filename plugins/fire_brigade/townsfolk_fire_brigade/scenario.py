"""Emberton: a village that has just built a fire station on its main street."""

from __future__ import annotations

from typing import Any

from engine.api import World, new_world
from engine.contracts.edits import PlaceBuilding, SeedFact
from engine.contracts.enums import Terrain
from engine.plugins import Scenario
from townsfolk_fire_brigade import brigade

NAME = "Emberton"


def _world(seed: int) -> World:
    return new_world(40, seed, "village", NAME)


def spots(world: World, width: int, height: int, wanted: int = 40) -> list[tuple[int, int]]:
    """Free grass beside a road, nearest the middle of town first (the edit checks the rest)."""
    city = world.city
    terrain = city.terrain
    taken = [b.footprint for b in city.standing]
    found = []
    for y in range(1, city.height - height - 1):
        for x in range(1, city.width - width - 1):
            if not (terrain[y:y + height, x:x + width] == Terrain.GRASS).all():
                continue
            if not ((terrain[y + height, x:x + width] == Terrain.ROAD).any()
                    or (terrain[y - 1, x:x + width] == Terrain.ROAD).any()):
                continue
            if any(x < r.x + r.width and r.x < x + width and y < r.y + r.height and r.y < y + height for r in taken):
                continue
            found.append((x, y))
    cx, cy = city.width / 2, city.height / 2
    found.sort(key=lambda p: ((p[0] - cx) ** 2 + (p[1] - cy) ** 2, p))
    return found[:wanted]


def _setup(world: World) -> list[list[Any]]:
    kind = brigade.STATION
    place = [PlaceBuilding(type=kind.key, x=x, y=y, width=kind.width, height=kind.height,
                           name=f"{NAME} Fire Station") for x, y in spots(world, kind.width, kind.height)]
    someone = min((p.id for p in world.people if not p.removed and p.age >= 30), default=0)
    news = SeedFact(agent=someone, text="The new fire station is open, and the council pays its crew")
    return [place, [news]]


SCENARIO = Scenario(
    "fire_brigade", "Emberton's fire brigade",
    "A village of 40 that has just opened a fire station. Its crew answer every fire; the district council "
    "pays them (fire brigade funding, $600 a day to start) and may vote more, or less, after a fire. "
    "Start a fire from World > Inject Event and watch them come.",
    _world, _setup,
    goals=("Keep every fire under half an hour", "Keep the treasury out of debt while funding the brigade"),
)
