import numpy as np
import pytest

from engine.world.pathfinding import NoPathError, PathFinder


def _grid(rows: list[str]) -> np.ndarray:
    return np.array([[c == "." for c in row] for row in rows])


def test_path_is_shortest_and_steps_between_neighbours():
    walkable = _grid([
        ".....",
        ".###.",
        ".#...",
        ".#.#.",
        "...#.",
    ])
    finder = PathFinder(walkable)
    start, goal = finder.cell(0, 0), finder.cell(2, 2)
    path = finder.path(start, goal)
    assert path[0] == start and path[-1] == goal
    xs, ys = path % 5, path // 5
    assert np.all(np.abs(np.diff(xs)) + np.abs(np.diff(ys)) == 1)
    assert walkable[ys, xs].all()
    assert len(path) == 9  # around the wall on the right


def test_reverse_trip_reuses_the_tree():
    finder = PathFinder(np.ones((30, 30), dtype=bool))
    a, b = finder.cell(1, 1), finder.cell(25, 20)
    forward = finder.path(a, b)
    searches = finder.tree_searches
    backward = finder.path(b, a)
    assert finder.tree_searches == searches  # b's tree, walked from a and reversed
    assert backward[0] == b and backward[-1] == a and len(backward) == len(forward)


def test_unreachable_goal_raises():
    walkable = _grid(["..#..", "..#..", "..#.."])
    finder = PathFinder(walkable)
    with pytest.raises(NoPathError):
        finder.path(finder.cell(0, 0), finder.cell(4, 2))
    assert not finder.reachable(finder.cell(0, 0), finder.cell(4, 0))


def test_component_labels_split_islands():
    finder = PathFinder(_grid(["..#..", "..#.."]))
    labels = finder.component_labels()
    assert labels[finder.cell(0, 0)] == labels[finder.cell(1, 1)]
    assert labels[finder.cell(0, 0)] != labels[finder.cell(4, 1)]
