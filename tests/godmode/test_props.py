"""God mode's objects (trees, benches, lamps, fountains, flower beds): placing, refusing, undo,
replays through time travel, saving, validation, Tiled, and the fun a nice park gives."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from engine import api
from engine.agents.needs import FUN, leisure_fun_boost, update_needs
from engine.contracts import Activity, BuildingType, Seek, Terrain
from engine.contracts import edits as e
from engine.edits.apply import apply
from engine.sim.simulation import Simulation
from engine.state.city import Prop
from engine.world.props import FUN_BONUS, park_fun_factor
from engine.world.tiled import export_tiled, import_tiled
from engine.world.validation import find_problems
from tests.conftest import WORLDS
from tests.godmode.test_edits import Engine


@pytest.fixture
def engine():
    running = Engine()
    yield running
    running.handle.stop()


def grass_tile(static, skip: int = 0) -> tuple[int, int]:
    """A grass tile outside every building (the ``skip``-th such tile)."""
    taken = np.zeros_like(static.terrain, dtype=bool)
    for b in static.buildings:
        if not b.removed:
            taken[b.y : b.y + b.height, b.x : b.x + b.width] = True
    ys, xs = np.nonzero((static.terrain == Terrain.GRASS) & ~taken)
    return int(xs[skip]), int(ys[skip])


def first_tile(static, terrain: Terrain) -> tuple[int, int]:
    ys, xs = np.nonzero(static.terrain == terrain)
    return int(xs[0]), int(ys[0])


def standing(static) -> dict[int, tuple[str, int, int]]:
    return {p.id: (p.kind, p.x, p.y) for p in static.props if not p.removed}


def park(static):
    return next(b for b in static.buildings if b.type == BuildingType.PARK and not b.removed)


def not_park(static):
    return next(b for b in static.buildings if b.type != BuildingType.PARK and not b.removed)


def test_place_a_fountain_then_undo_and_redo_keep_its_id(engine):
    x, y = grass_tile(engine.snapshot.static)
    placed = engine.edit(e.PlaceProp(kind="fountain", x=x, y=y))
    assert "fountain" in placed.summary
    props = standing(engine.snapshot.static)
    assert list(props.values()) == [("fountain", x, y)]
    prop_id = next(iter(props))
    undo = api.edit_from_json(placed.inverse)
    assert isinstance(undo, e.RemoveProp) and undo.prop == prop_id
    removed = engine.edit(undo)
    assert standing(engine.snapshot.static) == {}
    assert engine.snapshot.static.props[prop_id].removed  # a tombstone: the id stays taken
    redo = api.edit_from_json(removed.inverse)
    assert isinstance(redo, e.PlaceProp) and (redo.kind, redo.x, redo.y, redo.prop_id) == ("fountain", x, y, prop_id)
    engine.edit(redo)
    assert standing(engine.snapshot.static) == {prop_id: ("fountain", x, y)}
    assert len(engine.snapshot.static.props) == 1  # brought back, not a second one


def test_objects_are_refused_in_bad_places_with_the_reason(engine):
    static = engine.snapshot.static
    x, y = grass_tile(static)
    engine.edit(e.PlaceProp(kind="bench", x=x, y=y))
    house = not_park(engine.snapshot.static)
    assert "water" in engine.refused(e.PlaceProp(kind="tree", x=first_tile(static, Terrain.WATER)[0],
                                                 y=first_tile(static, Terrain.WATER)[1]))
    assert "road" in engine.refused(e.PlaceProp(kind="tree", x=first_tile(static, Terrain.ROAD)[0],
                                                y=first_tile(static, Terrain.ROAD)[1]))
    assert house.name in engine.refused(e.PlaceProp(kind="lamp", x=house.x, y=house.y))
    assert "bench already stands" in engine.refused(e.PlaceProp(kind="tree", x=x, y=y))
    assert "off the map" in engine.refused(e.PlaceProp(kind="tree", x=-1, y=0))
    assert "unknown object" in engine.refused(e.PlaceProp(kind="statue", x=x + 1, y=y))
    assert "no object" in engine.refused(e.RemoveProp(prop=99))
    assert len(standing(engine.snapshot.static)) == 1


def test_a_park_may_hold_objects(engine):
    green = park(engine.snapshot.static)
    engine.edit(e.PlaceProp(kind="flowers", x=green.x + 1, y=green.y + 1))
    assert ("flowers", green.x + 1, green.y + 1) in standing(engine.snapshot.static).values()


def test_painting_water_or_road_over_an_object_is_refused_and_grass_is_fine(engine):
    x, y = grass_tile(engine.snapshot.static)
    engine.edit(e.PlaceProp(kind="tree", x=x, y=y))
    reason = engine.refused(e.PaintTerrain(cells=((x, y, int(Terrain.WATER)),)))
    assert "tree stands" in reason and "remove it" in reason
    assert "tree stands" in engine.refused(e.PaintTerrain(cells=((x, y, int(Terrain.ROAD)),)))
    assert int(engine.snapshot.static.terrain[y, x]) == Terrain.GRASS
    engine.edit(e.PaintTerrain(cells=((x, y, int(Terrain.SAND)),)))  # the tree may stand on sand
    assert int(engine.snapshot.static.terrain[y, x]) == Terrain.SAND


def test_a_building_may_not_bury_an_object_but_demolishing_is_not_blocked(engine):
    from tests.godmode.test_edits import free_spot

    x, y = free_spot(engine.snapshot)
    engine.edit(e.PlaceProp(kind="lamp", x=x + 1, y=y + 1))
    assert "lamp stands there" in engine.refused(e.PlaceBuilding(type="cafe", x=x, y=y))
    green = park(engine.snapshot.static)
    engine.edit(e.PlaceProp(kind="bench", x=green.x, y=green.y))
    engine.edit(e.RemoveBuilding(building=green.id))  # objects never block a demolition
    assert engine.snapshot.static.buildings[green.id].removed


def test_an_object_placed_in_the_past_replays_exactly_through_time_travel(engine):
    engine.step(120)
    engine.send(Seek(tick=60))
    x, y = grass_tile(engine.snapshot.static, skip=3)
    engine.edit(e.PlaceProp(kind="tree", x=x, y=y))
    green = park(engine.snapshot.static)
    engine.edit(e.PlaceProp(kind="fountain", x=green.x + 2, y=green.y + 2))
    engine.step(40)
    live_hash = engine.handle._sim.state_hash()  # the test may peek; the GUI may not
    live_props = standing(engine.snapshot.static)
    engine.send(Seek(tick=70))
    engine.send(Seek(tick=55))
    assert standing(engine.snapshot.static) == {}  # before the edits: rewound by their inverses
    engine.send(Seek(tick=100))
    assert engine.handle._sim.state_hash() == live_hash
    assert standing(engine.snapshot.static) == live_props  # the same ids again


def test_save_and_reopen_keeps_objects_and_tombstones(tmp_path: Path):
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world)
    x, y = grass_tile(_static_like(world))
    apply(sim, e.PlaceProp(kind="tree", x=x, y=y))
    apply(sim, e.PlaceProp(kind="lamp", x=x + 1, y=y))
    apply(sim, e.RemoveProp(prop=0))
    path = tmp_path / "props.town"
    api.save_world(world, path)
    again = api.open_world(path)
    assert again.city.props == [Prop(0, "tree", x, y, removed=True), Prop(1, "lamp", x + 1, y)]
    assert find_problems(again) == []


def test_an_old_file_without_the_prop_table_opens(tmp_path: Path):
    world = api.open_world(WORLDS / "village.town")
    path = tmp_path / "old.town"
    api.save_world(world, path)
    with sqlite3.connect(path) as conn:  # as a schema 4 file was written
        conn.execute("DROP TABLE prop")
        conn.execute("UPDATE meta SET value='4' WHERE key='schema_version'")
        conn.execute("PRAGMA user_version = 4")
    opened = api.open_world(path)
    assert opened.city.props == []
    assert len(opened.city.buildings) == len(world.city.buildings)


def test_validation_reports_objects_in_bad_places():
    world = api.open_world(WORLDS / "village.town")
    city = world.city
    wy, wx = (int(v[0]) for v in np.nonzero(city.terrain == Terrain.WATER))
    house = next(b for b in city.standing if b.type != BuildingType.PARK)
    city.props = [Prop(0, "tree", wx, wy), Prop(1, "bench", house.footprint.x, house.footprint.y),
                  Prop(2, "lamp", 999, 0)]
    problems = [p for p in find_problems(world) if p.startswith("object")]
    assert len(problems) == 3
    assert "water" in problems[0] and house.name in problems[1] and "off the map" in problems[2]


def test_tiled_export_and_import_carry_objects(tmp_path: Path):
    world = api.open_world(WORLDS / "village.town")
    x, y = grass_tile(_static_like(world))
    world.city.props = [Prop(0, "fountain", x, y), Prop(1, "tree", x + 1, y, removed=True)]
    path = tmp_path / "village.tmj"
    export_tiled(world, path)
    back = import_tiled(path, agents=0)
    assert [(p.kind, p.x, p.y) for p in back.city.props] == [("fountain", x, y)]


def test_a_fountain_makes_leisure_in_its_park_more_fun():
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world)
    green = next(b for b in world.city.standing if b.type == BuildingType.PARK)
    assert park_fun_factor(world.city)[green.id] == 1.0
    apply(sim, e.PlaceProp(kind="tree", x=green.footprint.x, y=green.footprint.y))
    assert sim.fun_factor[green.id] == 1.0  # a tree is pleasant, but not a delight
    apply(sim, e.PlaceProp(kind="fountain", x=green.footprint.x + 1, y=green.footprint.y))
    assert sim.fun_factor[green.id] == pytest.approx(FUN_BONUS)
    activity = np.array([Activity.LEISURE, Activity.LEISURE, Activity.WORK], dtype=np.int8)
    location = np.array([green.id, -1, green.id], dtype=np.int32)
    needs = np.full((3, 4), 0.5, dtype=np.float32)
    update_needs(needs, activity, 10.0, leisure_fun_boost(activity, location, sim.fun_factor))
    in_park, elsewhere = needs[0, FUN] - 0.5, needs[1, FUN] - 0.5
    assert in_park == pytest.approx(elsewhere * FUN_BONUS, rel=1e-4)
    assert needs[2, FUN] < 0.5  # work is no fun, fountain or not
    sim.step()  # the hook runs inside the tick without trouble


def _static_like(world):
    """Just enough of a StaticWorld for ``grass_tile``."""
    from engine.sim.snapshot import build_static

    return build_static(world, 1)
