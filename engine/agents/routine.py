"""Days with variety on the rule brain: hobbies, visits, errands, weekends.

Each person's day gets one or two *outings* beside work and meals, drawn from a
generator seeded by (person, day), so a day's plan is known in the morning (the
inspector's Plan tab shows it), and the same on a replay:

* a **hobby** that follows their strongest traits (sketching in the park, cards
  at the cafe; ``words/days.toml``), at one of the places near home;
* a **visit** to family living elsewhere or to a friend, at their home;
* an **errand**, a **dinner out**, a **walk**; children **play** after school;
* or a quiet evening in. Now and then someone breaks routine and goes further afield.

Weekends differ: no office or school, a lie-in, longer outings, two of them,
and visits are likelier. Who counts as a friend to visit is fixed at the first
need of each day (kept in the state), so a checkpoint restored mid-day plans the same day.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from engine.agents.dice import Dice
from engine.agents.grammar import Grammar, load_rules, load_table, words_file
from engine.contracts.enums import Activity, BuildingType
from engine.state.city import City
from engine.state.clock import MINUTES_PER_DAY, Clock
from engine.state.person import Person
from engine.state.relationships import Relationships

if TYPE_CHECKING:
    from engine.agents.rule_brain import RuleBrain, Schedule

_WORDS_PATH = words_file(__file__, "days")
WORDS = Grammar(load_rules(_WORDS_PATH))
HOBBIES: list[dict[str, Any]] = list(load_table(_WORDS_PATH)["hobby"])  # as the words file has them
TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")
PLACE_KIND = {"park": BuildingType.PARK, "cafe": BuildingType.CAFE, "shop": BuildingType.SHOP}
ACTIVITY = {
    "hobby": Activity.LEISURE, "visit": Activity.SOCIAL, "errand": Activity.SHOP, "eat_out": Activity.EAT,
    "walk": Activity.LEISURE, "play": Activity.SOCIAL,
}
WEEKEND = 5  # Saturday and Sunday
UNSET = -2  # in ``friend_of``: not worked out yet today
BREAK_ROUTINE = 0.12  # chance an outing goes to a place further afield
MIN_OUTING = 30  # minutes; shorter than this (opening hours, bedtime) and it is dropped


@lru_cache(maxsize=1 << 17)
def hobbies_of(person: int, traits: tuple[float, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each person's two hobbies, from their two strongest traits (worked out once: every day's plan asks)."""
    ranked = sorted(range(5), key=lambda t: (-traits[t], t))[:2]
    fitting = [h for h in HOBBIES if TRAITS.index(str(h["trait"])) in ranked]
    fitting.sort(key=lambda h: (ranked.index(TRAITS.index(str(h["trait"]))), HOBBIES.index(h)))
    return fitting[person % len(fitting)], fitting[(person // 2 + 1) % len(fitting)]


class Outing(NamedTuple):
    kind: str  # hobby | visit | errand | eat_out | walk | play
    activity: int
    building: int
    start: int  # minute of day
    end: int
    hobby_why: str  # a hobby's reason ("to sketch the ducks"); other outings' words are made when asked
    whom: int  # visits and play: whose home, else -1


class Routine:
    def __init__(self, city: City, people: list[Person], clock: Clock, ties: Relationships):
        self.city = city
        self.people = people
        self.clock = clock
        self.ties = ties
        self.friend_of = np.full(len(people), UNSET, dtype=np.int32)  # whom each would visit today
        self._cache: dict[int, tuple[int, tuple[Outing, ...]]] = {}  # person -> (day, outings)
        self._day = clock.day(0)
        self.brain: RuleBrain | None = None  # schedules, nearby places, opening hours (set by the brain itself)

    # -- the day's choices ---------------------------------------------------------------

    def new_day(self, day: int) -> None:
        """Midnight: whom each person would visit is worked out afresh, when first needed today."""
        if len(self.friend_of) < len(self.people):
            self.friend_of = np.concatenate([self.friend_of, np.full(len(self.people) - len(self.friend_of), UNSET,
                                                                     dtype=np.int32)])
        self.friend_of[:] = UNSET
        self._day = day
        self._cache.clear()

    def _friend(self, person: int) -> int:
        """The friend ``person`` would visit today: one of their closest, living elsewhere, or -1. Worked out at
        the first need of the day and kept in the state (friendships change by the hour)."""
        if person >= len(self.friend_of):
            return -1  # newcomers: from tomorrow
        found = int(self.friend_of[person])
        if found != UNSET:
            return found
        p = self.people[person]
        near = [f for f in self.ties.closest(person, 3) if self.people[f].home != p.home
                and not self.people[f].removed and self.ties.affinity(person, f) > 0.2]
        found = near[(person + self._day) % len(near)] if near else -1
        self.friend_of[person] = found
        return found

    def forget_plans(self) -> None:
        """The map or someone's life changed: today's outings are worked out again when next asked."""
        self._cache.clear()

    def lie_in(self, person: int, day: int) -> int:
        """Minutes of extra sleep on a weekend off, or a worker's day off."""
        p = self.people[person]
        weekday = self.clock.weekday_of_day(day)
        brain = self.brain
        assert brain is not None
        if brain.works_on(p, brain.schedules[person], weekday) or (weekday < WEEKEND and p.workplace < 0) \
                or (weekday < WEEKEND and p.is_pupil):
            return 0
        return 30 + (person * 13 + day * 7) % 31 if p.age < 14 else 45 + int(60 * (1 - p.traits[1]))

    def outings(self, person: int, day: int) -> tuple[Outing, ...]:
        found = self._cache.get(person)
        if found is not None and found[0] == day:
            return found[1]
        outings = self._plan(person, day)
        self._cache[person] = (day, outings)
        return outings

    def current(self, person: int, day: int, minute: int) -> Outing | None:
        for outing in self.outings(person, day):
            if outing.start <= minute < outing.end:
                return outing
        return None

    def next_outing(self, person: int, day: int, minute: int) -> Outing | None:
        for outing in self.outings(person, day):
            if outing.start > minute:
                return outing
        return None

    def _plan(self, person: int, day: int) -> tuple[Outing, ...]:
        brain = self.brain
        assert brain is not None
        p = self.people[person]
        if p.removed:
            return ()
        s: Schedule = brain.schedules[person]
        weekday = self.clock.weekday_of_day(day)
        rng = Dice(person, day, 17)
        free_day = weekday >= WEEKEND or not brain.works_on(p, s, weekday)
        if free_day:
            start, stop = max(s.wake + self.lie_in(person, day) + 60, 9 * 60 + 30), s.bedtime - 45
        else:
            start, stop = max(s.work_end + 20, s.wake + 60), s.bedtime - 45
        if p.age < 14:
            stop = min(stop, 19 * 60)
        count = 2 if free_day else 1
        long = (90, 180) if free_day else (70, 130)
        outings: list[Outing] = []
        for _ in range(count):
            if stop - start < MIN_OUTING + 30:
                break
            kind = self._kind(p, rng, free_day)
            length = rng.randint(*long)
            begin = start + rng.randint(0, max(0, stop - start - length))
            outing = self._outing(p, kind, rng, begin, min(stop, begin + length), day) if kind != "home" else None
            if outing is not None:
                outings.append(outing)
                start = outing.end + 30
            else:
                start = begin + length
        return tuple(outings)

    def _kind(self, p: Person, rng: Dice, free_day: bool) -> str:
        o, c, e, _a, _n = p.traits
        child = p.age < 14
        weights = {
            "hobby": 0.30 + 0.2 * o,
            "visit": 0.15 + 0.15 * e + (0.2 if free_day else 0.0),
            "errand": 0.0 if child else 0.12 + 0.1 * c,
            "eat_out": 0.0 if child else 0.08 + 0.1 * e,
            "walk": 0.12,
            "play": 0.6 if child else 0.0,
            "home": 0.08 + 0.1 * (1 - e),
        }
        pick = rng.random() * sum(weights.values())
        for kind, weight in weights.items():
            pick -= weight
            if pick < 0:
                return kind
        return "home"

    def _outing(self, p: Person, kind: str, rng: Dice, begin: int, end: int, day: int) -> Outing | None:
        why = ""
        whom = -1
        if kind == "hobby":
            hobby = self._hobby(p, rng)
            building = self._place(p, PLACE_KIND[str(hobby["place"])], rng)
            options = list(hobby["why"])
            why = str(options[rng.randrange(len(options))])
        elif kind in ("visit", "play"):
            whom = self._visit_whom(p, rng) if kind == "visit" else self._friend(p.id)
            if whom < 0:
                kind, building = "walk", self._place(p, BuildingType.PARK, rng)
            else:
                building = self.people[whom].home
        else:
            kind_of_place = {"errand": BuildingType.SHOP, "eat_out": BuildingType.CAFE, "walk": BuildingType.PARK}
            building = self._place(p, kind_of_place[kind], rng)
        if building < 0:
            return None
        b = self.city.buildings[building]
        if b.closes > b.opens and not (b.opens == 0 and b.closes >= MINUTES_PER_DAY):  # fit the opening hours
            begin, end = max(begin, b.opens), min(end, b.closes - 15)
        if end - begin < MIN_OUTING:
            return None
        return Outing(kind, int(ACTIVITY[kind]), building, begin, end, why, whom)

    def words(self, outing: Outing) -> tuple[str, str]:
        """(note, why): "Millpond Park, to sketch the ducks" for the plan, and the reason for small talk."""
        rng = Dice(outing.building, outing.start, outing.whom)
        facts = {"place": self.city.buildings[outing.building].name}
        if outing.whom >= 0:
            facts["whom"] = self.people[outing.whom].first_name
        why = outing.hobby_why or WORDS.pick(f"why_{outing.kind}", rng, facts)
        facts["why"] = why
        return WORDS.pick(f"plan_{outing.kind}", rng, facts), why

    def _hobby(self, p: Person, rng: Dice) -> dict[str, Any]:
        """One of the hobbies of their two strongest traits."""
        return hobbies_of(p.id, p.traits)[rng.randrange(2)]

    def _visit_whom(self, p: Person, rng: Dice) -> int:
        known = self.ties.known_by(p.id)
        family = sorted(o for o in known if self.ties.known_tie(p.id, o).family
                        and self.people[o].home != p.home and not self.people[o].removed)
        friend = self._friend(p.id)
        choices = family + ([friend] if friend >= 0 else [])
        return choices[rng.randrange(len(choices))] if choices else -1

    def _place(self, p: Person, kind: BuildingType, rng: Dice) -> int:
        brain = self.brain
        assert brain is not None
        if rng.random() < BREAK_ROUTINE:  # further afield than usual
            every = brain.of_kind(int(kind))
            if every:
                return every[rng.randrange(len(every))]
        near = brain.nearby(p.home, int(kind), 3)
        return near[rng.randrange(len(near))] if near else -1

    # -- the plan, in words ---------------------------------------------------------------

    def day_plan(self, person: int, day: int) -> list[tuple[int, int, int, str]]:
        """The day as the rule brain means it: (hour, activity, building, note) in order of the hour."""
        brain = self.brain
        assert brain is not None
        p = self.people[person]
        s: Schedule = brain.schedules[person]
        weekday = self.clock.weekday_of_day(day)
        lie = self.lie_in(person, day)
        steps = [(min(23, (s.wake + lie) // 60), int(Activity.HOME), p.home,
                  WORDS.expand("#plan_lie_in#" if lie else "#plan_wake#", Dice(day)))]
        if brain.works_on(p, s, weekday):
            place = self.city.buildings[p.workplace].name
            kind = "plan_study" if p.is_pupil else "plan_work"
            activity = Activity.STUDY if p.is_pupil else Activity.WORK
            steps.append((s.work_start // 60, int(activity), p.workplace, WORDS.pick(kind, Dice(day),
                                                                                        {"place": place})))
        else:
            steps.append((12, int(Activity.EAT), p.home, WORDS.expand("#plan_lunch#", Dice(day))))
        outings = self.outings(person, day)
        for outing in outings:
            steps.append((outing.start // 60, outing.activity, outing.building, self.words(outing)[0]))
        if not outings:
            steps.append((max(18, s.work_end // 60), int(Activity.HOME), p.home,
                          WORDS.expand("#plan_home#", Dice(day))))
        if not any(outing.kind == "eat_out" for outing in outings):
            steps.append((19 if p.age >= 14 else 18, int(Activity.EAT), p.home,
                          WORDS.expand("#plan_dinner#", Dice(day))))
        steps.append((s.bedtime // 60, int(Activity.SLEEP), p.home, WORDS.expand("#plan_sleep#", Dice(day))))
        return sorted(steps, key=lambda step: step[0])

    def explain(self, person: int, day: int) -> tuple[str, str]:
        """How the rule brain worked out ``person``'s day, as a prompt and an answer would read:
        what it went on (the day, their strongest traits, whom they might visit) and what it chose."""
        brain = self.brain
        assert brain is not None
        p = self.people[person]
        weekday = self.clock.weekday_of_day(day)
        works = brain.works_on(p, brain.schedules[person], weekday)
        strongest = sorted(range(5), key=lambda t: (-p.traits[t], t))[:2]
        traits = ", ".join(f"{TRAITS[t]} {p.traits[t]:.1f}" for t in strongest)
        friend = self._friend(person)
        lie = self.lie_in(person, day)
        context = [
            f"{p.name}, {p.age}, {p.occupation}.",
            f"Day {day}, {('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')[weekday]}: "
            f"{'a working day' if works else 'a day off'}" + (f", a lie-in of {lie} minutes." if lie else "."),
            f"Strongest traits: {traits}.",
            f"Might visit: {self.people[friend].name}." if friend >= 0 else "No friend to visit today.",
        ]
        chosen = [f"{o.start // 60:02d}:{o.start % 60:02d}-{o.end // 60:02d}:{o.end % 60:02d}  {self.words(o)[0]}"
                  f"  ({o.kind})" for o in self.outings(person, day)]
        return "\n".join(context), "\n".join(chosen) or "A quiet day: work, meals and home."

    # -- state ---------------------------------------------------------------------------

    def get_state(self) -> np.ndarray:
        return self.friend_of.copy()

    def set_state(self, friend_of: np.ndarray | None, day: int) -> None:
        self._day = day
        if friend_of is None:  # saved before days had variety: work it out from the ties as they are
            self.new_day(day)
            return
        self.friend_of = np.asarray(friend_of, dtype=np.int32).copy()  # newcomers since: nobody to visit till midnight
        self._cache.clear()
