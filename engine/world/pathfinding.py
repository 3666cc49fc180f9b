"""Shortest walking paths over the tile grid, cached.

A breadth-first tree rooted at a destination gives every tile's next step
towards it, so one search answers all trips *to* that place. Paths are
symmetric, so a trip *from* a place we hold a tree for is answered by walking
the tree backwards. Trees come from scipy's C breadth-first search (~1 ms on a
200x200 grid) and live in an LRU; finished paths live in a second LRU keyed by
(from, to), because people repeat their commutes every day.

A tree is kept as one byte a tile (which of the four neighbours is the next
step) rather than scipy's four-byte cell ids, so four times as many fit in the
same memory: a town of 10,000 keeps a tree for nearly every door it has, and
a search is needed only the first time a door is walked to.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

NO_PATH = -9999  # scipy's marker for "unreached" in predecessor arrays
TREE_BUDGET = 80 * 2**20  # bytes of trees kept (at one byte a tile), but never fewer than MIN_TREES trees
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
    def __init__(self, walkable: np.ndarray, tree_cache: int | None = None, path_cache: int = 60_000):
        """``tree_cache``: how many trees to keep (None: as many as ``TREE_BUDGET`` holds on this grid)."""
        self.walkable = walkable
        self.width = int(walkable.shape[1])
        self._graph = grid_graph(walkable)
        self._trees: OrderedDict[int, np.ndarray] = OrderedDict()
        self._paths: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._tree_cache = tree_cache or max(MIN_TREES, TREE_BUDGET // max(1, walkable.size))
        self._steps = (0, 1, -1, self.width, -self.width)  # cell offset of each next-step code (0: none)
        self._path_cache = path_cache
        self.tree_searches = 0

    def cell(self, x: int, y: int) -> int:
        return y * self.width + x

    def path(self, start: int, goal: int) -> np.ndarray:
        """Cells from ``start`` to ``goal`` inclusive (int32). Raises NoPathError."""
        key = (start, goal)
        cached = self._paths.get(key)
        if cached is not None:
            self._paths.move_to_end(key)
            return cached
        if start == goal:
            result = np.array([start], dtype=np.int32)
        elif goal in self._trees or start not in self._trees:
            result = self._walk(self._tree(goal), start, goal)
        else:
            result = self._walk(self._trees[start], goal, start)[::-1].copy()
        self._paths[key] = result
        if len(self._paths) > self._path_cache:
            self._paths.popitem(last=False)
        return result

    def reachable(self, start: int, goal: int) -> bool:
        try:
            self.path(start, goal)
        except NoPathError:
            return False
        return True

    def component_labels(self) -> np.ndarray:
        """A label per cell; two cells share a label when one can walk to the other."""
        return connected_components(self._graph, directed=True, connection="weak")[1]

    def _tree(self, root: int) -> np.ndarray:
        """Each cell's next step towards ``root``, as a code (an index into ``_steps``; 0: root or unreached)."""
        tree = self._trees.get(root)
        if tree is not None:
            self._trees.move_to_end(root)
            return tree
        _, before = breadth_first_order(self._graph, root, directed=True, return_predecessors=True)
        self.tree_searches += 1
        tree = self._codes(before)
        self._trees[root] = tree
        if len(self._trees) > self._tree_cache:
            self._trees.popitem(last=False)
        return tree

    def _codes(self, before: np.ndarray) -> np.ndarray:
        """scipy's predecessor ids as next-step codes: one byte a cell instead of four."""
        offset = before - np.arange(len(before), dtype=before.dtype)
        codes = np.zeros(len(before), dtype=np.int8)
        reached = before != NO_PATH
        for code, step in enumerate(self._steps[1:], start=1):
            codes[reached & (offset == step)] = code
        return codes

    def _walk(self, tree: np.ndarray, start: int, root: int) -> np.ndarray:
        code = tree.data  # a memoryview: indexing gives plain ints, several times cheaper than numpy's scalars
        steps = self._steps
        path = [start]
        cell = start
        while cell != root:
            step = code[cell]
            if not step:
                raise NoPathError(f"no walkable path from cell {start} to cell {root}")
            cell += steps[step]
            path.append(cell)
        return np.array(path, dtype=np.int32)
