"""Where the social graph's nodes go, so that names can be read and the picture stays put.

Two pictures (no Qt, run on the graph's worker thread):

- a person's circle: the person in the middle, the people they know on a ring around
  them (friends grouped by community, strongest first), and those people's own ties
  on an outer ring beside whoever links them in. Deterministic, so it never jumps.
- the whole town: a spring layout of the people who have ties, seeded with (and, when
  most of them are already placed, pinned to) the previous positions, so a refresh
  moves only the newcomers. People with no tie shown stand in a row under the
  picture instead of being flung to its edge, where they would shrink the rest to a dot.
"""

from __future__ import annotations

import math

import networkx as nx

Positions = dict[int, tuple[float, float]]
PIN_WHEN_KNOWN = 0.8  # share of people already placed for a refresh to move only the others
LONER_GAP = 0.35  # how far under the picture the row of people with no ties stands


def circle_positions(graph: nx.Graph, focus: int) -> Positions:
    """The focus at the centre, direct ties on ring 1, their ties on ring 2 (near their link)."""
    pos: Positions = {focus: (0.0, 0.0)}
    if focus not in graph:
        return pos
    near = sorted(graph.neighbors(focus), key=lambda n: (-graph[focus][n].get("affinity", 0.0), n))
    for i, person in enumerate(near):
        angle = 2 * math.pi * i / max(len(near), 1) + math.pi / 2
        pos[person] = (math.cos(angle), math.sin(angle))
    outer = sorted((n for n in graph.nodes if n not in pos),
                   key=lambda n: (_anchor_angle(graph, n, pos), n))
    for i, person in enumerate(outer):
        # Evenly spread, in the order of the friend they hang from, so lines stay short and names apart.
        angle = 2 * math.pi * i / max(len(outer), 1) + math.pi / 2 + math.pi / max(len(outer), 1)
        pos[person] = (2.0 * math.cos(angle), 2.0 * math.sin(angle))
    return pos


def _anchor_angle(graph: nx.Graph, person: int, pos: Positions) -> float:
    angles = [math.atan2(pos[n][1], pos[n][0]) for n in graph.neighbors(person) if n in pos]
    if not angles:
        return 10.0  # nobody placed links them: after everyone else
    return (min(angles) - math.pi / 2) % (2 * math.pi)


def town_positions(graph: nx.Graph, previous: Positions) -> Positions:
    """Spring layout of the connected, kept near ``previous``; the unconnected in a row underneath."""
    tied = [n for n in graph.nodes if graph.degree(n) > 0]
    loners = sorted(n for n in graph.nodes if graph.degree(n) == 0)
    pos: Positions = {}
    if len(tied) == 1:
        pos[tied[0]] = (0.0, 0.0)
    elif tied:
        sub = graph.subgraph(tied)
        start = {n: previous[n] for n in tied if n in previous}
        pinned = list(start) if len(start) >= PIN_WHEN_KNOWN * len(tied) and len(start) < len(tied) else None
        if len(start) == len(tied):
            pos = {n: (float(x), float(y)) for n, (x, y) in start.items()}  # nobody new: the picture stays
        else:
            found = nx.spring_layout(sub, pos=start or None, fixed=pinned, seed=7, weight="weight",
                                     iterations=60 if len(sub) < 500 else 35, k=1.6 / math.sqrt(len(sub)))
            pos = {int(n): (float(x), float(y)) for n, (x, y) in found.items()}
    if loners:
        xs = [p[0] for p in pos.values()] or [-1.0, 1.0]
        ys = [p[1] for p in pos.values()] or [0.0]
        left, right = min(xs), max(xs)
        if right - left < 1.0:
            left, right = left - 0.5, right + 0.5
        per_row = max(1, min(len(loners), 12))
        for i, person in enumerate(loners):
            row, col = divmod(i, per_row)
            x = left + (right - left) * (col + 0.5) / per_row
            pos[person] = (x, min(ys) - LONER_GAP * (row + 1))
    return pos
