"""Bring your own map: import a Tiled map (.tmj/.json/.tmx) as a new world, export terrain back.

Layer conventions (documented in the README):
- tile layer ``terrain``: each tile's custom property ``terrain`` (or its class)
  names a terrain: grass, water, road, plaza, sand, forest;
- a tile layer named after a terrain (``water``, ``road``, ...): its tiles are that terrain;
- any other tile layer: its tiles become road (so a platformer's platforms become streets);
- object layer ``buildings``: rectangles; class = building type (home, cafe, ...),
  name = the building's name, optional properties ``capacity``, ``opens``, ``closes`` ("08:00");
- object layer ``districts``: rectangles; name = the district's name;
- object layer ``props``: points (or tile objects); class = the object's kind (tree, bench,
  lamp, fountain, flowers), placed on the tile the point falls in.
Everything is in tiles of the map's own tile size. Layers are applied bottom to top.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
from pytiled_parser import ObjectLayer, TiledMap, TileLayer, parse_map
from pytiled_parser.properties import Property
from pytiled_parser.tiled_object import Rectangle, TiledObject

from engine.contracts.enums import BuildingType, Terrain
from engine.state.city import Building, City, District, Lot, Neighbourhood, Prop, Rect, entrance_for
from engine.state.world import World
from engine.untrusted.limits import MAX_BUILDINGS, MAX_CAPACITY, MAX_MAP_SIDE, MAX_PEOPLE
from engine.untrusted.text import clean_name
from engine.world.generator import STAFF, default_capacity, populate
from engine.world.layout import DEFAULT_HOURS
from engine.world.props import prop_problem
from engine.world.spec import parse_hours
from engine.world.tiled_limits import MapTooBig, check_map_file

TERRAIN_NAMES = {t.name.lower(): t for t in Terrain}


class TiledError(ValueError):
    pass


def import_tiled(path: str | Path, agents: int | None = None, seed: int = 0, name: str | None = None) -> World:
    """A world from a Tiled map; ``agents`` people move in (default: enough to fill the homes, at most
    MAX_PEOPLE). Every refusal is a TiledError whose message starts with the map's path."""
    source = Path(path)
    try:
        check_map_file(source)
    except FileNotFoundError:
        raise TiledError(f"{source}: no such file") from None
    except MapTooBig as exc:
        raise TiledError(f"{source}: {exc}") from None
    try:
        tiled = parse_map(source)
    except FileNotFoundError as exc:
        raise TiledError(f"{source}: a file it names is missing ({exc.filename or exc})") from None
    except Exception as exc:  # the parser raises many kinds; say which file and why
        detail = str(exc).splitlines()[0][:200] if str(exc).strip() else ""
        raise TiledError(f"{source}: not a Tiled map I can read ({type(exc).__name__}: {detail})") from None
    try:
        return _build(tiled, source, agents, seed, name)
    except TiledError as exc:
        raise TiledError(exc.args[0] if str(exc).startswith(str(source)) else f"{source}: {exc}") from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        # a property of the wrong type, hours that are not hours, ...
        detail = str(exc).splitlines()[0][:200] if str(exc).strip() else ""
        raise TiledError(f"{source}: not a map I can use ({type(exc).__name__}: {detail})") from None


def _build(tiled: TiledMap, source: Path, agents: int | None, seed: int, name: str | None) -> World:
    # The parser's Size says float, but Tiled counts tiles and pixels in whole numbers.
    width, height = int(tiled.map_size.width), int(tiled.map_size.height)
    tile_w, tile_h = int(tiled.tile_size.width), int(tiled.tile_size.height)
    if not (1 <= width <= MAX_MAP_SIDE and 1 <= height <= MAX_MAP_SIDE) or tile_w < 1 or tile_h < 1:
        raise TiledError(f"the map is {width} x {height} tiles of {tile_w} x {tile_h} pixels "
                         f"(at most {MAX_MAP_SIDE} tiles each way)")
    terrain = np.full((height, width), Terrain.GRASS, dtype=np.uint8)
    buildings: list[Any] = []
    districts: list[Any] = []
    props: list[Any] = []
    for layer in _flatten(tiled.layers):
        if isinstance(layer, TileLayer) and layer.data is not None:
            _paint_layer(terrain, layer, tiled.tilesets)
        elif isinstance(layer, ObjectLayer):
            kind = layer.name.strip().lower()
            rects = [o for o in layer.tiled_objects if isinstance(o, Rectangle)]
            if kind == "buildings":
                buildings += rects
            elif kind == "districts":
                districts += rects
            elif kind == "props":
                props += layer.tiled_objects
    if len(buildings) > MAX_BUILDINGS:
        raise TiledError(f"{len(buildings):,} buildings is more than {MAX_BUILDINGS:,}")
    town = (tiled.properties or {}).get("town")
    city = City(name=clean_name(name or str(town or source.stem.replace("_", " ").title())) or "Town",
                terrain=terrain)
    _add_districts(city, districts, tile_w, tile_h)
    for obj in buildings:
        _add_building(city, obj, tile_w, tile_h)
    for obj in props:
        _add_prop(city, obj, tile_w, tile_h)
    world = World(city=city, people=[], seed=seed, template="tiled")
    homes = sum(b.capacity for b in city.buildings if b.type.is_residential)
    populate(world, min(MAX_PEOPLE, homes if agents is None else min(agents, homes)), random.Random(seed))
    return world


def _flatten(layers: list[Any]) -> list[Any]:
    flat = []
    for layer in layers:
        flat += _flatten(layer.layers) if getattr(layer, "layers", None) else [layer]
    return flat


def _paint_layer(terrain: np.ndarray, layer: TileLayer, tilesets: dict[int, Any]) -> None:
    named = TERRAIN_NAMES.get(layer.name.strip().lower())
    by_tile = layer.name.strip().lower() == "terrain"
    height, width = terrain.shape
    by_gid: dict[int, Terrain] = {}
    assert layer.data is not None  # import_tiled passes only layers that have tiles
    for y, row in enumerate(layer.data[:height]):
        gids = np.asarray(row[:width], dtype=np.int64)
        used = gids != 0
        if not used.any():
            continue
        if named is not None:
            terrain[y, : len(gids)][used] = named
        elif by_tile:
            for gid in np.unique(gids[used]).tolist():
                if gid not in by_gid:
                    by_gid[gid] = _tile_terrain(gid, tilesets)
                terrain[y, : len(gids)][gids == gid] = by_gid[gid]
        else:
            terrain[y, : len(gids)][used] = Terrain.ROAD


def _tile_terrain(gid: int, tilesets: dict[int, Any]) -> Terrain:
    first = max((f for f in tilesets if f <= gid), default=None)
    tile = None
    if first is not None and tilesets[first].tiles:
        tile = tilesets[first].tiles.get(gid - first)
    label = ""
    if tile is not None:
        label = str((tile.properties or {}).get("terrain") or tile.class_ or "")
    try:
        return TERRAIN_NAMES[label.strip().lower()]
    except KeyError:
        raise TiledError(f"tile {gid} in layer 'terrain' has no 'terrain' property (one of "
                         f"{', '.join(TERRAIN_NAMES)})") from None


def _whole(value: Property) -> int:
    """A custom property that should be a whole number (written as a number or as text)."""
    if not isinstance(value, int | float | str):
        raise TypeError(f"expected a number, found {value!r}")
    return int(value)


def _tiles(obj: Rectangle, tile_w: int, tile_h: int) -> Rect:
    x, y = round(obj.coordinates.x / tile_w), round(obj.coordinates.y / tile_h)
    w, h = max(1, round(obj.size.width / tile_w)), max(1, round(obj.size.height / tile_h))
    return Rect(x, y, w, h)


def _add_districts(city: City, objects: list[Rectangle], tile_w: int, tile_h: int) -> None:
    areas = [(clean_name(o.name or "") or f"District {i + 1}", _tiles(o, tile_w, tile_h))
             for i, o in enumerate(objects)]
    if not areas:
        areas = [(city.name, Rect(0, 0, city.width, city.height))]
    for i, (district_name, area) in enumerate(areas):
        city.districts.append(District(i, district_name, area))
        city.neighbourhoods.append(Neighbourhood(i, i, district_name, area))


def _add_building(city: City, obj: Rectangle, tile_w: int, tile_h: int) -> None:
    rect = _tiles(obj, tile_w, tile_h)
    label = str(obj.class_ or (obj.properties or {}).get("type") or "home").strip().lower().replace(" ", "_")[:40]
    try:
        kind = BuildingType[label.upper()]
    except KeyError:
        raise TiledError(f"building {clean_name(obj.name or '') or obj.id!r} has unknown type {label!r}") from None
    if not (city.in_bounds(rect.x, rect.y) and city.in_bounds(rect.x + rect.width - 1, rect.y + rect.height - 1)):
        raise TiledError(f"building {clean_name(obj.name or '') or obj.id!r} lies off the map")
    props = obj.properties or {}
    area = city.terrain[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width]
    area[area == Terrain.WATER] = Terrain.GRASS  # no building stands in water
    try:
        entrance = entrance_for(city, rect)  # the same door rule as god mode
    except ValueError:  # no road beside it: lay one tile of road at its front door
        entrance = (rect.x + rect.width // 2, min(rect.y + rect.height, city.height - 1))
        city.terrain[entrance[1], entrance[0]] = Terrain.ROAD
    district = next((d.id for d in city.districts if d.area.contains(rect.x, rect.y)), 0)
    lot = Lot(len(city.lots), district, Rect(rect.x, rect.y, rect.width, rect.height))
    city.lots.append(lot)
    capacity = _whole(props.get("capacity", 0)) or (4 if kind.is_residential else default_capacity(kind) if kind in STAFF else 20)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise TiledError(f"building {clean_name(obj.name or '') or obj.id!r} has capacity {capacity:,} "
                         f"(1 to {MAX_CAPACITY:,})")
    opens, closes = DEFAULT_HOURS.get(kind, (0, 24 * 60))
    if "opens" in props and "closes" in props:
        opens, closes = parse_hours(f"{props['opens']}-{props['closes']}")
    title = clean_name(obj.name or "") or f"{kind.label.title()} {len(city.buildings) + 1}"
    city.buildings.append(Building(len(city.buildings), title,
                                   kind, lot.id, rect, entrance, capacity, opens, closes))


def _add_prop(city: City, obj: TiledObject, tile_w: int, tile_h: int) -> None:
    kind = str(obj.class_ or (obj.properties or {}).get("kind") or "").strip().lower()[:40]
    x, y = int(obj.coordinates.x // tile_w), int(obj.coordinates.y // tile_h)
    problem = prop_problem(city, kind, x, y)
    if problem:
        raise TiledError(f"object {clean_name(obj.name or '') or obj.id!r} in layer 'props': {problem}")
    city.props.append(Prop(len(city.props), kind, x, y))


def export_tiled(world: World, path: str | Path, tile_size: int = 16) -> None:
    """The terrain (as a ``terrain`` layer with a tileset whose tiles carry ``terrain``), buildings, districts
    and objects (points in a ``props`` layer)."""
    city = world.city
    target = Path(path)
    tiles = [{"id": int(t), "properties": [{"name": "terrain", "type": "string", "value": t.name.lower()}]}
             for t in Terrain]
    image = target.with_suffix(".terrain.png")
    _tileset_image(image, tile_size)
    data = [int(v) + 1 for v in city.terrain.ravel()]
    rect = lambda r: {"x": r.x * tile_size, "y": r.y * tile_size,  # noqa: E731
                      "width": r.width * tile_size, "height": r.height * tile_size}
    doc = {
        "type": "map", "version": "1.10", "tiledversion": "1.10.2", "orientation": "orthogonal",
        "renderorder": "right-down", "infinite": False, "width": city.width, "height": city.height,
        "tilewidth": tile_size, "tileheight": tile_size, "nextlayerid": 5,
        "nextobjectid": max(len(city.buildings) + 1, 1000 + len(city.districts), 50_000 + len(city.props)) + 1,
        "properties": [{"name": "town", "type": "string", "value": city.name}],
        "tilesets": [{
            "firstgid": 1, "name": "townsfolk-terrain", "image": image.name, "imagewidth": tile_size * len(Terrain),
            "imageheight": tile_size, "tilewidth": tile_size, "tileheight": tile_size, "tilecount": len(Terrain),
            "columns": len(Terrain), "margin": 0, "spacing": 0, "tiles": tiles,
        }],
        "layers": [
            {"id": 1, "name": "terrain", "type": "tilelayer", "width": city.width, "height": city.height,
             "opacity": 1, "visible": True, "x": 0, "y": 0, "data": data},
            {"id": 2, "name": "districts", "type": "objectgroup", "draworder": "topdown", "opacity": 1, "visible": True, "x": 0, "y": 0,
             "objects": [{"id": 1000 + d.id, "name": d.name, "type": "", "rotation": 0, "visible": True, **rect(d.area)}
                         for d in city.districts]},
            {"id": 3, "name": "buildings", "type": "objectgroup", "draworder": "topdown", "opacity": 1, "visible": True, "x": 0, "y": 0,
             "objects": [{"id": b.id + 1, "name": b.name, "type": b.type.name.lower(), "rotation": 0, "visible": True,
                          "properties": [{"name": "capacity", "type": "int", "value": b.capacity}],
                          **rect(b.footprint)} for b in city.standing]},
            {"id": 4, "name": "props", "type": "objectgroup", "draworder": "topdown", "opacity": 1, "visible": True,
             "x": 0, "y": 0,
             "objects": [{"id": 50_000 + p.id, "name": "", "type": p.kind, "rotation": 0, "visible": True,
                          "point": True, "width": 0, "height": 0,
                          "x": (p.x + 0.5) * tile_size, "y": (p.y + 0.5) * tile_size}
                         for p in city.props if not p.removed]},
        ],
    }
    target.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def _tileset_image(path: Path, size: int) -> None:
    from PIL import Image  # only when exporting

    colours = {Terrain.GRASS: (110, 170, 90), Terrain.WATER: (70, 120, 200), Terrain.ROAD: (90, 90, 96),
               Terrain.PLAZA: (200, 190, 160), Terrain.SAND: (220, 210, 150), Terrain.FOREST: (40, 100, 50)}
    strip = np.zeros((size, size * len(Terrain), 3), dtype=np.uint8)
    for t in Terrain:
        strip[:, int(t) * size : (int(t) + 1) * size] = colours[t]
    Image.fromarray(strip).save(path)
