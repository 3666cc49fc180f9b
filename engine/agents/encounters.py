"""Chance meetings: people in the same place strike up small talk.

Each tick, everyone who is somewhere (not walking, not asleep, not just out of a
chat) is grouped by building in one sort; each group with two or more people
talks with a probability that depends on the kind of place. Friends are
likelier partners, and how the talk goes moves the relationship.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from engine.agents.population import SOCIAL, Population
from engine.agents.talk import Moment, TalkWriter
from engine.contracts.enums import Activity, BuildingType
from engine.contracts.events import ConversationHeld, Event, RelationshipChanged
from engine.state.city import City
from engine.state.clock import Clock
from engine.state.person import Person
from engine.state.relationships import Relationships

CHATTY = np.zeros(len(Activity), dtype=bool)
CHATTY[[Activity.HOME, Activity.WORK, Activity.EAT, Activity.SHOP, Activity.LEISURE,
        Activity.SOCIAL, Activity.STUDY]] = True
PLACE_RATE = {  # chance per tick that a group of two or more starts a chat
    BuildingType.CAFE: 0.25, BuildingType.PARK: 0.2, BuildingType.SHOP: 0.1,
    BuildingType.HOME: 0.04, BuildingType.APARTMENT: 0.05, BuildingType.OFFICE: 0.06,
    BuildingType.WORKSHOP: 0.06, BuildingType.SCHOOL: 0.08, BuildingType.TOWN_HALL: 0.06,
}
COOLDOWN_MINUTES = (40, 120)
CHAT_LIFT = 0.05  # a chat helps, but a lonely day still sends people out to their friends


class Encounters:
    def __init__(self, city: City, people: list[Person], clock: Clock, ties: Relationships):
        self.city = city
        self.people = people
        self.clock = clock
        self.ties = ties
        self.city_changed()
        self.writer = TalkWriter(people, ties, clock, self._workplace_name)

    def _workplace_name(self, person: int) -> str:
        work = self.people[person].workplace
        return self.city.buildings[work].name if work >= 0 else ""

    def city_changed(self) -> None:
        self._rate = np.array([PLACE_RATE.get(b.type, 0.05) for b in self.city.buildings], dtype=np.float64)

    def step(
        self, tick: int, pop: Population, rng: random.Random, nprng: np.random.Generator,
        converse: Callable[[int, int, int, int], bool] | None = None,
    ) -> list[Event]:
        """Chance meetings this tick; ``converse`` may take a pair over (a talk on the model)."""
        ready = np.take(CHATTY, pop.activity) & (pop.location >= 0) & (pop.chat_cooldown <= tick)
        who = np.flatnonzero(ready)
        if who.size < 2:
            return []
        where = pop.location[who]
        # Groups by counting, not sorting: only the few places that talk this tick need their people.
        counts = np.bincount(where, minlength=len(self._rate))
        places = np.flatnonzero(counts >= 2)
        if places.size == 0:
            return []
        talking = places[nprng.random(places.size) < self._rate[places]]
        chosen = np.zeros(len(counts), dtype=bool)
        chosen[talking] = True
        picked = chosen[where]
        who, where = who[picked], where[picked]
        order = np.argsort(where, kind="stable")  # by place, ascending ids within each
        who = who[order]
        counts = counts[talking]
        starts = np.cumsum(counts) - counts
        events: list[Event] = []
        for place, start, count in zip(talking, starts, counts, strict=True):
            group = who[start : start + count]
            a = int(group[rng.randrange(count)])
            b = self._partner(a, group, rng)
            if converse is not None and converse(a, b, int(place), tick):
                continue
            events.extend(self._talk(a, b, int(place), tick, pop, rng))
        return events

    def _partner(self, a: int, group: np.ndarray, rng: random.Random) -> int:
        known = self.ties.known_by(a)
        others = [p for p in group.tolist() if p != a]  # plain ints: a crowded office has hundreds
        friends = [p for p in others if p in known]
        if friends and rng.random() < 0.7:
            return max(friends, key=lambda p: (self.ties.affinity(a, p), -p))
        return others[rng.randrange(len(others))]

    def _talk(self, a: int, b: int, place: int, tick: int, pop: Population, rng: random.Random) -> list[Event]:
        pa, pb = self.people[a], self.people[b]
        before = self.ties.get(a, b)
        affinity = before.affinity if before else 0.0
        kindness = (pa.traits[3] + pb.traits[3]) / 2  # agreeableness
        warmth = max(-1.0, min(1.0, 0.6 * (kindness - 0.35) + 0.4 * affinity + rng.uniform(-0.35, 0.35)))
        building = self.city.buildings[place]
        moment = Moment(tick, building.name, place in (pa.home, pb.home), self.city.name)
        script = self.writer.script(rng, a, b, moment, warmth)
        tie = self.ties.meet(a, b, tick, warmth)
        for person in (a, b):
            pop.needs[person, SOCIAL] = min(1.0, pop.needs[person, SOCIAL] + CHAT_LIFT)
            pop.chat_cooldown[person] = tick + self.clock.ticks_for(rng.randint(*COOLDOWN_MINUTES))
        return [
            ConversationHeld(tick, a, b, place, script),
            RelationshipChanged(tick, a, b, round(tie.affinity, 4), round(tie.familiarity, 4), tie.label),
        ]
