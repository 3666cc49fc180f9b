"""Walking paths on big maps, at a cost per trip that does not grow with the map.

A breadth-first tree over a whole map answers every trip to one place, but a
city of 100,000 people has 18,000 doors on 442,000 tiles: a tree per door is a
whole-map search per door and 1.7 MB each. Here the map is cut into square
blocks and one tree is kept per block, rooted at a cell near the block's
middle (its *hub*); a few hundred trees serve every door. A trip to a goal walks
the goal block's tree from the start, which heads the right way, and leaves it
for the goal where that is shortest: a small search in a box around the goal
(two blocks across) gives every box cell's distance to the goal, and the trip
turns off the hub's path at the cell where steps so far plus distance left is
least. On street grids the result is the shortest path or a few tiles longer
(benchmarks/paths.py measures it).

Trees are stored as one byte per tile (which way to step), walked over
``bytes`` because indexing those from Python is the cheapest lookup there is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from engine.world.lru import LRU

ROOT = 4  # direction code of a tree's root (and of tiles the tree never reached)
UNREACHED = np.iinfo(np.uint16).max  # distance of a box cell that cannot reach the goal inside the box


def direction_tree(graph: csr_matrix, root: int, width: int) -> bytes:
    """For every cell, which of its four neighbours is one step nearer ``root`` (a code into
    ``steps(width)``); ``ROOT`` at the root and where the root cannot be reached."""
    _, predecessors = breadth_first_order(graph, root, directed=True, return_predecessors=True)
    return _codes(predecessors, width)


def steps(width: int) -> tuple[int, int, int, int]:
    """Cell-id offsets of the four direction codes: left, right, up, down."""
    return (-1, 1, -width, width)


def walk(tree: bytes, start: int, width: int) -> list[int]:
    """Cells from ``start`` up ``tree`` to its root, inclusive."""
    offsets = steps(width)
    cells = [start]
    cell = start
    code = tree[cell]
    while code != ROOT:
        cell += offsets[code]
        cells.append(cell)
        code = tree[cell]
    return cells


def neighbour_links(walkable: np.ndarray) -> np.ndarray:
    """(height, width, 4) booleans: whether each cell can step left, right, up, down (the codes'
    order), both tiles walkable."""
    links = np.zeros((*walkable.shape, 4), dtype=bool)
    links[:, 1:, 0] = walkable[:, 1:] & walkable[:, :-1]
    links[:, :-1, 1] = walkable[:, :-1] & walkable[:, 1:]
    links[1:, :, 2] = walkable[1:] & walkable[:-1]
    links[:-1, :, 3] = walkable[:-1] & walkable[1:]
    return links


def patch_graph(links: np.ndarray) -> csr_matrix:
    """4-neighbour adjacency of a patch cut out of ``neighbour_links``, built straight into CSR form
    (the coordinate-list route costs a sort that dominates on patches of a few thousand cells)."""
    links = links.copy()
    links[:, 0, 0] = links[:, -1, 1] = links[0, :, 2] = links[-1, :, 3] = False  # no steps out of the patch
    height, width = links.shape[:2]
    n = height * width
    ids = np.arange(n, dtype=np.int32).reshape(height, width, 1)
    indices = (ids + np.array(steps(width), dtype=np.int32))[links]
    indptr = np.zeros(n + 1, dtype=np.int32)
    indptr[1:] = np.cumsum(links.ravel(), dtype=np.int32)[3::4]
    return csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, n))


@dataclass(frozen=True)
class GoalBox:
    """Distances to one goal from every cell of a box around it, and the way there."""

    x0: int
    y0: int
    width: int
    height: int
    distance: np.ndarray  # uint16 steps per box cell; UNREACHED where the goal cannot be reached inside the box
    tree: bytes  # direction codes in box coordinates

    def local(self, cells: np.ndarray, map_width: int) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``cells`` (map ids) lie in the box, and their box ids (0 for those outside)."""
        x, y = cells % map_width - self.x0, cells // map_width - self.y0
        inside = (x >= 0) & (x < self.width) & (y >= 0) & (y < self.height)
        return inside, np.where(inside, y * self.width + x, 0)

    def to_map(self, box_cells: list[int], map_width: int) -> np.ndarray:
        local = np.asarray(box_cells, dtype=np.int32)
        return (local // self.width + self.y0) * map_width + local % self.width + self.x0


class RegionalPaths:
    """Near-shortest paths through block hubs; see the module docstring."""

    def __init__(self, walkable: np.ndarray, graph: csr_matrix, labels: np.ndarray, block: int = 32,
                 hub_trees: int = 600, goal_boxes: int = 8_000):
        if block < 1 or (2 * block + 1) ** 2 >= UNREACHED:
            raise ValueError(f"block of {block} tiles: a goal's box must hold fewer than {UNREACHED} cells")
        self.walkable = walkable
        self.height, self.width = (int(s) for s in walkable.shape)
        self.block = block
        self._graph = graph
        self._links = neighbour_links(walkable)
        self._labels = labels
        self._hubs: dict[tuple[int, int, int], int | None] = {}
        self._hub_trees: LRU[int, bytes] = LRU(hub_trees)
        self._boxes: LRU[int, GoalBox] = LRU(goal_boxes)
        self.tree_searches = 0  # whole-map searches made (one per hub)

    def path(self, start: int, goal: int) -> np.ndarray:
        """Cells from ``start`` to ``goal`` inclusive; the two must be connected (same label)."""
        box = self._box(goal)
        own = self._hub(goal // self.width // self.block, goal % self.width // self.block, int(self._labels[goal]))
        assert own is not None  # the goal itself is in its block with its own label
        found = self._through(own, box, start)
        if found is None:  # the hub's path never meets the goal's box inside the box: search the map
            return self._exact(start, goal)
        return found

    def _through(self, hub: int, box: GoalBox, start: int) -> np.ndarray | None:
        """Along ``hub``'s tree from ``start``, turning off for the goal at the best cell in ``box``."""
        route = np.asarray(walk(self._hub_tree(hub), start, self.width), dtype=np.int32)
        inside, local = box.local(route, self.width)
        distance = box.distance[local]
        left = np.where(inside & (distance != UNREACHED), distance, np.inf) + np.arange(len(route))
        turn = int(np.argmin(left))
        if not np.isfinite(left[turn]):
            return None
        rest = box.to_map(walk(box.tree, int(local[turn]), box.width), self.width)
        return np.concatenate([route[:turn], rest])

    def _exact(self, start: int, goal: int) -> np.ndarray:
        self.tree_searches += 1
        return np.asarray(walk(direction_tree(self._graph, goal, self.width), start, self.width), dtype=np.int32)

    def _hub(self, by: int, bx: int, label: int) -> int | None:
        """The hub of block (``bx``, ``by``) for the part of the map labelled ``label``: the cell of
        that block nearest its middle; None when the block has no such cell (or is off the map)."""
        b = self.block
        if not (0 <= by * b < self.height and 0 <= bx * b < self.width):
            return None
        key = (by, bx, label)
        if key in self._hubs:
            return self._hubs[key]
        x0, y0 = bx * b, by * b
        ys, xs = np.mgrid[y0:min(y0 + b, self.height), x0:min(x0 + b, self.width)]
        ids = ys * self.width + xs
        same = self._labels[ids] == label
        middle = np.abs(xs - (x0 + b // 2)) + np.abs(ys - (y0 + b // 2))
        hub = int(ids[same][np.argmin(middle[same])]) if same.any() else None
        self._hubs[key] = hub
        return hub

    def _hub_tree(self, hub: int) -> bytes:
        tree = self._hub_trees.get(hub)
        if tree is not None:
            return tree
        self.tree_searches += 1
        return self._hub_trees.put(hub, direction_tree(self._graph, hub, self.width))

    def _box(self, goal: int) -> GoalBox:
        box = self._boxes.get(goal)
        if box is not None:
            return box
        gx, gy = goal % self.width, goal // self.width
        reach = self.block  # the goal's whole block lies within one block of it, so its hub does too
        x0, y0 = max(gx - reach, 0), max(gy - reach, 0)
        x1, y1 = min(gx + reach + 1, self.width), min(gy + reach + 1, self.height)
        box_width = x1 - x0
        root = (gy - y0) * box_width + gx - x0
        _, predecessors = breadth_first_order(patch_graph(self._links[y0:y1, x0:x1]), root, directed=True, return_predecessors=True)
        return self._boxes.put(goal, GoalBox(x0, y0, box_width, y1 - y0, _depths(predecessors, root),
                                             _codes(predecessors, box_width)))


def _depths(predecessors: np.ndarray, root: int) -> np.ndarray:
    """Steps from each cell to the root of a predecessor tree (``UNREACHED`` where unreached), by pointer
    jumping: each round adds the depth of the cell's ancestor and doubles how far it looks."""
    n = len(predecessors)
    cells = np.arange(n)
    reached = predecessors >= 0
    parent = np.where(reached, predecessors, cells)  # the root and the unreached point at themselves
    depth = reached.astype(np.int32)
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        depth += depth[parent]
        parent = grand
    distance = depth.astype(np.uint16)  # a box of a few thousand cells: no path in it is longer
    distance[~reached] = UNREACHED
    distance[root] = 0
    return distance


def _codes(predecessors: np.ndarray, width: int) -> bytes:
    """Predecessor ids turned into direction codes (the order of ``steps``: left, right, up, down)."""
    step = predecessors - np.arange(len(predecessors), dtype=predecessors.dtype)
    # forward (1) plus vertical (2), from boolean masks viewed as bytes: a tree is made for nearly every
    # door, and this is a third cheaper than choosing between two code arrays.
    codes = (step > 0).view(np.uint8) + ((step != 1) & (step != -1)).view(np.uint8) * np.uint8(2)
    codes[predecessors < 0] = ROOT
    return codes.tobytes()
