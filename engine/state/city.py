"""The city's static shape: terrain grid, districts > neighbourhoods > lots, buildings.

Everything here is plain data plus the geometry questions the rest of the engine
asks (which tiles a building covers, which district a tile is in, where a
building's door opens).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.contracts.enums import BuildingType, Terrain
from engine.state.clock import MINUTES_PER_DAY

WALKWAYS = (Terrain.ROAD, Terrain.PLAZA)  # where a door may open


@dataclass
class Rect:
    x: int
    y: int
    width: int
    height: int

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height

    def contains_rect(self, other: Rect) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.x + other.width <= self.x + self.width
            and other.y + other.height <= self.y + self.height
        )

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass
class District:
    id: int
    name: str
    area: Rect


@dataclass
class Neighbourhood:
    id: int
    district: int
    name: str
    area: Rect


@dataclass
class Lot:
    id: int
    neighbourhood: int
    area: Rect


@dataclass
class Building:
    id: int
    name: str
    type: BuildingType
    lot: int
    footprint: Rect
    entrance: tuple[int, int]  # a road tile next to the footprint
    capacity: int
    opens: int = 0  # minute of day
    closes: int = MINUTES_PER_DAY  # opens == 0 and closes == 1440: always open
    removed: bool = False  # demolished: kept as a tombstone so building ids stay stable

    def is_open(self, minute_of_day: int) -> bool:
        if self.closes > self.opens:
            return self.opens <= minute_of_day < self.closes
        return minute_of_day >= self.opens or minute_of_day < self.closes

    @property
    def hours_text(self) -> str:
        if self.opens == 0 and self.closes >= MINUTES_PER_DAY:
            return "always open"
        return f"{self.opens // 60:02d}:{self.opens % 60:02d}-{self.closes // 60:02d}:{self.closes % 60:02d}"


PROP_KINDS = ("tree", "bench", "lamp", "fountain", "flowers")


@dataclass
class Prop:
    """A decoration on one tile (god mode's "objects"); removed ones stay as tombstones so ids stay stable."""

    id: int
    kind: str  # one of PROP_KINDS
    x: int
    y: int
    removed: bool = False


@dataclass
class City:
    name: str
    terrain: np.ndarray  # (height, width) uint8
    districts: list[District] = field(default_factory=list)
    neighbourhoods: list[Neighbourhood] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    props: list[Prop] = field(default_factory=list)

    @property
    def width(self) -> int:
        return int(self.terrain.shape[1])

    @property
    def height(self) -> int:
        return int(self.terrain.shape[0])

    def in_bounds(self, x: int, y: int) -> bool:
        return 0 <= x < self.width and 0 <= y < self.height

    def footprint_mask(self) -> np.ndarray:
        """Tiles covered by any building (people walk around, not through, them)."""
        mask = np.zeros(self.terrain.shape, dtype=bool)
        for b in self.buildings:
            if b.removed:
                continue
            f = b.footprint
            mask[max(f.y, 0) : f.y + f.height, max(f.x, 0) : f.x + f.width] = True
        return mask

    def walkable_mask(self) -> np.ndarray:
        walkable = np.isin(self.terrain, [t for t in Terrain if t.walkable])
        return walkable & ~self.footprint_mask()

    def district_map(self) -> np.ndarray:
        dmap = np.full(self.terrain.shape, -1, dtype=np.int16)
        for d in self.districts:
            a = d.area
            dmap[a.y : a.y + a.height, a.x : a.x + a.width] = d.id
        return dmap

    def district_of_building(self, building: Building) -> int:
        lot = self.lots[building.lot] if 0 <= building.lot < len(self.lots) else None
        if lot is None or not 0 <= lot.neighbourhood < len(self.neighbourhoods):
            return -1
        return self.neighbourhoods[lot.neighbourhood].district

    def buildings_of(self, *types: BuildingType) -> list[Building]:
        return [b for b in self.buildings if b.type in types and not b.removed]

    @property
    def standing(self) -> list[Building]:
        """Buildings that have not been demolished."""
        return [b for b in self.buildings if not b.removed]

    def prop_at(self, x: int, y: int) -> Prop | None:
        return next((p for p in self.props if not p.removed and p.x == x and p.y == y), None)

    def building_at(self, x: int, y: int) -> Building | None:
        for b in self.buildings:
            if not b.removed and b.footprint.contains(x, y):
                return b
        return None


class NoDoorError(ValueError):
    """No road or plaza along any side of a footprint: nowhere for its door."""


def entrance_for(city: City, rect: Rect) -> tuple[int, int]:
    """The road tile touching the footprint nearest the middle of its front (bottom, then top, sides)."""
    cx, cy = rect.x + rect.width // 2, rect.y + rect.height // 2
    candidates = [(x, rect.y + rect.height) for x in range(rect.x, rect.x + rect.width)]
    candidates += [(x, rect.y - 1) for x in range(rect.x, rect.x + rect.width)]
    candidates += [(rect.x - 1, y) for y in range(rect.y, rect.y + rect.height)]
    candidates += [(rect.x + rect.width, y) for y in range(rect.y, rect.y + rect.height)]
    roads = [(x, y) for x, y in candidates if city.in_bounds(x, y) and city.terrain[y, x] in WALKWAYS]
    if not roads:
        raise NoDoorError("it needs a road along one side for its door; paint a road first")
    return min(roads, key=lambda p: (abs(p[0] - cx) + abs(p[1] - cy), candidates.index(p)))
