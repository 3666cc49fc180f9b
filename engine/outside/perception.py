"""What an outside-driven person perceives at a decision point: only what they could.

Their place, the people and objects in sight (inside: the same building; outdoors:
a few tiles around), what was said to them, their needs, money and plan, and the
memories they asked to recall. Nobody else's needs, plans or thoughts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.agents.population import Population
from engine.contracts.enums import Activity
from engine.state.city import City
from engine.state.clock import Clock
from engine.state.person import Person
from engine.state.relationships import Relationships

SIGHT_TILES = 6.0  # outdoors, how far one sees people
OBJECT_TILES = 8.0  # and objects
MOST_SEEN = 20  # people or objects listed at most
NEEDS = ("energy", "hunger", "social", "fun")


@dataclass(frozen=True)
class Senses:
    city: City
    people: list[Person]
    pop: Population
    clock: Clock
    ties: Relationships


def sees(pop: Population, agent: int, other: int) -> bool:
    if agent == other:
        return False
    here, there = int(pop.location[agent]), int(pop.location[other])
    if here >= 0 or there >= 0:
        return here == there
    dx, dy = pop.xy[agent] - pop.xy[other]
    return float(dx * dx + dy * dy) <= SIGHT_TILES**2


def _in_sight(s: Senses, agent: int) -> list[int]:
    pop = s.pop
    here = int(pop.location[agent])
    if here >= 0:
        near = np.flatnonzero(pop.location == here)
    else:
        d = pop.xy - pop.xy[agent]
        near = np.flatnonzero((pop.location < 0) & ((d * d).sum(axis=1) <= SIGHT_TILES**2))
    return [int(p) for p in near.tolist() if p != agent and not s.people[p].removed][:MOST_SEEN]


def perceive(s: Senses, agent: int, tick: int, heard: list[dict[str, Any]], plan: str,
             memories: list[str]) -> dict[str, Any]:
    pop, city = s.pop, s.city
    person = s.people[agent]
    here = int(pop.location[agent])
    x, y = (float(v) for v in pop.xy[agent])
    place = None
    if here >= 0:
        b = city.buildings[here]
        place = {"id": b.id, "name": b.name, "kind": b.type.name.lower()}
    people = []
    for other in _in_sight(s, agent):
        tie = s.ties.get(agent, other)
        people.append({"id": other, "name": s.people[other].name, "doing": Activity(int(pop.activity[other])).verb,
                       "tie": tie.label if tie else "stranger"})
    objects = [{"kind": p.kind, "x": p.x, "y": p.y} for p in city.props
               if not p.removed and (p.x + 0.5 - x) ** 2 + (p.y + 0.5 - y) ** 2 <= OBJECT_TILES**2][:MOST_SEEN]
    return {
        "agent": agent,
        "name": person.name,
        "tick": tick,
        "time": s.clock.text(tick),
        "place": place,
        "home": person.home,  # a person knows where they live and work
        "work": person.workplace if person.workplace >= 0 else None,
        "occupation": person.occupation,
        "position": [round(x, 2), round(y, 2)],
        "doing": Activity(int(pop.activity[agent])).verb,
        "needs": {name: round(float(v), 3) for name, v in zip(NEEDS, pop.needs[agent], strict=True)},
        "money": int(pop.money[agent]) / 100,
        "people": people,
        "objects": objects,
        "heard": heard,
        "plan": plan,
        "memories": memories,
    }
