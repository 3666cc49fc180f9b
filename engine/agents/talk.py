"""Small talk on the rule brain, from what the two people know.

Who they are to each other (family, friend, stranger, rival), when they last met
and where, the hour and the day, what both have heard or seen, what the speaker
needs or plans, the other's work: each picks which lines of the grammar in
``words/talk.toml`` can be said. Family never introduce themselves, nobody says
"good morning" at night, strangers do not say "it's been ages".

Lines are picked with the simulation's RNG so a replay says the same words.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from engine.agents.grammar import Grammar, load_rules, words_file
from engine.state.clock import WEEKDAYS, Clock
from engine.state.person import Person
from engine.state.relationships import Relationships, Tie

GRAMMAR = Grammar(load_rules(words_file(__file__, "talk")))
PARTNER_AGE_GAP = 16  # family adults closer in age than this are a couple; further apart, parent and child
AGES_DAYS = 3  # not seen for this many days: "it's been ages"
LOW_NEED = 0.3
MOODS = GRAMMAR.rules["last_mood_words"]


class Topic(NamedTuple):
    """Something to talk about: a rule group in the grammar and the facts that fill it."""

    kind: str  # topic_<kind> in the grammar
    answer: str  # answer_<answer>_warm / _cool
    facts: dict[str, str] | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Moment:
    """Where and when two people talk, from the simulation."""

    tick: int
    place: str
    place_is_home: bool  # one of theirs
    town: str


# (speaker, listener, tick) -> what they both know or one could tell; set by the society
SharedTopics = Callable[[int, int, int], list[Topic]]


def part_of_day(minute: int) -> str:
    if 5 * 60 <= minute < 12 * 60:
        return "morning"
    if 12 * 60 <= minute < 18 * 60:
        return "afternoon"
    if 18 * 60 <= minute < 22 * 60:
        return "evening"
    return "night"


def relation(a: Person, b: Person, tie: Tie | None) -> str:
    """family | friend | acq (acquaintance) | stranger | rival, from ``a``'s side (the grammar's names)."""
    if tie is None or (tie.meetings == 0 and tie.familiarity < 0.1 and not tie.family):
        return "stranger"
    return {"close friend": "friend", "acquaintance": "acq", "stranger": "acq"}.get(tie.label, tie.label)


def kin_word(a: Person, b: Person) -> str:
    """What ``a`` calls family member ``b``."""
    gap = b.age - a.age
    if a.age >= 18 and b.age >= 18 and abs(gap) < PARTNER_AGE_GAP:
        return "#kin_partner#"
    if gap <= -PARTNER_AGE_GAP:
        return "#kin_child#"
    return b.first_name  # parents and siblings by name (the cast has no sexes to say Mum or Dad by)


def job_phrase(p: Person, workplace: str) -> str:
    if p.is_pupil:
        return f"go to {workplace}" if workplace else "go to school"
    if "retired" in p.occupation:
        return "am retired"
    if workplace:
        return f"work at {workplace}"
    return "keep myself busy"


class _Facts(dict[str, str]):
    """A speaker's side of the talk: names and place at once, the rest when a line asks (``TalkWriter.fact``)."""

    def __init__(self, me: str, other: str, place: str, part: str, town: str):
        super().__init__(me=me, other=other, place=place, part=part, town=town)
        self.writer: TalkWriter | None = None
        self.me: Person | None = None
        self.other: Person | None = None
        self.tick = 0

    def __missing__(self, key: str) -> str:
        assert self.writer is not None and self.me is not None and self.other is not None
        value = self[key] = self.writer.fact(key, self.me, self.other, self.tick)
        return value


class TalkWriter:
    def __init__(self, people: list[Person], ties: Relationships, clock: Clock, workplace_name: Callable[[int], str]):
        self.people = people
        self.ties = ties
        self.clock = clock
        self.workplace_name = workplace_name
        self.shared: SharedTopics | None = None
        self.needs: Callable[[int], tuple[int, float]] | None = None  # person -> (lowest need, its level)
        self.plan: Callable[[int, int], tuple[str, str] | None] | None = None  # (person, tick) -> (place, why)

    def lines(self, rng: random.Random, a: int, b: int, moment: Moment, warmth: float) -> tuple[tuple[int, str], ...]:
        """Three to five lines between speaker 0 (``a``) and speaker 1 (``b``)."""
        pa, pb = self.people[a], self.people[b]
        tie = self.ties.get(a, b)
        rel = relation(pa, pb, tie)
        minute = self.clock.minute_of_day(moment.tick)
        part = part_of_day(minute)
        facts_a = self._facts(pa, pb, moment, tie, part)
        facts_b = self._facts(pb, pa, moment, tie, part)
        out = [(0, self._greeting(rng, rel, tie, moment, part, facts_a))]
        reply = "home" if rel == "family" and moment.place_is_home else ("kin" if rel == "family" else rel)
        out.append((1, GRAMMAR.pick(f"reply_{reply}", rng, facts_b)))
        topic = self._topic(rng, a, b, rel, moment, part, facts_a)
        if topic.facts:
            facts_a.update(topic.facts)
            facts_b.update(topic.facts)
        out.append((0, GRAMMAR.pick(f"topic_{topic.kind}", rng, facts_a)))
        tone = "warm" if warmth >= 0 else "cool"
        answer = f"answer_{topic.answer}" if topic.answer == "rival" else f"answer_{topic.answer}_{tone}"
        out.append((1, GRAMMAR.pick(answer, rng, facts_b)))
        if warmth > 0.3 or rel == "family":
            out.append((0, GRAMMAR.pick(f"close_{rel}" if rel != "rival" else "close_cool", rng, facts_a)))
        elif warmth < -0.2:
            out.append((0, GRAMMAR.pick("close_cool", rng, facts_a)))
        return tuple(out)

    def _facts(self, me: Person, other: Person, moment: Moment, tie: Tie | None, part: str) -> dict[str, str]:
        facts = _Facts(me.first_name, other.first_name, moment.place, part, moment.town)
        facts.writer, facts.me, facts.other, facts.tick = self, me, other, moment.tick
        return facts

    def fact(self, key: str, me: Person, other: Person, tick: int) -> str:
        """A speaker's fact that costs something to work out (asked only by the lines that use it)."""
        if key == "kin":
            return kin_word(me, other)
        if key in ("weekday", "days_to_weekend"):
            weekday = self.clock.weekday(tick)
            return WEEKDAYS[weekday] if key == "weekday" else str(max(1, 5 - weekday))
        if key == "my_work":
            return self.workplace_name(me.id) or "home"
        if key == "job_phrase":
            return job_phrase(me, self.workplace_name(me.id))
        if key == "other_work" and other.workplace >= 0:
            return self.workplace_name(other.id)
        raise KeyError(key)

    def _greeting(self, rng: random.Random, rel: str, tie: Tie | None, moment: Moment, part: str,
                  facts: dict[str, str]) -> str:
        if rel == "family":
            return GRAMMAR.pick(f"greet_{'home' if moment.place_is_home else 'kin'}_{part}", rng, facts)
        if rel == "stranger":
            return GRAMMAR.pick(f"greet_stranger_{part}", rng, facts)
        if rel == "rival":
            return GRAMMAR.pick("greet_rival", rng, facts)
        assert tie is not None
        if tie.last_tick >= 0:
            since = moment.tick - tie.last_tick
            same_day = self.clock.day(tie.last_tick) == self.clock.day(moment.tick)
            if same_day and rng.random() < 0.6:
                return GRAMMAR.pick("greet_again", rng, facts)
            if since >= self.clock.ticks_for(AGES_DAYS * 24 * 60) and rel == "friend":
                return GRAMMAR.pick("greet_ages", rng, facts)
        return GRAMMAR.pick(f"greet_{rel}_{part}", rng, facts)

    def _topic(self, rng: random.Random, a: int, b: int, rel: str, moment: Moment, part: str,
               facts: dict[str, str]) -> Topic:
        """Pick what ``a`` brings up, weighted: shared news and events first, then their lives."""
        options: list[Topic] = []
        if self.shared is not None:
            options.extend(self.shared(a, b, moment.tick))
        if rel == "rival":
            options.append(Topic("rival", "rival", weight=3.0))
        if rel == "family":
            options.append(Topic("family_morning" if part == "morning" else "family", "family", weight=2.0))
        last = self._last_meeting(a, b, moment.tick)
        if last is not None and rel in ("friend", "acq"):
            options.append(Topic("last_time", "small", last, weight=1.5))
        if self.needs is not None:
            lowest, level = self.needs(a)
            if level < LOW_NEED:
                options.append(Topic(f"need_{('energy', 'hunger', 'social', 'fun')[lowest]}", "need", weight=1.5))
        if self.plan is not None:  # worked out only if picked (most talks are about something else)
            options.append(Topic("plan", "plan"))
        if rel != "stranger" and self.people[b].workplace >= 0:
            options.append(Topic("their_work", "work", weight=0.8))
        if self.people[a].workplace >= 0 and rel != "stranger":
            options.append(Topic("my_work", "small", weight=0.5))
        weekend = self.clock.weekday(moment.tick) >= 5
        options.append(Topic("weekend" if weekend else "weekday", "small", weight=0.6 if weekend else 0.3))
        options.append(Topic("stranger" if rel == "stranger" else "place", "stranger" if rel == "stranger" else "small",
                             weight=1.0 if rel == "stranger" else 0.4))
        total = sum(t.weight for t in options)
        pick = rng.random() * total
        chosen = options[-1]
        for topic in options:
            pick -= topic.weight
            if pick < 0:
                chosen = topic
                break
        if chosen.kind == "plan":
            planned = self.plan(a, moment.tick) if self.plan is not None else None
            if planned is None:
                return options[-1]  # nothing planned after all: small talk about the place
            return Topic("plan", "plan", {"plan_place": planned[0], "plan_why": planned[1]})
        return chosen

    def _last_meeting(self, a: int, b: int, tick: int) -> dict[str, str] | None:
        """Where they last talked ("talked at X: ..." in the pair's history), and when, in words."""
        for when, note in self.ties.history(a, b):
            if note.startswith("talked at ") and ":" in note:
                place = note[len("talked at "):note.index(":")]
                days = self.clock.day(tick) - self.clock.day(when)
                said = "earlier today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
                return {"last_place": place, "last_when": said, "last_mood": MOODS[when % len(MOODS)]}
        return None
