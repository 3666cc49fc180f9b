"""Which ties the social graph shows, and where its nodes go (networkx). No Qt, no GL.

Runs on a worker thread: a :class:`GraphRequest` holds copies of everything it
needs, and the answer is a frozen :class:`GraphLayout`. A town of 10,000 has
~50,000 ties — far too many to draw or lay out interactively — so past
``FULL_LIMIT`` people the graph shows the selected person's ego network, or the
town's best-knit corners when nobody is selected.

The user's filters (minimum tie strength, friends or rivals only, one district's
residents) are applied first; communities (Louvain, fixed seed) and centrality are
computed here too, on the filtered graph, so the GUI thread only draws.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from app.docks.graph_geometry import circle_positions, town_positions

FULL_LIMIT = 400  # people: up to here the whole town is laid out
EGO_TIES = 40  # the focus's strongest ties
EGO_SECOND = 4  # each neighbour's strongest ties beyond the focus
# A big town with nobody selected shows its best-knit corners: from the person with the strongest ties, the
# strongest tie out of the corner so far brings in the next person, up to CORNER_PEOPLE; then the next
# corner starts from the strongest-tied person left. The town's strongest ties alone were hundreds of
# separate pairs (couples: a tie rarely shares a person with the next strongest), a ring of dots.
CORNER_PEOPLE = 60
# At most this many people, four corners: a docked graph at 1280x800 is ~380 px wide, and 480 people there
# were a blob of piled-up names. (Keep it under 500: from there networkx lays out with its sparse solver, a
# Python loop per node, ~0.9 s alone and up to 2.8 s beside the running engine, holding the GIL.)
TOP_PEOPLE = 240
TOP_TIES = 320  # the ties that grew the corners (one a person but the first), then the strongest among them
LABELS = ("all", "friends", "rivals")
CENTRALITY = ("degree", "betweenness")
BETWEENNESS_SAMPLES = 150  # past this many nodes betweenness is estimated from a sample of sources
COMMUNITY_SEED = 7  # the same ties always give the same communities (and colours)


@dataclass(frozen=True)
class GraphRequest:
    people: int
    a: np.ndarray
    b: np.ndarray
    affinity: np.ndarray
    focus: int = -1
    version: int = 0
    previous: dict[int, tuple[float, float]] = field(default_factory=dict)
    min_strength: float = 0.0  # |affinity| a tie needs to be shown
    label: str = "all"  # all | friends (affinity > 0) | rivals (affinity < 0)
    members: np.ndarray | None = None  # only these people (a district's residents); None: everyone
    centrality: str = "degree"  # degree | betweenness
    circle: bool = False  # show the focus's circle (ego network) even in a small town
    alive: np.ndarray | None = None  # (people,) bool: who is in the world at the moment shown; None: all


@dataclass(frozen=True)
class GraphLayout:
    mode: str  # "all", "ego" or "top"
    nodes: np.ndarray  # (k,) person ids
    pos: np.ndarray  # (k, 2)
    edges: np.ndarray  # (m, 2) indices into nodes
    affinity: np.ndarray  # (m,)
    focus: int
    version: int
    communities: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (k,) -1: alone
    centrality: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))  # (k,) in [0, 1]
    shown_ties: int = 0  # ties left after the filters (the drawing may show fewer in a big town)

    def index_of(self, person: int) -> int:
        hits = np.flatnonzero(self.nodes == person)
        return int(hits[0]) if len(hits) else -1


def filtered_ties(req: GraphRequest) -> np.ndarray:
    """Indices of the ties that pass the user's filters."""
    aff = np.asarray(req.affinity)
    keep = np.abs(aff) >= req.min_strength
    if req.label == "friends":
        keep &= aff > 0
    elif req.label == "rivals":
        keep &= aff < 0
    if req.members is not None:
        keep &= np.isin(req.a, req.members) & np.isin(req.b, req.members)
    if req.alive is not None:  # someone not (or no longer) in the world at this moment has no ties to show
        alive = np.asarray(req.alive, dtype=bool)
        keep &= alive[np.asarray(req.a)] & alive[np.asarray(req.b)]
    return np.flatnonzero(keep)


def people_shown(req: GraphRequest) -> np.ndarray:
    shown = np.arange(req.people) if req.members is None else np.unique(np.asarray(req.members, dtype=np.int64))
    if req.alive is not None:
        shown = shown[np.asarray(req.alive, dtype=bool)[shown]]
    return shown


def choose_ties(req: GraphRequest) -> tuple[str, np.ndarray]:
    """The mode and the indices (into the request's arrays) of the ties to show."""
    keep = filtered_ties(req)
    if req.circle and req.focus >= 0:
        _mode, chosen = _choose_among(req.a[keep], req.b[keep], req.affinity[keep], req.focus)
        return "ego", keep[chosen]
    if len(people_shown(req)) <= FULL_LIMIT:
        return "all", keep
    mode, chosen = _choose_among(req.a[keep], req.b[keep], req.affinity[keep], req.focus)
    return mode, keep[chosen]


def _choose_among(a: np.ndarray, b: np.ndarray, aff: np.ndarray, focus: int) -> tuple[str, np.ndarray]:
    """Ego network of ``focus``, or the strongest ties when nobody is in focus (a big town)."""
    if focus >= 0:
        mine = np.flatnonzero((a == focus) | (b == focus))
        mine = mine[np.argsort(-np.abs(aff[mine]), kind="stable")][:EGO_TIES]
        friends = np.unique(np.concatenate([a[mine], b[mine]]))
        friends = friends[friends != focus]
        second = []
        for person in friends:
            theirs = np.flatnonzero(((a == person) | (b == person)) & (a != focus) & (b != focus))
            second.append(theirs[np.argsort(-aff[theirs], kind="stable")][:EGO_SECOND])
        chosen = np.unique(np.concatenate([mine, *second])) if second else mine
        return "ego", chosen
    strength = aff if (aff > 0).any() else -aff  # rivals only: the bitterest are the strongest
    return "top", best_knit_corners(a, b, strength, TOP_PEOPLE, TOP_TIES)


def best_knit_corners(a: np.ndarray, b: np.ndarray, strength: np.ndarray, most_people: int,
                      most_ties: int) -> np.ndarray:
    """Indices of the ties showing the town's best-knit corners (see ``CORNER_PEOPLE``): the ties that brought
    each person into their corner, then the strongest others among the people chosen, up to ``most_ties`` in
    all. Only friendly ties grow a corner (``strength`` > 0)."""
    if not len(a):
        return np.zeros(0, dtype=np.int64)
    people = int(max(a.max(), b.max())) + 1
    ends, others = np.concatenate([a, b]), np.concatenate([b, a])
    ties = np.concatenate([np.arange(len(a)), np.arange(len(a))])
    by_person = np.lexsort((ties, -strength[ties], ends))  # each person's ties, strongest first
    first = np.searchsorted(ends[by_person], np.arange(people + 1)).tolist()
    their_ties, their_others = ties[by_person].tolist(), others[by_person].tolist()
    weights = np.bincount(ends, weights=np.maximum(strength[ties], 0.0), minlength=people)
    tie_strength = strength.tolist()
    chosen = np.zeros(people, dtype=bool)
    grew: list[int] = []
    count = 0
    for seed in np.argsort(-weights, kind="stable").tolist():
        if count >= most_people or weights[seed] <= 0:
            break
        if chosen[seed]:
            continue
        chosen[seed], count, corner = True, count + 1, 1
        reach: list[tuple[float, int, int]] = []  # (-strength, tie, person) out of the corner
        person = seed
        while corner < CORNER_PEOPLE and count < most_people:
            for i in range(first[person], first[person + 1]):
                if not chosen[their_others[i]] and tie_strength[their_ties[i]] > 0:
                    heapq.heappush(reach, (-tie_strength[their_ties[i]], their_ties[i], their_others[i]))
            while reach and chosen[reach[0][2]]:
                heapq.heappop(reach)
            if not reach:
                break
            _, tie, person = heapq.heappop(reach)
            chosen[person], count, corner = True, count + 1, corner + 1
            grew.append(tie)
    among = np.flatnonzero(chosen[a] & chosen[b])
    among = among[np.argsort(-strength[among], kind="stable")]
    extra = among[~np.isin(among, grew)][: max(0, most_ties - len(grew))]
    return np.concatenate([np.asarray(grew, dtype=np.int64), extra]).astype(np.int64)


def communities_of(graph: nx.Graph, nodes: np.ndarray) -> np.ndarray:
    """Each node's community, numbered by size (0 the largest); -1 for people with no friend shown.

    Only friendly ties bind a community: rivals are connected, not close."""
    friends = nx.Graph()
    friends.add_nodes_from(graph.nodes)
    friends.add_edges_from((x, y, {"weight": d["affinity"]}) for x, y, d in graph.edges(data=True)
                           if d["affinity"] > 0)
    out = np.full(len(nodes), -1, dtype=np.int64)
    if friends.number_of_edges() == 0:
        return out
    found = nx.community.louvain_communities(friends, weight="weight", seed=COMMUNITY_SEED)
    groups = sorted((sorted(c) for c in found if len(c) > 1), key=lambda c: (-len(c), c[0]))
    index = {int(n): i for i, n in enumerate(nodes)}
    for number, group in enumerate(groups):
        for person in group:
            out[index[int(person)]] = number
    return out


def centrality_of(graph: nx.Graph, nodes: np.ndarray, kind: str) -> np.ndarray:
    """Degree or betweenness centrality per node, scaled so the most central is 1."""
    if len(graph) < 2:
        return np.zeros(len(nodes))
    if kind == "betweenness":
        sample = BETWEENNESS_SAMPLES if len(graph) > BETWEENNESS_SAMPLES else None
        scores = nx.betweenness_centrality(graph, k=sample, seed=COMMUNITY_SEED)
    else:
        scores = nx.degree_centrality(graph)
    values = np.array([scores.get(int(n), 0.0) for n in nodes], dtype=np.float64)
    top = values.max() if len(values) else 0.0
    return values / top if top > 0 else values


def compute_layout(req: GraphRequest) -> GraphLayout:
    mode, ties = choose_ties(req)
    a, b, aff = req.a[ties], req.b[ties], req.affinity[ties]
    if mode == "all":
        nodes = people_shown(req)
    else:
        nodes = np.unique(np.concatenate([a, b, [req.focus] if req.focus >= 0 else []])).astype(np.int64)
    graph = nx.Graph()
    graph.add_nodes_from(int(n) for n in nodes)
    for x, y, w in zip(a, b, aff, strict=True):
        # Friends pull together; rivals still connect, only weakly (weights must be positive).
        graph.add_edge(int(x), int(y), weight=0.05 + max(float(w), 0.0), affinity=float(w))
    if mode == "ego":
        pos = circle_positions(graph, req.focus)
    else:
        pos = town_positions(graph, req.previous)
    index = {int(n): i for i, n in enumerate(nodes)}
    xy = np.array([pos.get(int(n), (0.0, 0.0)) for n in nodes], dtype=np.float64).reshape(-1, 2)
    edges = np.array([(index[int(x)], index[int(y)]) for x, y in zip(a, b, strict=True)],
                     dtype=np.int64).reshape(-1, 2)
    return GraphLayout(mode, nodes.astype(np.int64), xy, edges, aff.astype(np.float32), req.focus, req.version,
                       communities_of(graph, nodes), centrality_of(graph, nodes, req.centrality),
                       shown_ties=len(filtered_ties(req)))
