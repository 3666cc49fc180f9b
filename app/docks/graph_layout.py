"""Which ties the social graph shows, and where its nodes go (networkx). No Qt, no GL.

Runs on a worker thread: a :class:`GraphRequest` holds copies of everything it
needs, and the answer is a frozen :class:`GraphLayout`. A town of 10,000 has
~50,000 ties — far too many to draw or lay out interactively — so past
``FULL_LIMIT`` people the graph shows the selected person's ego network, or the
city's strongest ties when nobody is selected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

FULL_LIMIT = 400  # people: up to here the whole town is laid out
EGO_TIES = 40  # the focus's strongest ties
EGO_SECOND = 4  # each neighbour's strongest ties beyond the focus
TOP_TIES = 300  # strongest ties shown when the town is big and nobody is selected


@dataclass(frozen=True)
class GraphRequest:
    people: int
    a: np.ndarray
    b: np.ndarray
    affinity: np.ndarray
    focus: int = -1
    version: int = 0
    previous: dict[int, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class GraphLayout:
    mode: str  # "all", "ego" or "top"
    nodes: np.ndarray  # (k,) person ids
    pos: np.ndarray  # (k, 2)
    edges: np.ndarray  # (m, 2) indices into nodes
    affinity: np.ndarray  # (m,)
    focus: int
    version: int

    def index_of(self, person: int) -> int:
        hits = np.flatnonzero(self.nodes == person)
        return int(hits[0]) if len(hits) else -1


def choose_ties(req: GraphRequest) -> tuple[str, np.ndarray]:
    """The mode and the indices of the ties to show."""
    a, b, aff = req.a, req.b, req.affinity
    if req.people <= FULL_LIMIT:
        return "all", np.arange(len(a))
    if req.focus >= 0:
        mine = np.flatnonzero((a == req.focus) | (b == req.focus))
        mine = mine[np.argsort(-np.abs(aff[mine]), kind="stable")][:EGO_TIES]
        friends = np.unique(np.concatenate([a[mine], b[mine]]))
        friends = friends[friends != req.focus]
        second = []
        for person in friends:
            theirs = np.flatnonzero(((a == person) | (b == person)) & (a != req.focus) & (b != req.focus))
            second.append(theirs[np.argsort(-aff[theirs], kind="stable")][:EGO_SECOND])
        chosen = np.unique(np.concatenate([mine, *second])) if second else mine
        return "ego", chosen
    return "top", np.argsort(-aff, kind="stable")[:TOP_TIES]


def compute_layout(req: GraphRequest) -> GraphLayout:
    mode, ties = choose_ties(req)
    a, b, aff = req.a[ties], req.b[ties], req.affinity[ties]
    if mode == "all":
        nodes = np.arange(req.people)
    else:
        nodes = np.unique(np.concatenate([a, b, [req.focus] if req.focus >= 0 else []])).astype(np.int64)
    graph = nx.Graph()
    graph.add_nodes_from(int(n) for n in nodes)
    for x, y, w in zip(a, b, aff, strict=True):
        # Friends pull together; rivals still connect, only weakly (weights must be positive).
        graph.add_edge(int(x), int(y), weight=0.05 + max(float(w), 0.0))
    start = {n: req.previous[n] for n in graph.nodes if n in req.previous}
    if len(graph) == 0:
        pos: dict[int, tuple[float, float]] = {}
    elif len(graph) == 1:
        pos = {next(iter(graph.nodes)): (0.0, 0.0)}
    else:
        pos = nx.spring_layout(graph, pos=start or None, seed=7, weight="weight",
                               iterations=60 if len(graph) < 500 else 35)
    index = {int(n): i for i, n in enumerate(nodes)}
    xy = np.array([pos.get(int(n), (0.0, 0.0)) for n in nodes], dtype=np.float64).reshape(-1, 2)
    edges = np.array([(index[int(x)], index[int(y)]) for x, y in zip(a, b, strict=True)],
                     dtype=np.int64).reshape(-1, 2)
    return GraphLayout(mode, nodes.astype(np.int64), xy, edges, aff.astype(np.float32), req.focus, req.version)
