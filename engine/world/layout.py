"""Lay out a city: a grid of road blocks, districts and neighbourhoods, lots, buildings.

Each block between roads holds four corner lots, so every lot touches two roads
and every building gets an entrance on a road. The central block is the plaza
with the first town hall; parks take whole blocks; a river runs down the east
edge beyond the last road. Services go near each district's centre and homes
fill the rest, so every district is a walkable neighbourhood of its own.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from engine.contracts.enums import BuildingType, Terrain
from engine.state.city import Building, City, District, Lot, Neighbourhood, Rect
from engine.world.names import DISTRICTS, NEIGHBOURHOOD_SUFFIXES, STREETS

MARGIN = 4
RIVER_WIDTH = 4

DEFAULT_HOURS: dict[BuildingType, tuple[int, int]] = {
    BuildingType.CAFE: (7 * 60, 20 * 60),
    BuildingType.SHOP: (9 * 60, 18 * 60),
    BuildingType.OFFICE: (9 * 60, 17 * 60),
    BuildingType.WORKSHOP: (7 * 60, 16 * 60),
    BuildingType.SCHOOL: (8 * 60, 15 * 60),
    BuildingType.TOWN_HALL: (9 * 60, 17 * 60),
}


@dataclass
class BuildingOrder:
    """A building the layout must place; ``name`` may be filled in later."""

    type: BuildingType
    capacity: int
    name: str = ""
    hours: tuple[int, int] | None = None


@dataclass
class _Block:
    col: int
    row: int
    area: Rect
    district: int = -1
    kind: str = "lots"  # lots | park | plaza


def lay_out(
    name: str, orders: list[BuildingOrder], districts: int, lot_size: int, rng: random.Random,
    district_names: tuple[str, ...] = DISTRICTS,
) -> tuple[City, list[int]]:
    """Place every order; returns the city and, per order, its building id."""
    parks = [o for o in orders if o.type == BuildingType.PARK]
    lot_orders = [o for o in orders if o.type != BuildingType.PARK]
    blocks_needed = math.ceil((len(lot_orders) + 1) / 4 * 1.08) + len(parks) + 1
    cols = max(2, round(math.sqrt(blocks_needed * 1.25)))
    rows = max(2, math.ceil(blocks_needed / cols))
    pitch = 2 * lot_size + 1
    grid_w, grid_h = cols * pitch + 1, rows * pitch + 1
    width = MARGIN + grid_w + 2 + RIVER_WIDTH + MARGIN
    height = MARGIN * 2 + grid_h
    terrain = np.full((height, width), Terrain.GRASS, dtype=np.uint8)
    _paint_nature(terrain, grid_w, grid_h, rng)
    for k in range(rows + 1):
        terrain[MARGIN + k * pitch, MARGIN : MARGIN + grid_w] = Terrain.ROAD
    for k in range(cols + 1):
        terrain[MARGIN : MARGIN + grid_h, MARGIN + k * pitch] = Terrain.ROAD

    blocks = [
        _Block(c, r, Rect(MARGIN + c * pitch + 1, MARGIN + r * pitch + 1, pitch - 1, pitch - 1))
        for r in range(rows)
        for c in range(cols)
    ]
    city = City(name=name, terrain=terrain)
    _make_districts(city, blocks, cols, rows, pitch, districts, district_names)
    plaza = min(blocks, key=lambda b: (b.col - (cols - 1) / 2) ** 2 + (b.row - (rows - 1) / 2) ** 2)
    plaza.kind = "plaza"
    a = plaza.area
    terrain[a.y : a.y + a.height, a.x : a.x + a.width] = Terrain.PLAZA
    _choose_park_blocks(blocks, plaza, len(parks), rng)

    placed: dict[int, int] = {}
    street_of_row = [STREETS[k % len(STREETS)] for k in range(rows + 1)]
    for order_index, block in zip(
        (i for i, o in enumerate(orders) if o.type == BuildingType.PARK),
        (b for b in blocks if b.kind == "park"),
        strict=True,
    ):
        placed[order_index] = _place_park(city, block, orders[order_index])

    lots_by_district = _make_lots(city, blocks, lot_size)
    # The plaza holds the first town hall, so the city has a centre.
    plaza_lot = next(lot for lot in _lots_in(city, plaza.area))
    queue = list(range(len(orders)))
    first_hall = next((i for i in queue if orders[i].type == BuildingType.TOWN_HALL), None)
    if first_hall is not None:
        placed[first_hall] = _place_on_lot(city, plaza_lot, orders[first_hall], lot_size, pitch, street_of_row)
    for lots in lots_by_district.values():
        if plaza_lot in lots:
            lots.remove(plaza_lot)
    # Services first, spread across districts round-robin, each taking the free lot
    # nearest its district's centre; homes then fill outward.
    service = [i for i in queue if i not in placed and not orders[i].type.is_residential]
    homes = [i for i in queue if i not in placed and orders[i].type.is_residential]
    district_ids = sorted(lots_by_district)
    for k, order_index in enumerate(service + homes):
        lot = _take_lot(lots_by_district, district_ids, k)
        placed[order_index] = _place_on_lot(city, lot, orders[order_index], lot_size, pitch, street_of_row)
    return city, [placed[i] for i in range(len(orders))]


def _paint_nature(terrain: np.ndarray, grid_w: int, grid_h: int, rng: random.Random) -> None:
    height, width = terrain.shape
    river_x = MARGIN + grid_w + 2
    for y in range(height):
        wobble = round(math.sin(y / 7.0 + rng.random()) * 0.6)
        x0 = river_x + wobble
        terrain[y, x0 - 1] = Terrain.SAND
        terrain[y, x0 : x0 + RIVER_WIDTH - 1] = Terrain.WATER
    for _ in range(max(3, (width + height) // 12)):
        cx = rng.choice([rng.randrange(0, MARGIN - 1), rng.randrange(0, width)])
        cy = rng.choice([rng.randrange(0, MARGIN - 1), rng.randrange(height - MARGIN + 1, height)])
        for dy in range(-1, 2):
            for dx in range(-1, 2):
                x, y = cx + dx, cy + dy
                on_edge = x < MARGIN - 1 or y < MARGIN - 1 or y > height - MARGIN
                inside = 0 <= x < width and 0 <= y < height
                if inside and on_edge and terrain[y, x] == Terrain.GRASS and rng.random() < 0.75:
                    terrain[y, x] = Terrain.FOREST


def _make_districts(
    city: City, blocks: list[_Block], cols: int, rows: int, pitch: int, count: int, names: tuple[str, ...]
) -> None:
    count = max(1, min(count, cols * rows // 2 or 1))
    dcols = max(1, round(math.sqrt(count * cols / rows)))
    drows = max(1, math.ceil(count / dcols))
    col_edges = [int(v) for v in np.linspace(0, cols, dcols + 1).round()]
    row_edges = [int(v) for v in np.linspace(0, rows, drows + 1).round()]
    for dr in range(drows):
        for dc in range(dcols):
            c0, c1 = col_edges[dc], col_edges[dc + 1]
            r0, r1 = row_edges[dr], row_edges[dr + 1]
            if c1 <= c0 or r1 <= r0:
                continue
            did = len(city.districts)
            area = Rect(MARGIN + c0 * pitch, MARGIN + r0 * pitch, (c1 - c0) * pitch + 1, (r1 - r0) * pitch + 1)
            city.districts.append(District(did, names[did % len(names)], area))
            for b in blocks:
                if c0 <= b.col < c1 and r0 <= b.row < r1:
                    b.district = did
            _split_neighbourhoods(city, did, area, c1 - c0, r1 - r0, pitch)


def _split_neighbourhoods(city: City, district: int, area: Rect, cols: int, rows: int, pitch: int) -> None:
    name = city.districts[district].name
    halves_x = 2 if cols >= 2 else 1
    halves_y = 2 if rows >= 2 and cols * rows >= 6 else 1
    xs = [int(v) for v in np.linspace(0, cols, halves_x + 1).round()]
    ys = [int(v) for v in np.linspace(0, rows, halves_y + 1).round()]
    suffixes = iter(("North West", "North East", "South West", "South East") if halves_y == 2
                    else ("West", "East") if halves_x == 2 else ("Centre",))
    for j in range(halves_y):
        for i in range(halves_x):
            rect = Rect(area.x + xs[i] * pitch, area.y + ys[j] * pitch,
                        (xs[i + 1] - xs[i]) * pitch + 1, (ys[j + 1] - ys[j]) * pitch + 1)
            suffix = next(suffixes, NEIGHBOURHOOD_SUFFIXES[0])
            city.neighbourhoods.append(Neighbourhood(len(city.neighbourhoods), district, f"{name} {suffix}", rect))


def _choose_park_blocks(blocks: list[_Block], plaza: _Block, parks: int, rng: random.Random) -> None:
    candidates = [b for b in blocks if b is not plaza]
    # Spread parks: take every k-th block in a shuffled-but-seeded order.
    rng.shuffle(candidates)
    candidates.sort(key=lambda b: (b.district, b.row % 3, b.col % 3))
    step = max(1, len(candidates) // max(parks, 1))
    for k in range(parks):
        candidates[(k * step) % len(candidates)].kind = "park"


def _neighbourhood_at(city: City, x: int, y: int) -> int:
    for n in city.neighbourhoods:
        if n.area.contains(x, y):
            return n.id
    return 0


def _make_lots(city: City, blocks: list[_Block], lot_size: int) -> dict[int, list[Lot]]:
    by_district: dict[int, list[Lot]] = {}
    for block in blocks:
        if block.kind == "park":
            continue
        a = block.area
        for oy in (0, lot_size):
            for ox in (0, lot_size):
                rect = Rect(a.x + ox, a.y + oy, lot_size, lot_size)
                lot = Lot(len(city.lots), _neighbourhood_at(city, rect.x, rect.y), rect)
                city.lots.append(lot)
                by_district.setdefault(block.district, []).append(lot)
    for did, lots in by_district.items():
        cx, cy = city.districts[did].area.centre
        lots.sort(key=lambda lot: (abs(lot.area.centre[0] - cx) + abs(lot.area.centre[1] - cy), lot.id))
    return by_district


def _lots_in(city: City, area: Rect) -> list[Lot]:
    return [lot for lot in city.lots if area.contains_rect(lot.area)]


def _take_lot(lots_by_district: dict[int, list[Lot]], district_ids: list[int], k: int) -> Lot:
    for offset in range(len(district_ids)):
        lots = lots_by_district[district_ids[(k + offset) % len(district_ids)]]
        if lots:
            return lots.pop(0)
    raise RuntimeError("the layout ran out of lots; this is a bug in the block count")


def _place_park(city: City, block: _Block, order: BuildingOrder) -> int:
    a = block.area
    entrance = (a.x + a.width // 2, a.y - 1)
    nid = _neighbourhood_at(city, a.x, a.y)
    lot = Lot(len(city.lots), nid, Rect(a.x, a.y, a.width, a.height))
    city.lots.append(lot)
    return _add_building(city, order, lot.id, Rect(a.x, a.y, a.width, a.height), entrance)


def _place_on_lot(
    city: City, lot: Lot, order: BuildingOrder, lot_size: int, pitch: int, streets: list[str]
) -> int:
    r = lot.area
    left = (r.x - MARGIN - 1) % pitch == 0  # lot touches the road on its left
    top = (r.y - MARGIN - 1) % pitch == 0  # lot touches the road above
    small = order.type in (BuildingType.HOME, BuildingType.CAFE, BuildingType.SHOP)
    size = lot_size - 1 if small else lot_size
    fx = r.x if left else r.x + lot_size - size
    fy = r.y if top else r.y + lot_size - size
    footprint = Rect(fx, fy, size, size)
    entrance_x = fx + size // 2
    entrance_y = fy - 1 if top else fy + size
    if not order.name:
        street = streets[(entrance_y - MARGIN) // pitch % len(streets)]
        order.name = f"{lot.id + 1} {street} Street"
    return _add_building(city, order, lot.id, footprint, (entrance_x, entrance_y))


def _add_building(city: City, order: BuildingOrder, lot: int, footprint: Rect, entrance: tuple[int, int]) -> int:
    opens, closes = order.hours or DEFAULT_HOURS.get(order.type, (0, 24 * 60))
    bid = len(city.buildings)
    city.buildings.append(
        Building(bid, order.name or f"{order.type.label.title()} {bid}", order.type, lot, footprint,
                 entrance, order.capacity, opens, closes)
    )
    return bid
