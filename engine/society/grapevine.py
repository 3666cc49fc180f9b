"""Word of mouth: facts that people pass on when they talk, each hearing with its source.

A fact starts with one person (``seed``). Whenever two people talk — small talk
on the rule brain or a conversation on the model — each thing one of them knows
and the other does not may be passed on, likelier from an outgoing teller to
someone they like, and likelier for fresh news than for stale. Who told whom is
kept, so the spread can be traced and reported.

A fact with a time and a place in it ("a party at the cafe tomorrow at 5pm") is
an *event*: whoever hears of it decides then whether they mean to go (by how
much they like the host, how outgoing they are, who told them), and at the hour
their next decision takes them there. Who actually came is counted.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

import numpy as np

from engine.agents.talk import GRAMMAR as TALK
from engine.contracts.enums import BuildingType
from engine.contracts.events import Event, FactHeard, FactSeeded, GatheringHeld
from engine.contracts.society import FactView
from engine.society.hearings import Hearings
from engine.state.city import City
from engine.state.clock import MINUTES_PER_DAY, WEEKDAYS, Clock
from engine.state.person import Person
from engine.state.pieces import Pieces, joined
from engine.state.relationships import Relationships

EVENT_WORDS = ("party", "dinner", "meeting", "gathering", "festival", "celebration", "concert", "picnic",
               "wedding", "birthday", "fair", "market", "show", "rally", "get-together", "gig", "reading")
PLACE_WORDS = {"cafe": BuildingType.CAFE, "café": BuildingType.CAFE, "coffee": BuildingType.CAFE,
               "park": BuildingType.PARK, "town hall": BuildingType.TOWN_HALL, "shop": BuildingType.SHOP,
               "store": BuildingType.SHOP, "school": BuildingType.SCHOOL, "office": BuildingType.OFFICE,
               "workshop": BuildingType.WORKSHOP, "my place": BuildingType.HOME, "my house": BuildingType.HOME,
               "home": BuildingType.HOME}
PASS_CHANCE = {"event": 0.45, "news": 0.35, "campaign": 0.3, "proposal": 0.25}
FRESH_DAYS = 7  # older news is no longer worth mentioning
# A talk passes on at most this many things, events to come first, then the newest. A week of a town's news is
# dozens of facts, and without a bound two people who met passed on five or more at once in small talk by the
# second week, each a line, an event and a memory: the cost of a sim day grew with the town's news.
TOLD_PER_TALK = 2
EVENT_HOURS = 2  # how long an announced event lasts unless the words say otherwise
ARRIVE_EARLY_MINUTES = 20
FORGOTTEN = "forgotten"  # the kind of a fact the player took back


@dataclass
class Fact:
    id: int
    origin: int  # person id, -1: the player
    text: str
    kind: str  # news | event | campaign | proposal
    tick: int
    building: int = -1
    start: int = -1  # tick
    end: int = -1


@dataclass(frozen=True)
class EventPlan:
    building: int
    start: int
    end: int


def understand_event(text: str, origin: Person | None, city: City, clock: Clock, tick: int) -> EventPlan | None:
    """A place and a time in the words, or None for plain news.

    Understood: a building's name or a kind of place ("the cafe", "my place"); a
    time ("5pm", "17:30", "noon"); a day ("today", "tonight", "tomorrow", a weekday,
    "day 3"). A time with no day means its next occurrence at least an hour away.
    Calendar dates ("Feb 14") are not understood: the sim has days, not months."""
    lowered = text.lower()
    minute = _time_of_day(lowered)
    is_event = minute is not None or any(re.search(rf"\b{w}\b", lowered) for w in EVENT_WORDS)
    if not is_event or minute is None:
        return None
    building = _place(lowered, origin, city)
    if building < 0:
        return None
    start = _start_tick(lowered, minute, clock, tick)
    return EventPlan(building, start, start + clock.ticks_for(EVENT_HOURS * 60))


def _time_of_day(text: str) -> int | None:
    if re.search(r"\bnoon\b|\bmidday\b", text):
        return 12 * 60
    if m := re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)", text):
        hour, minutes = int(m.group(1)) % 12, int(m.group(2) or 0)
        if m.group(3).startswith("p"):
            hour += 12
        return hour * 60 + minutes
    if m := re.search(r"\b(?:at|from)\s+(\d{1,2}):(\d{2})\b", text):
        return int(m.group(1)) % 24 * 60 + int(m.group(2))
    return None


def _place(text: str, origin: Person | None, city: City) -> int:
    standing = [b for b in city.buildings if not b.removed]
    named = [b for b in standing if b.name.lower() in text]
    if named:
        return max(named, key=lambda b: (len(b.name), -b.id)).id
    for word, kind in sorted(PLACE_WORDS.items(), key=lambda item: -len(item[0])):
        if not re.search(rf"\b{re.escape(word)}\b", text):
            continue
        if kind == BuildingType.HOME:
            return origin.home if origin is not None else -1
        if origin is not None and origin.hangout >= 0 and city.buildings[origin.hangout].type == kind:
            return origin.hangout
        of_kind = [b for b in standing if b.type == kind]
        if not of_kind:
            continue
        near = city.buildings[origin.home].entrance if origin is not None else of_kind[0].entrance
        return min(of_kind, key=lambda b: (abs(b.entrance[0] - near[0]) + abs(b.entrance[1] - near[1]), b.id)).id
    return -1


def _start_tick(text: str, minute: int, clock: Clock, tick: int) -> int:
    now = clock.total_minutes(tick)
    today = now - now % MINUTES_PER_DAY
    day = None
    if re.search(r"\btomorrow\b", text):
        day = today + MINUTES_PER_DAY
    elif re.search(r"\btoday\b|\btonight\b|\bthis (?:evening|afternoon|morning)\b", text):
        day = today
    elif m := re.search(r"\bday (\d+)\b", text):
        day = (int(m.group(1)) - 1) * MINUTES_PER_DAY
    else:
        for index, name in enumerate(WEEKDAYS):
            if re.search(rf"\b{name.lower()}\b", text):
                ahead = (index - clock.weekday(tick)) % 7 or 7
                day = today + ahead * MINUTES_PER_DAY
                break
    target = (day if day is not None else today) + minute
    if day is None and target < now + 60:
        target += MINUTES_PER_DAY
    return max(tick + 1, -(-((target - clock.start_minute) * 60) // clock.tick_seconds))


class Grapevine:
    def __init__(self, city: City, people: list[Person], ties: Relationships, clock: Clock,
                 hear_hook: Callable[[int, str, int], None] | None = None):
        """``hear_hook``: (person, text, tick), the memory of a mind told something (None: nobody keeps one)."""
        self.city = city
        self.people = people
        self.ties = ties
        self.clock = clock
        self.facts: list[Fact] = []
        self.hearings: dict[int, Hearings] = {}  # fact -> who heard it, when, from whom
        self.going: dict[int, set[int]] = {}  # event fact -> people who mean to go
        self.came: dict[int, set[int]] = {}  # event fact -> knowers seen there during the event
        # person -> the facts they know, as the bits of an int (bit N: fact N). Talk compares two of these, and
        # a person knows more facts every day: sets of them grew with the town's age in memory and in the time
        # each comparison took; a few hundred bits are a few words of C.
        self._known: dict[int, int] = {}
        # (tick, facts_version, the live facts' bits, the bits of the events among them)
        self._live_cache: tuple[int, int, int, int] = (-1, -1, 0, 0)
        # Bumped when a fact is made, taken back or restored (not when one is passed on: that changes who
        # knows it, not whether it is still live), and the first fact that may still be live: the ones
        # before it had gone stale, and a fact that went stale stays so as time runs on.
        self._facts_version = 0
        self._live_from = 0
        self.version = 0
        self.hear_hook = hear_hook

    # -- planting --------------------------------------------------------------------------

    def seed(self, origin: int, text: str, tick: int, kind: str = "news", fact_id: int = -1) -> int:
        text = " ".join(text.split())
        if not text:
            raise ValueError("a rumour needs some words")
        if not 0 <= origin < len(self.people) or self.people[origin].removed:
            raise ValueError(f"there is no person {origin} to start it")
        fact_id = len(self.facts) if fact_id < 0 else fact_id
        if fact_id > len(self.facts) or (fact_id < len(self.facts) and self.facts[fact_id].kind != FORGOTTEN):
            raise ValueError(f"fact {fact_id} cannot be made again")
        fact = Fact(fact_id, origin, text, kind, tick)
        if kind == "news":
            plan = understand_event(text, self.people[origin], self.city, self.clock, tick)
            if plan is not None:
                fact.kind, fact.building, fact.start, fact.end = "event", plan.building, plan.start, plan.end
        self._facts_version += 1
        if fact_id < len(self.facts):  # a redo of one that was taken back: same id
            self._live_from = min(self._live_from, fact_id)
            self.facts[fact_id] = fact
        else:
            self.facts.append(fact)
        self.hearings[fact_id] = hearings = Hearings()
        hearings.add(origin, tick, -1)
        self._known[origin] = self._known.get(origin, 0) | 1 << fact_id
        if fact.kind == "event":
            self.going[fact_id] = {origin}
            self.came[fact_id] = set()
        self.version += 1
        return fact_id

    def seeded_event(self, fact_id: int) -> FactSeeded:
        f = self.facts[fact_id]
        return FactSeeded(f.tick, f.id, f.origin, f.text, f.kind, f.building, f.start, f.end)

    def forget(self, fact_id: int) -> None:
        """Take a fact back: nobody knows it any more (its id stays taken, so later ids never shift)."""
        if not 0 <= fact_id < len(self.facts) or self.facts[fact_id].kind == FORGOTTEN:
            raise ValueError(f"there is no rumour {fact_id} to take back")
        self.facts[fact_id].kind = FORGOTTEN
        self._facts_version += 1
        hearings = self.hearings[fact_id]
        for person in hearings.people().tolist():
            self._known[person] &= ~(1 << fact_id)
        hearings.clear()
        self.going.pop(fact_id, None)
        self.came.pop(fact_id, None)
        self.version += 1

    def person_removed(self, person: int) -> None:
        """Whoever left town goes to no more parties."""
        for going in self.going.values():
            going.discard(person)

    # -- questions -------------------------------------------------------------------------

    def knows(self, fact: int, person: int) -> bool:
        return fact >= 0 and bool(self._known.get(person, 0) >> fact & 1)

    def heard_from(self, fact: int, person: int) -> int:
        return self.hearings[fact].teller_of(person) if fact in self.hearings else -1

    def knowers(self, fact: int) -> int:
        return len(self.hearings[fact])

    def share(self, fact: int) -> float:
        alive = sum(1 for p in self.people if not p.removed)
        return self.knowers(fact) / alive if alive else 0.0

    def _live(self, tick: int) -> int:
        """Facts still worth passing on, as bits: fresh news, and events not over yet (worked out once a tick)."""
        return self._live_facts(tick)[0]

    def _live_facts(self, tick: int) -> tuple[int, int]:
        """(``_live``, the events among them)."""
        cached_tick, cached_version, live, events = self._live_cache
        if cached_tick != tick or cached_version != self._facts_version:
            if tick < cached_tick:
                self._live_from = 0  # time went back: facts stale then may be live again
            fresh = self.clock.ticks_for(FRESH_DAYS * MINUTES_PER_DAY)
            facts = self.facts
            start = self._live_from
            live = events = 0
            for index in range(start, len(facts)):
                f = facts[index]
                if f.kind != FORGOTTEN and (f.end > tick if f.kind == "event" else tick - f.tick < fresh):
                    live |= 1 << f.id
                    if f.kind == "event":
                        events |= 1 << f.id
                elif index == start:
                    start += 1
            self._live_from = start
            self._live_cache = (tick, self._facts_version, live, events)
        return live, events

    # -- talk ------------------------------------------------------------------------------

    def on_talk(self, a: int, b: int, tick: int, rng: random.Random) -> tuple[list[Event], list[tuple[int, str]]]:
        """``a`` and ``b`` talked: what passed between them, and the lines saying it (speaker 0 is a)."""
        events: list[Event] = []
        lines: list[tuple[int, str]] = []
        known_a, known_b = self._known.get(a, 0), self._known.get(b, 0)
        if not known_a and not known_b:
            return events, lines
        live, events_live = self._live_facts(tick)
        untold = (known_a ^ known_b) & live  # what one knew as they met
        # Plans to come first (something on tomorrow is worth a mention before last week's news), then the newest.
        for fact_id in chain(_ids_down(untold & events_live), _ids_down(untold & ~events_live)):
            fact = self.facts[fact_id]
            teller, listener = (a, b) if known_a >> fact_id & 1 else (b, a)
            if rng.random() >= self._pass_chance(fact, teller, listener):
                continue
            events.append(self.pass_on(fact_id, teller, listener, tick, rng))
            lines.append((0 if teller == a else 1, self._telling(fact, teller, listener, rng)))
            if len(events) == TOLD_PER_TALK:
                break
        return events, lines

    def untold(self, teller: int, listener: int, tick: int) -> list[Fact]:
        """Live facts ``teller`` knows and ``listener`` does not (what a line of theirs could carry)."""
        known = self._known.get(teller, 0) & ~self._known.get(listener, 0)
        return [self.facts[f] for f in _ids(known & self._live(tick))]

    def pass_on(self, fact_id: int, teller: int, listener: int, tick: int, rng: random.Random) -> FactHeard:
        """``listener`` learns the fact from ``teller`` (and, for an event, decides by the rules whether to go)."""
        fact = self.facts[fact_id]
        self.hearings[fact_id].add(listener, tick, teller)
        self._known[listener] = self._known.get(listener, 0) | 1 << fact_id
        going = fact.kind == "event" and self._will_go(fact, listener, teller, rng)
        if going:
            self.going[fact.id].add(listener)
        tie = self.ties.tie(teller, listener)
        tie.trust = min(1.0, tie.trust + 0.02)
        if self.hear_hook is not None:
            self.hear_hook(listener, self._heard_text(fact, teller), tick)
        self.version += 1
        return FactHeard(tick, fact.id, listener, teller, going)

    def decide_going(self, fact_id: int, person: int, going: bool) -> None:
        """``person`` made up their own mind about an event (a mind on the model): go, or not."""
        if fact_id in self.going and self.facts[fact_id].kind == "event":
            if going:
                self.going[fact_id].add(person)
            else:
                self.going[fact_id].discard(person)
            self.version += 1

    def _pass_chance(self, fact: Fact, teller: int, listener: int) -> float:
        tie = self.ties.get(teller, listener)
        affinity = tie.affinity if tie else 0.0
        outgoing = self.people[teller].traits[2]
        chance = PASS_CHANCE.get(fact.kind, 0.4) * (0.6 + 0.8 * outgoing) * (1.0 + 0.5 * affinity)
        return max(0.02, min(0.95, chance))

    def _will_go(self, fact: Fact, person: int, teller: int, rng: random.Random) -> bool:
        p = self.people[person]
        host = self.ties.get(person, fact.origin)
        liking = host.affinity if host else 0.0
        friend = self.ties.get(person, teller)
        chance = 0.25 + 0.35 * liking + 0.25 * p.traits[2] - 0.1 * p.traits[4] + 0.1 * (friend.trust if friend else 0)
        return rng.random() < max(0.05, min(0.9, chance))

    def _telling(self, fact: Fact, teller: int, listener: int, rng: random.Random) -> str:
        """The line passing it on (the words are in the small talk's grammar)."""
        origin = self.people[fact.origin].first_name if fact.origin >= 0 else "someone"
        words = {"fact": fact.text, "origin": origin, "other": self.people[listener].first_name}
        return TALK.pick("tell_own" if teller == fact.origin else "tell_heard", rng, words)

    def _heard_text(self, fact: Fact, teller: int) -> str:
        who = self.people[teller].name
        if teller == fact.origin:
            return f"{who} told me: {fact.text}"
        origin = self.people[fact.origin].name if fact.origin >= 0 else "someone"
        return f"{who} told me that {origin} said: {fact.text}"

    # -- events ----------------------------------------------------------------------------

    def agenda(self, person: int, tick: int) -> tuple[int, int] | None:
        """(building, end tick) of an event ``person`` means to go to that is on now, else None."""
        early = self.clock.ticks_for(ARRIVE_EARLY_MINUTES)
        for fact_id in sorted(self.going):  # by id, as a restored state has them
            going = self.going[fact_id]
            fact = self.facts[fact_id]
            if person in going and fact.start - early <= tick < fact.end \
                    and not self.city.buildings[fact.building].removed:
                return fact.building, fact.end
        return None

    def starting(self, tick: int) -> list[int]:
        """People who should set off now for an event (so they stop what they are doing)."""
        early = self.clock.ticks_for(ARRIVE_EARLY_MINUTES)
        found: list[int] = []
        for fact_id, going in sorted(self.going.items()):
            if self.facts[fact_id].start - early == tick:
                found.extend(sorted(going))
        return found

    def watch_events(self, tick: int, location: np.ndarray) -> list[Event]:
        """Count who came to events on now; an event that just ended reports its gathering."""
        events: list[Event] = []
        for fact_id in sorted(self.going):
            fact = self.facts[fact_id]
            if fact.start <= tick < fact.end:
                here = np.flatnonzero(location == fact.building)
                here = here[np.isin(here, self.hearings[fact_id].people())]
                new = set(here.tolist()) - self.came[fact_id]
                if new:
                    self.came[fact_id] |= new
                    self.version += 1
            elif tick == fact.end:
                attendees = tuple(sorted(self.came[fact_id]))
                events.append(GatheringHeld(tick, fact_id, fact.building, attendees))
                for i, a in enumerate(attendees):  # a shared evening brings people closer
                    for b in attendees[i + 1:]:
                        tie = self.ties.tie(a, b)
                        tie.shared += 1
                        tie.familiarity = min(1.0, tie.familiarity + 0.03)
                        self.ties.note(a, b, tick, f"both at {self.city.buildings[fact.building].name}: {fact.text}")
        return events

    def attended(self, fact: int) -> int:
        return len(self.came.get(fact, ()))

    # -- views and state -------------------------------------------------------------------

    def views(self) -> tuple[FactView, ...]:
        return tuple(
            FactView(f.id, f.text, f.origin, f.kind, f.tick, self.knowers(f.id), f.building, f.start, f.end,
                     self.attended(f.id))
            for f in reversed(self.facts) if f.kind != FORGOTTEN
        )

    def live_shared(self, a: int, b: int, tick: int, newest: int | None = None) -> list[Fact]:
        """Fresh facts both know (what two people who talk may bring up), oldest first; only the ``newest``
        few when asked (every talk asks for two: in a long run people share dozens)."""
        known_a, known_b = self._known.get(a, 0), self._known.get(b, 0)
        if not known_a or not known_b:
            return []
        bits = known_a & known_b & self._live(tick)
        if newest is None:
            return [self.facts[f] for f in _ids(bits)]
        return [self.facts[f] for f in reversed(list(islice(_ids_down(bits), newest)))]

    def shared_facts(self, a: int, b: int) -> list[str]:
        return [self.facts[f].text for f in _ids(self._known.get(a, 0) & self._known.get(b, 0))]

    def get_state(self) -> dict[str, object]:
        return {
            "facts": [[f.id, f.origin, f.text, f.kind, f.tick, f.building, f.start, f.end] for f in self.facts],
            # The same arrays until a fact is passed on again: a checkpoint reuses a stale fact's piece.
            "knowers": Pieces([self.hearings[f.id].piece(len(self.people)) for f in self.facts], [], apart=True),
            "going": [[f.id, sorted(self.going[f.id])] for f in self.facts if f.id in self.going],
            "came": [[f.id, sorted(self.came[f.id])] for f in self.facts if f.id in self.came],
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self.facts = [Fact(int(i), int(o), str(t), str(k), int(tk), int(b), int(s), int(e))
                      for i, o, t, k, tk, b, s, e in state["facts"]]
        town = len(self.people)
        self.hearings = {}
        if "knowers" in state:
            for f, knowers in zip(self.facts, joined(state["knowers"]), strict=True):
                if not isinstance(knowers, list | tuple) or len(knowers) not in (2, 3):
                    raise ValueError("the saved word of mouth is damaged (a fact's knowers are neither form)")
                # Older files saved a fact most knew as its two columns over the town.
                self.hearings[f.id] = Hearings.of_columns(knowers[0], knowers[1], town) if len(knowers) == 2 \
                    else Hearings.of(knowers[0], knowers[1], knowers[2], town)
        else:  # saved before: a column a fact over the whole town, heard ticks and tellers
            for f, heard, told in zip(self.facts, joined(state["heard"]), joined(state["teller"]), strict=True):
                self.hearings[f.id] = Hearings.of_columns(heard, told, town)
        self._known = {}
        for fact_id, hearings in self.hearings.items():
            for person in hearings.people().tolist():
                self._known[person] = self._known.get(person, 0) | 1 << fact_id
        self.going = {int(i): {int(p) for p in people} for i, people in state["going"]}
        self.came = {int(i): {int(p) for p in people} for i, people in state["came"]}
        self._facts_version += 1
        self._live_from = 0
        self.version += 1


def _ids(bits: int) -> Iterator[int]:
    """The facts whose bits are set, lowest id first."""
    while bits:
        lowest = bits & -bits
        yield lowest.bit_length() - 1
        bits ^= lowest


def _ids_down(bits: int) -> Iterator[int]:
    """The facts whose bits are set, highest id first."""
    while bits:
        highest = bits.bit_length() - 1
        yield highest
        bits ^= 1 << highest
