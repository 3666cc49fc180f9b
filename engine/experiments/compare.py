"""Two branches of one world side by side: their metrics over time and what differs at their heads.

Each branch is reached the way time travel reaches it (its nearest checkpoint, then the
record replayed, no model called), in a world of its own, then read: the metric samples,
who knows which fact, the ties, everyone's money, and the councils' policies and decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.contracts.society import POLICIES
from engine.persistence.world_file import load_world
from engine.runtime.looking import looking_back
from engine.sim.metrics import COLUMNS
from engine.sim.simulation import Simulation
from engine.society.policies import text as policy_text
from engine.state.world import World

TOP = 20  # the largest differences listed of ties and money


def find_branch(world: World, name: str) -> int:
    """A branch by id or name (case-insensitive)."""
    branches = world.timeline.branches
    if name.strip().isdigit() and int(name) in branches:
        return int(name)
    found = [b.id for b in branches.values() if b.name.lower() == name.strip().lower()]
    if len(found) != 1:
        listed = ", ".join(f"{b.id} '{b.name}'" for b in sorted(branches.values(), key=lambda b: b.id))
        raise ValueError(f"{'no' if not found else 'more than one'} branch called {name!r} (there are: {listed})")
    return found[0]


def _at_head(path: Path, branch: int) -> Simulation:
    with looking_back(load_world(path), path) as (sim, machine):
        machine.switch(branch)
    return sim


def compare_branches(path: str | Path, branch_a: str, branch_b: str) -> dict[str, Any]:
    path = Path(path)
    probe = load_world(path)
    a_id, b_id = find_branch(probe, branch_a), find_branch(probe, branch_b)
    if a_id == b_id:
        raise ValueError(f"{branch_a!r} and {branch_b!r} are the same branch")
    a, b = _at_head(path, a_id), _at_head(path, b_id)
    names = [p.name for p in a.people]
    return {
        "world": str(path),
        "branches": [_branch(a, a_id), _branch(b, b_id)],
        "tick_seconds": a.world.tick_seconds,
        "metrics": {"columns": list(COLUMNS), "a": [list(s) for s in a.metrics.samples],
                    "b": [list(s) for s in b.metrics.samples]},
        "final": {key: [a.metrics.latest.get(key), b.metrics.latest.get(key)]
                  for key in sorted(set(a.metrics.latest) | set(b.metrics.latest))},
        "knowledge": _knowledge(a, b, names),
        "ties": _ties(a, b, names),
        "money": _money(a, b, names),
        "council": _council(a, b),
    }


def _branch(sim: Simulation, branch: int) -> dict[str, Any]:
    info = sim.world.timeline.branches[branch]
    return {"id": branch, "name": info.name, "fork_tick": max(info.fork_tick, 0), "tick": sim.tick,
            "sim_time": sim.clock.text(sim.tick), "state_hash": sim.state_hash()}


def _knowers(sim: Simulation) -> dict[str, set[int]]:
    """Who knows each fact, by its words (ids are given per branch, so the same id may be another fact)."""
    grapevine = sim.society.grapevine
    found: dict[str, set[int]] = {}
    for fact in grapevine.facts:
        hearings = grapevine.hearings.get(fact.id)
        found.setdefault(fact.text, set()).update([] if hearings is None else hearings.people().tolist())
    return found


def _knowledge(a: Simulation, b: Simulation, names: list[str]) -> list[dict[str, Any]]:
    """Each fact either branch has, with who knows it only on one side."""
    rows = []
    known_a, known_b = _knowers(a), _knowers(b)
    for text in sorted(set(known_a) | set(known_b)):
        in_a, in_b = known_a.get(text, set()), known_b.get(text, set())
        if in_a == in_b:
            continue
        rows.append({"text": text, "knowers": [len(in_a), len(in_b)],
                     "only_a": sorted(names[p] for p in in_a - in_b if p < len(names)),
                     "only_b": sorted(names[p] for p in in_b - in_a if p < len(names))})
    return rows


def _ties(a: Simulation, b: Simulation, names: list[str]) -> list[dict[str, Any]]:
    ties_a, ties_b = dict(a.ties.items()), dict(b.ties.items())
    rows: list[dict[str, Any]] = []
    for pair in set(ties_a) | set(ties_b):
        ta, tb = ties_a.get(pair), ties_b.get(pair)
        label_a = ta.label if ta else "stranger"
        label_b = tb.label if tb else "stranger"
        affinity_a = round(ta.affinity, 3) if ta else 0.0
        affinity_b = round(tb.affinity, 3) if tb else 0.0
        if label_a != label_b or abs(affinity_a - affinity_b) >= 0.05:
            rows.append({"a": names[pair[0]], "b": names[pair[1]], "label": [label_a, label_b],
                         "affinity": [affinity_a, affinity_b]})
    rows.sort(key=lambda r: (r["label"][0] == r["label"][1], -abs(r["affinity"][0] - r["affinity"][1]), r["a"], r["b"]))
    return rows[:TOP]


def _money(a: Simulation, b: Simulation, names: list[str]) -> list[dict[str, Any]]:
    count = min(len(a.people), len(b.people))
    rows: list[dict[str, Any]] = [{"name": names[p], "money": [int(a.pop.money[p]) / 100, int(b.pop.money[p]) / 100]}
                                  for p in range(count) if a.pop.money[p] != b.pop.money[p]]
    rows.sort(key=lambda r: -abs(r["money"][0] - r["money"][1]))
    return rows[:TOP]


def _decisions(sim: Simulation) -> dict[tuple[int, str, float], str]:
    rows = sim.society.governance.get_state()["proposals"]
    assert isinstance(rows, list)
    return {(int(r[1]), str(r[2]), float(r[3])): str(r[9]) for r in rows}


def _council(a: Simulation, b: Simulation) -> dict[str, Any]:
    districts = {d.id: d.name for d in a.city.districts}
    policies = []
    for district, name in districts.items():
        for policy in POLICIES:
            value_a = a.society.governance.policy(district, policy)
            value_b = b.society.governance.policy(district, policy)
            if value_a != value_b:
                policies.append({"district": name, "policy": policy,
                                 "values": [policy_text(policy, value_a), policy_text(policy, value_b)]})
    decided_a, decided_b = _decisions(a), _decisions(b)
    decisions = []
    for key in sorted(set(decided_a) | set(decided_b)):
        state_a, state_b = decided_a.get(key, "never proposed"), decided_b.get(key, "never proposed")
        if state_a != state_b:
            district, policy, value = key
            decisions.append({"district": districts.get(district, str(district)),
                              "proposal": policy_text(policy, value), "outcome": [state_a, state_b]})
    return {"policies": policies, "decisions": decisions}
