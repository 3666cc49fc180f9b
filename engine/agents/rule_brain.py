"""The rule brain: deterministic, seedable ordinary life with no LLM.

Asked only at decision points (an activity ended, or someone arrived), it picks
the next activity from the time of day, the person's schedule, the day's outings
(hobbies, visits, errands: ``engine.agents.routine``), their needs, traits and
purse. Sleep at home (longer at weekends), commute, work in opening hours, eat,
shop, walk in the park, meet friends at the usual hangout.
"""

from __future__ import annotations

import random
from typing import NamedTuple, Protocol

import numpy as np

from engine.agents.population import ENERGY, HUNGER, Population
from engine.agents.routine import Outing, Routine
from engine.contracts.enums import Activity, BuildingType
from engine.state.city import Building, City
from engine.state.clock import MINUTES_PER_DAY, Clock
from engine.state.person import Person
from engine.state.relationships import Relationships

WEEKDAY_ONLY = {BuildingType.OFFICE, BuildingType.WORKSHOP, BuildingType.SCHOOL, BuildingType.TOWN_HALL}
# Plain ints on the hot path: enum attribute access costs ~1 us a time on Python 3.11.
SLEEP, HOME, EAT, SHOP, WORK, STUDY, LEISURE, SOCIAL = (
    int(a) for a in (Activity.SLEEP, Activity.HOME, Activity.EAT, Activity.SHOP, Activity.WORK, Activity.STUDY,
                     Activity.LEISURE, Activity.SOCIAL)
)
CAFE, STORE, PARK = int(BuildingType.CAFE), int(BuildingType.SHOP), int(BuildingType.PARK)
MEAL_PRICE = (700, 1600)  # cents
SHOP_SPEND = (800, 6000)
LUNCH_START, LUNCH_END = 11 * 60 + 30, 14 * 60


class Institutions(Protocol):
    """What the rule brain asks of the town's society (``engine.society.Society``)."""

    def open_now(self, building: Building, minute: int) -> bool: ...

    def can_serve(self, building: int) -> bool: ...

    def park_appeal(self, person: int) -> float: ...

    def draw_customers(self, kind: int, candidates: list[int]) -> list[int]:
        """``candidates`` (nearby places of ``kind``) in the order people try them (a grand opening first)."""
        ...

    def heard_of(self, person: int) -> tuple[list[str], list[str]]:
        """What ``person`` knows: (what happened in town, word of mouth), newest first."""
        ...

    def burned(self, building: int) -> bool: ...


class Intent(NamedTuple):
    activity: int  # an Activity value
    building: int
    until: int  # tick of the next decision


class Schedule(NamedTuple):
    wake: int  # minute of day
    bedtime: int
    work_start: int
    work_end: int
    day_off: int  # weekday off for six-day jobs


class RuleBrain:
    def __init__(self, city: City, people: list[Person], clock: Clock, ties: Relationships,
                 society: Institutions | None = None):
        """``society``: opening hours, stock and park funding (None: a town without one, everything open)."""
        self.city = city
        self.people = people
        self.clock = clock
        self.ties = ties
        self.schedules = [self._schedule(p) for p in people]
        self.society = society
        self.routine = Routine(city, people, clock, ties)
        self.routine.brain = self
        self._clock_tick, self._clock_now = -1, (0, 0)  # see ``_now``
        self._ticks_at: dict[int, int] = {}  # minute of day -> tick it next comes, this tick (``_tick_at``)
        self.city_changed()

    def city_changed(self) -> None:
        self._nearby: dict[tuple[int, int, int], list[int]] = {}
        self._of_kind: dict[int, list[int]] = {}
        self._kind_doors: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.routine.forget_plans()  # places moved: plan again (as a replay from after the edit would)
        self._entrances = np.array([b.entrance for b in self.city.buildings], dtype=np.int32).reshape(-1, 2)
        self._types = np.array([-1 if b.removed else b.type for b in self.city.buildings], dtype=np.int8)

    def schedule_for(self, person: Person) -> Schedule:
        """A (new) schedule for someone whose life changed; today's outings are planned again."""
        self.routine.forget_plans()
        return self._schedule(person)

    def _schedule(self, p: Person) -> Schedule:
        _o, c, e, _a, _n = p.traits
        jitter = (p.id * 37) % 41 - 20
        if p.age < 14:
            wake, bed = 7 * 60 + jitter // 2, 20 * 60 + 30 + jitter
        else:
            wake = 6 * 60 + int((1.0 - c) * 90) + jitter
            bed = min(23 * 60 + 50, 21 * 60 + 30 + int(e * 100) + jitter)
        # Imported personas say when they sleep ("goes to bed around 11pm, awakes up around 6am").
        wake = int(p.extra.get("wake_minute", wake))
        bed = int(p.extra.get("bed_minute", bed))
        if bed < 12 * 60:  # after midnight: the schedule's day ends at 23:59
            bed = 23 * 60 + 59
        start, end = 0, 0
        if p.workplace >= 0:
            place = self.city.buildings[p.workplace]
            opens, closes = place.opens, place.closes if place.closes > place.opens else 24 * 60
            if place.type == BuildingType.PARK:
                opens, closes = 8 * 60, 17 * 60
            if p.is_pupil:
                start, end = opens, closes
            elif closes - opens > 9 * 60 and p.id % 2:  # late shift at long-hours places
                start, end = closes - 8 * 60, closes
            else:
                start, end = max(0, opens - 15), min(closes, opens + 8 * 60)
            wake = min(wake, start - 50)
        return Schedule(wake, bed, start, end, p.id % 7)

    # -- the decision --------------------------------------------------------------------

    def decide(self, i: int, tick: int, pop: Population, rng: random.Random, occupancy: np.ndarray) -> Intent:
        person = self.people[i]
        s = self.schedules[i]
        m, day = self._now(tick)
        here = int(pop.location[i])
        energy, hunger, social, fun = pop.needs[i].tolist()  # exact floats, several times cheaper than float()
        home = person.home

        if m >= s.bedtime or m < s.wake:
            wake = s.wake + self.routine.lie_in(i, day + 1 if m >= s.bedtime else day)
            return Intent(SLEEP, home, self._tick_at(tick, wake))
        if pop.activity[i] == SLEEP and m < s.wake + self.routine.lie_in(i, day):
            return Intent(SLEEP, home, self._tick_at(tick, s.wake + self.routine.lie_in(i, day)))
        if hunger < 0.15:
            return self._meal(i, tick, here, pop, rng, occupancy)
        if self._works_now(person, s, tick, m):
            if hunger < 0.45 and LUNCH_START <= m < LUNCH_END and not person.is_pupil:
                cafe = self._open_nearby(person.workplace, CAFE, m, occupancy)
                if cafe >= 0 and pop.money[i] >= MEAL_PRICE[1]:
                    return Intent(EAT, cafe, self._after(tick, rng.randint(25, 40), s))
            stop = LUNCH_START if m < LUNCH_START and not person.is_pupil else s.work_end
            activity = STUDY if person.is_pupil else WORK
            return Intent(activity, person.workplace, self._tick_at(tick, stop))
        if hunger < 0.4:
            return self._meal(i, tick, here, pop, rng, occupancy)
        outing = self.routine.current(i, day, m)
        if outing is not None and self._may_go(outing, i, m, pop, occupancy):
            return Intent(outing.activity, outing.building, self._after(tick, outing.end - m, s))
        if energy < 0.2:
            return Intent(HOME, home, self._after(tick, 60, s))
        if social < 0.65 and rng.random() < 0.35 + 0.5 * person.traits[2]:
            spot = self._meeting_place(person, m, rng, occupancy)
            if spot >= 0:
                return Intent(SOCIAL, spot, self._after(tick, rng.randint(50, 120), s))
        errand = rng.random() < 0.06
        park_appeal = self.society.park_appeal(i) if self.society is not None else 1.0
        if fun < 0.5 or errand or rng.random() < 0.12 * person.traits[0] * park_appeal:
            if pop.money[i] > 5000 and (errand or rng.random() < 0.3):
                shop = self._open_nearby(here if here >= 0 else home, STORE, m, occupancy)
                if shop >= 0:
                    return Intent(SHOP, shop, self._after(tick, rng.randint(20, 40), s))
            park = self._open_nearby(here if here >= 0 else home, PARK, m, occupancy)
            if park >= 0:
                return Intent(LEISURE, park, self._after(tick, rng.randint(40, 90), s))
        return Intent(HOME, home, self._after(tick, rng.randint(30, 90), s))

    def _now(self, tick: int) -> tuple[int, int]:
        """(minute of day, day) at ``tick``, worked out once a tick rather than once a decision."""
        if tick != self._clock_tick:
            total = self.clock.total_minutes(tick)
            self._clock_tick, self._clock_now, self._ticks_at = tick, (total % MINUTES_PER_DAY,
                                                                     total // MINUTES_PER_DAY + 1), {}
        return self._clock_now

    def _tick_at(self, tick: int, minute: int) -> int:
        """``clock.tick_at_minute``, kept for the tick: thousands decide in a tick, with a hundred-odd bedtimes."""
        if tick != self._clock_tick:
            self._now(tick)
        found = self._ticks_at.get(minute)
        if found is None:
            found = self._ticks_at[minute] = self.clock.tick_at_minute(tick, minute)
        return found

    def is_urgent(self, i: int, tick: int, pop: Population) -> bool:
        """Bedtime, or a need so low that no plan should stand in the way."""
        s = self.schedules[i]
        m = self.clock.minute_of_day(tick)
        return m >= s.bedtime or m < s.wake or pop.needs[i, HUNGER] < 0.15 or pop.needs[i, ENERGY] < 0.1

    def _works_now(self, person: Person, s: Schedule, tick: int, m: int) -> bool:
        if person.workplace < 0 or not s.work_start <= m < s.work_end:
            return False
        return self.works_on(person, s, Clock.weekday_of_day(self._now(tick)[1]))

    def works_on(self, person: Person, s: Schedule, weekday: int) -> bool:
        """Whether ``person`` goes to work (or school) on ``weekday`` (0 = Monday)."""
        if person.workplace < 0:
            return False
        if self.city.buildings[person.workplace].type in WEEKDAY_ONLY or person.is_pupil:
            return weekday < 5
        return weekday != s.day_off

    def _may_go(self, outing: Outing, i: int, m: int, pop: Population, occupancy: np.ndarray) -> bool:
        """Open, with room, and affordable (a visit only needs the friend's door)."""
        b = self.city.buildings[outing.building]
        if b.removed:
            return False
        if outing.activity == EAT and pop.money[i] < MEAL_PRICE[1]:
            return False
        if outing.kind in ("visit", "play"):
            return self.society is None or self.society.open_now(b, m)  # not into a burnt-out house
        return self._has_room(b, m, occupancy)

    def _after(self, tick: int, minutes: int, s: Schedule) -> int:
        """``minutes`` from now, but never past bedtime."""
        end = tick + self.clock.ticks_for(minutes)
        bed = self._tick_at(tick, s.bedtime)
        return min(end, max(bed, tick + 1))

    def _meal(self, i: int, tick: int, here: int, pop: Population, rng: random.Random, occupancy: np.ndarray) -> Intent:
        person = self.people[i]
        s = self.schedules[i]
        m = self._now(tick)[0]
        eat_out = rng.random() < 0.2 + 0.45 * person.traits[2]
        if eat_out and pop.money[i] >= MEAL_PRICE[1]:
            cafe = self._open_nearby(here if here >= 0 else person.home, CAFE, m, occupancy)
            if cafe >= 0:
                return Intent(EAT, cafe, self._after(tick, rng.randint(25, 45), s))
        return Intent(EAT, person.home, self._after(tick, rng.randint(20, 35), s))

    def _meeting_place(self, person: Person, m: int, rng: random.Random, occupancy: np.ndarray) -> int:
        """The hangout of a close friend (or one's own), if it is open and has room."""
        friends = self.ties.closest(person.id, 3)
        choices = [self.people[f].hangout for f in friends if self.people[f].hangout >= 0]
        choices.append(person.hangout)
        spot = choices[rng.randrange(len(choices))]
        if spot >= 0 and self._has_room(self.city.buildings[spot], m, occupancy):
            return spot
        return self._open_nearby(person.home, PARK, m, occupancy)

    def _has_room(self, b: Building, m: int, occupancy: np.ndarray) -> bool:
        if occupancy[b.id] >= b.capacity:
            return False
        society = self.society
        if society is None:
            return b.is_open(m)
        return society.open_now(b, m) and society.can_serve(b.id)

    def _open_nearby(self, near: int, kind: int, m: int, occupancy: np.ndarray) -> int:
        candidates = self.nearby(near, kind)
        if self.society is not None:  # a grand opening draws customers
            candidates = self.society.draw_customers(kind, candidates)
        for candidate in candidates:
            if self._has_room(self.city.buildings[candidate], m, occupancy):
                return candidate
        return -1

    def of_kind(self, kind: int) -> list[int]:
        """Every standing building of ``kind`` (cached until the map changes)."""
        found = self._of_kind.get(kind)
        if found is None:
            found = self._of_kind[kind] = [int(b) for b in np.flatnonzero(self._types == kind)]
        return found

    def _doors_of_kind(self, kind: int) -> tuple[np.ndarray, np.ndarray]:
        """Standing buildings of ``kind`` and their doors (cached until the map changes: a town's first
        day asks ``nearby`` for thousands of homes)."""
        found = self._kind_doors.get(kind)
        if found is None:
            candidates = np.flatnonzero(self._types == kind)
            found = self._kind_doors[kind] = (candidates, self._entrances[candidates])
        return found

    def nearby(self, near: int, kind: int, count: int = 4) -> list[int]:
        """The ``count`` buildings of ``kind`` closest to building ``near`` (cached)."""
        key = (near, kind, count)  # callers ask for 2, 3 or 4: each gets as many as it asked for
        found = self._nearby.get(key)
        if found is None:
            candidates, doors = self._doors_of_kind(kind)
            distance = np.abs(doors - self._entrances[near]).sum(1)
            found = [int(c) for c in candidates[np.argsort(distance, kind="stable")[:count]]]
            self._nearby[key] = found
        return found
