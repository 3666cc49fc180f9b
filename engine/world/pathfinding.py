"""Shortest walking paths over the tile grid, cached.

A breadth-first tree rooted at a destination gives every tile's next step
towards it, so one search answers all trips *to* that place. Paths are
symmetric, so a trip *from* a place we hold a tree for is answered by walking
the tree backwards. Trees come from scipy's C breadth-first search (~1 ms on a
200x200 grid) and live in an LRU; finished paths live in a second LRU keyed by
(from, to), because people repeat their commutes every day. A tree is kept as
one byte a tile (which way to step: ``regional_paths.direction_tree``) rather
than scipy's four-byte cell ids, so four times as many fit in the same memory:
a town of 10,000 keeps a tree for nearly every door it has.

That is exact, but each tree is a search over the whole map: maps larger than
``EXACT_AREA`` tiles (100,000 people live on 442,000; 30,000 on 137,000) hand trips to
``RegionalPaths`` instead, which keeps one tree per block of the map rather than
per destination, and gives paths at most a few tiles longer. Smaller towns keep
the exact search, so their runs stay what they were. Whether two cells are
connected at all is known up front from the map's connected components.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from engine.world.lru import LRU
from engine.world.regional_paths import RegionalPaths, direction_tree, walk

# Above this many tiles a tree per destination costs more than a commute can wait for (a whole-map search
# is ~16 ms at 442,000 tiles, and 100,000 people head for 18,000 doors); the 30,000-person city is 137,000.
EXACT_AREA = 200_000
TREE_BUDGET = 80 * 2**20  # bytes of exact trees kept (one byte a tile), but never fewer than MIN_TREES trees
MIN_TREES = 384


class NoPathError(ValueError):
    pass


def grid_graph(walkable: np.ndarray) -> csr_matrix:
    """4-neighbour adjacency of walkable tiles, as a symmetric sparse matrix over cell ids."""
    height, width = walkable.shape
    ids = np.arange(height * width, dtype=np.int32).reshape(height, width)
    horizontal = walkable[:, :-1] & walkable[:, 1:]
    vertical = walkable[:-1, :] & walkable[1:, :]
    left, right = ids[:, :-1][horizontal], ids[:, 1:][horizontal]
    up, down = ids[:-1, :][vertical], ids[1:, :][vertical]
    # Both directions stored: searches can then run "directed" and skip scipy's
    # per-call symmetrisation, which costs more than the search itself.
    src = np.concatenate([left, right, up, down])
    dst = np.concatenate([right, left, down, up])
    data = np.ones(len(src), dtype=np.float64)  # scipy searches float64 graphs: any other dtype is copied per search
    n = height * width
    return csr_matrix((data, (src, dst)), shape=(n, n))


class PathFinder:
    def __init__(self, walkable: np.ndarray, tree_cache: int | None = None, path_cache: int = 60_000,
                 exact_area: int | None = None, block: int = 32):
        """``exact_area``: maps with more tiles than this (None: ``EXACT_AREA``) search by blocks of
        ``block`` tiles a side. ``tree_cache``: exact trees kept (None: as many as ``TREE_BUDGET`` holds)."""
        exact_area = EXACT_AREA if exact_area is None else exact_area
        self.walkable = walkable
        self.width = int(walkable.shape[1])
        self._graph = grid_graph(walkable)
        self._labels = connected_components(self._graph, directed=True, connection="weak")[1]
        self._regional = (RegionalPaths(walkable, self._graph, self._labels, block)
                          if walkable.size > exact_area else None)
        self._trees: LRU[int, bytes] = LRU(tree_cache or max(MIN_TREES, TREE_BUDGET // max(1, walkable.size)))
        self._paths: LRU[tuple[int, int], np.ndarray] = LRU(path_cache)
        self._tree_searches = 0

    @property
    def tree_searches(self) -> int:
        """Searches over the whole map made so far."""
        return self._tree_searches + (self._regional.tree_searches if self._regional else 0)

    def cell(self, x: int, y: int) -> int:
        return y * self.width + x

    def path(self, start: int, goal: int) -> np.ndarray:
        """Cells from ``start`` to ``goal`` inclusive (int32). Raises NoPathError."""
        key = (start, goal)
        cached = self._paths.get(key)
        if cached is not None:
            return cached
        if start == goal:
            result = np.array([start], dtype=np.int32)
        elif self._labels[start] != self._labels[goal]:
            raise NoPathError(f"no walkable path from cell {start} to cell {goal}")
        elif self._regional is not None:
            result = self._regional.path(start, goal)
        elif goal in self._trees or start not in self._trees:
            result = self._walk(self._tree(goal), start, goal)
        else:
            result = self._walk(self._trees.peek(start), goal, start)[::-1].copy()
        return self._paths.put(key, result)

    def reachable(self, start: int, goal: int) -> bool:
        return bool(self._labels[start] == self._labels[goal])

    def component_labels(self) -> np.ndarray:
        """A label per cell; two cells share a label when one can walk to the other."""
        return self._labels

    def _tree(self, root: int) -> bytes:
        tree = self._trees.get(root)
        if tree is not None:
            return tree
        self._tree_searches += 1
        return self._trees.put(root, direction_tree(self._graph, root, self.width))

    def _walk(self, tree: bytes, start: int, root: int) -> np.ndarray:
        cells = walk(tree, start, self.width)
        if cells[-1] != root:  # the labels say when there is no way; this is a last guard
            raise NoPathError(f"no walkable path from cell {start} to cell {root}")
        return np.array(cells, dtype=np.int32)
