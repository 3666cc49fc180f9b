"""The search by blocks that big maps use: forced onto small grids here with ``exact_area=0``."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.contracts.enums import Terrain
from engine.contracts.events import Arrived
from engine.sim.simulation import Simulation
from engine.world import pathfinding
from engine.world.pathfinding import EXACT_AREA, NoPathError, PathFinder


def _regional(walkable: np.ndarray, block: int = 6) -> PathFinder:
    return PathFinder(walkable, exact_area=0, block=block)


def _exact(walkable: np.ndarray) -> PathFinder:
    return PathFinder(walkable, exact_area=walkable.size)


def _assert_walk(walkable: np.ndarray, path: np.ndarray, start: int, goal: int) -> None:
    width = walkable.shape[1]
    xs, ys = path % width, path // width
    assert path[0] == start and path[-1] == goal
    assert np.all(np.abs(np.diff(xs)) + np.abs(np.diff(ys)) == 1)
    assert walkable[ys, xs].all()


def _streets(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A town-like grid: streets every few tiles, some blocked, some open squares."""
    walkable = np.zeros((height, width), dtype=bool)
    walkable[:: rng.integers(3, 6)] = True
    walkable[:, :: rng.integers(3, 6)] = True
    walkable &= rng.random((height, width)) > 0.08  # roadworks
    for _ in range(3):
        y, x = rng.integers(0, height - 8), rng.integers(0, width - 8)
        walkable[y : y + 8, x : x + 8] = True
    return walkable


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), height=st.integers(8, 40), width=st.integers(8, 40),
       density=st.floats(0.0, 0.45), block=st.integers(2, 12))
def test_paths_are_walks_no_shorter_than_the_shortest(seed, height, width, density, block):
    rng = np.random.default_rng(seed)
    walkable = rng.random((height, width)) >= density
    regional, exact = _regional(walkable, block), _exact(walkable)
    cells = np.flatnonzero(walkable)
    if len(cells) < 2:
        return
    labels = regional.component_labels()
    for start, goal in rng.choice(cells, size=(20, 2)):
        start, goal = int(start), int(goal)
        if labels[start] != labels[goal]:
            with pytest.raises(NoPathError):
                regional.path(start, goal)
            assert not regional.reachable(start, goal)
            continue
        path = regional.path(start, goal)
        _assert_walk(walkable, path, start, goal)
        assert len(path) >= len(exact.path(start, goal))


def test_paths_on_street_grids_are_close_to_the_shortest():
    rng = np.random.default_rng(7)
    overheads = []
    for _ in range(6):
        walkable = _streets(rng, 90, 120)
        regional, exact = _regional(walkable, block=16), _exact(walkable)
        labels = regional.component_labels()
        cells = np.flatnonzero(walkable)
        for start, goal in rng.choice(cells, size=(60, 2)):
            start, goal = int(start), int(goal)
            if start == goal or labels[start] != labels[goal]:
                continue
            path = regional.path(start, goal)
            _assert_walk(walkable, path, start, goal)
            shortest = len(exact.path(start, goal)) - 1
            overheads.append((len(path) - 1 - shortest) / shortest)
    assert len(overheads) > 200
    assert np.mean(overheads) <= 0.05
    assert np.mean(np.array(overheads) == 0) >= 0.5  # most trips are the shortest itself


def test_one_whole_map_search_per_block_serves_every_trip():
    walkable = np.ones((60, 60), dtype=bool)
    walkable[30, 5:55] = False  # a wall to walk around
    finder = _regional(walkable, block=10)
    rng = np.random.default_rng(1)
    cells = np.flatnonzero(walkable)
    for start, goal in rng.choice(cells, size=(400, 2)):
        _assert_walk(walkable, finder.path(int(start), int(goal)), int(start), int(goal))
    assert finder.tree_searches <= 36  # one per block hub, not one per goal


def test_unreachable_goal_raises_without_searching():
    walkable = np.ones((40, 40), dtype=bool)
    walkable[:, 20] = False
    finder = _regional(walkable)
    with pytest.raises(NoPathError):
        finder.path(finder.cell(0, 0), finder.cell(39, 39))
    assert not finder.reachable(finder.cell(0, 0), finder.cell(39, 0))
    assert finder.tree_searches == 0


def test_an_edited_map_gets_paths_around_the_new_wall():
    walkable = np.ones((40, 40), dtype=bool)
    start, goal = 5 * 40 + 2, 5 * 40 + 37
    _assert_walk(walkable, _regional(walkable).path(start, goal), start, goal)
    walkable = walkable.copy()
    walkable[0:30, 20] = False  # the edit: a wall with a gap at the bottom
    path = _regional(walkable).path(start, goal)
    _assert_walk(walkable, path, start, goal)
    assert (path[path % 40 == 20] // 40 >= 30).all()  # through the gap
    assert len(path) <= len(_exact(walkable).path(start, goal)) + 8
    walkable[30:, 20] = False  # and then closed off
    with pytest.raises(NoPathError):
        _regional(walkable).path(start, goal)


def test_big_maps_search_by_blocks_and_small_ones_exactly():
    side = int(EXACT_AREA**0.5) + 1
    big = np.ones((side, side), dtype=bool)
    finder = PathFinder(big)
    rng = np.random.default_rng(3)
    for start, x, y in zip(rng.choice(big.size, 30), rng.integers(96, 128, 30), rng.integers(96, 128, 30), strict=True):
        goal = finder.cell(int(x), int(y))  # thirty doors in one block
        _assert_walk(big, finder.path(int(start), goal), int(start), goal)
    assert finder.tree_searches == 1  # that block's tree, not one per door
    small = PathFinder(np.ones((40, 40), dtype=bool))
    path = small.path(small.cell(0, 0), small.cell(39, 39))
    assert len(path) == 79 and small.tree_searches == 1  # exact: a tree for the goal


def test_a_block_too_big_for_its_box_is_refused():
    with pytest.raises(ValueError, match="block of 200 tiles"):
        PathFinder(np.ones((10, 10), dtype=bool), exact_area=0, block=200)


def test_a_town_walks_by_blocks_and_after_a_map_edit(town, monkeypatch):
    monkeypatch.setattr(pathfinding, "EXACT_AREA", 0)  # the town searches as a big city would
    sim = Simulation(town)
    walkable = sim.city.walkable_mask()
    arrived = 0
    for _ in range(150):
        arrived += sum(isinstance(e, Arrived) for e in sim.step())
        x, y = sim.pop.xy[sim.pop.moving].astype(int).T
        assert walkable[y, x].all()
    height, width = walkable.shape
    assert arrived > 50 and 0 < sim.paths.tree_searches <= -(-height // 32) * -(-width // 32)  # a tree per block
    roads = np.argwhere((sim.city.terrain == Terrain.ROAD) & walkable)
    for y, x in roads[len(roads) // 2 : len(roads) // 2 + 3]:
        sim.city.terrain[y, x] = Terrain.WATER  # a road flooded: the paths are made again
    sim.city_changed()
    walkable = sim.city.walkable_mask()
    arrived = 0
    for _ in range(150):
        arrived += sum(isinstance(e, Arrived) for e in sim.step())
    assert arrived > 50
