"""Small talk on the rule brain, from what the two people know.

Who they are to each other (family, friend, stranger, rival), when they last met
and where, the hour and the day, what both have heard or seen, what the speaker
needs or plans, the other's work: each picks which lines of the grammar in
``words/talk.toml`` can be said. Family never introduce themselves, nobody says
"good morning" at night, strangers do not say "it's been ages".

What is said is decided in the tick with the simulation's RNG (who they are to each other, the
topic); the words themselves are a ``Script`` worded with its own seeded dice only when someone
reads them, so a replay says the same words and unread talk costs no grammar.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from engine.agents.dice import Dice
from engine.agents.grammar import Grammar, load_rules, words_file
from engine.contracts.events import Lines
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


# The topics that carry no facts of their own (made once: the tick is hot).
RIVAL, PLAN = Topic("rival", "rival", weight=3.0), Topic("plan", "plan")
FAMILY, FAMILY_MORNING = Topic("family", "family", weight=2.0), Topic("family_morning", "family", weight=2.0)
NEEDS = tuple(Topic(f"need_{need}", "need", weight=1.5) for need in ("energy", "hunger", "social", "fun"))
THEIR_WORK, MY_WORK = Topic("their_work", "work", weight=0.8), Topic("my_work", "small", weight=0.5)
WEEKEND, WEEKDAY = Topic("weekend", "small", weight=0.6), Topic("weekday", "small", weight=0.3)
PLACE, STRANGER = Topic("place", "small", weight=0.4), Topic("stranger", "stranger", weight=1.0)


class Moment(NamedTuple):
    """Where and when two people talk, from the simulation."""

    tick: int
    place: str
    place_is_home: bool  # one of theirs
    town: str


# (speaker, listener, tick) -> what they both know or one could tell (a new list); set by the society
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


def kin_word(my_age: int, other_age: int, other_name: str) -> str:
    """What someone of ``my_age`` calls a family member of ``other_age``."""
    gap = other_age - my_age
    if my_age >= 18 and other_age >= 18 and abs(gap) < PARTNER_AGE_GAP:
        return "#kin_partner#"
    if gap <= -PARTNER_AGE_GAP:
        return "#kin_child#"
    return other_name  # parents and siblings by name (the cast has no sexes to say Mum or Dad by)


def job_phrase(occupation: str, pupil: bool, workplace: str) -> str:
    if pupil:
        return f"go to {workplace}" if workplace else "go to school"
    if "retired" in occupation:
        return "am retired"
    if workplace:
        return f"work at {workplace}"
    return "keep myself busy"


# What the words need of a speaker, as they were when they spoke: first name, age, occupation, whether a pupil,
# workplace name (None: no workplace).
Speaker = tuple[str, int, str, bool, str | None]


@dataclass(slots=True, unsafe_hash=True)  # its fields never change once made (not frozen: made in the tick)
class Script:
    """A conversation's words before they are said: the rule group of each line and every fact the lines may
    use, as they were at the moment. ``lines()`` words it with its own dice, so it says the same whenever it is
    first read (the window, the log, a mind's memory, a saved file), and most talk is never read at all."""

    seed: int
    a: Speaker
    b: Speaker
    place: str
    town: str
    part: str  # of the day
    weekday: int
    symbols: tuple[str, ...]  # a line each, speakers taking turns from ``a``: greeting, reply, topic, answer, close
    topic_facts: tuple[tuple[str, str], ...] = ()  # from the topic line on
    extra: Lines = ()  # said after (word of mouth), already in words

    def lines(self) -> Lines:
        return _worded(self)

    def opening(self) -> str:
        return self.words(1)[0][1]

    def adding(self, lines: Lines) -> Script:
        return Script(self.seed, self.a, self.b, self.place, self.town, self.part, self.weekday, self.symbols,
                      self.topic_facts, self.extra + lines)

    def words(self, count: int) -> Lines:
        """The first ``count`` lines, worded now (``lines()`` keeps them for talks read again)."""
        dice = Dice(self.seed)
        speaking = _Facts(self, self.a, self.b)
        if count == 1:  # the greeting alone (the pair's history quotes it)
            return ((0, GRAMMAR.pick(self.symbols[0], dice, speaking)),)
        facts = (speaking, _Facts(self, self.b, self.a))
        out = []
        for i, symbol in enumerate(self.symbols[:count]):
            if i == 2 and self.topic_facts:
                facts[0].update(self.topic_facts)
                facts[1].update(self.topic_facts)
            out.append((i % 2, GRAMMAR.pick(symbol, dice, facts[i % 2])))
        return tuple(out)

    def fact(self, key: str, me: Speaker, other: Speaker) -> str:
        """A speaker's fact worked out from the others (asked only by the lines that use it)."""
        if key == "kin":
            return kin_word(me[1], other[1], other[0])
        if key == "weekday":
            return WEEKDAYS[self.weekday]
        if key == "days_to_weekend":
            return str(max(1, 5 - self.weekday))
        if key == "my_work":
            return me[4] or "home"
        if key == "job_phrase":
            return job_phrase(me[2], me[3], me[4] or "")
        if key == "other_work" and other[4] is not None:
            return other[4]
        raise KeyError(key)


@lru_cache(maxsize=4096)
def _worded(script: Script) -> Lines:
    """A script's lines, kept for the talks read lately (the window reads the same ones again and again; a
    script holds no words of its own, so the thousands never read stay small and cost the collector nothing)."""
    return script.words(len(script.symbols)) + script.extra


class _Facts(dict[str, str]):
    """A speaker's side of the talk: names and place at once, the rest when a line asks (``Script.fact``)."""

    def __init__(self, script: Script, me: Speaker, other: Speaker):
        super().__init__(me=me[0], other=other[0], place=script.place, part=script.part, town=script.town)
        self.script, self.me, self.other = script, me, other

    def __missing__(self, key: str) -> str:
        value = self[key] = self.script.fact(key, self.me, self.other)
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
        self._now = (-1, 0, "", 0, 0)  # (tick, minute, part of day, day, weekday): worked out once a tick
        # Each person's speaker as last made: a talk keeps its two speakers for as long as the day's outcomes are
        # held, and a crowd's morning is tens of thousands of talks, so one tuple a person serves them all.
        self._speakers: dict[int, Speaker] = {}

    def lines(self, rng: random.Random, a: int, b: int, moment: Moment, warmth: float) -> Lines:
        """Three to five lines between speaker 0 (``a``) and speaker 1 (``b``), in words."""
        return self.script(rng, a, b, moment, warmth).lines()

    def script(self, rng: random.Random, a: int, b: int, moment: Moment, warmth: float) -> Script:
        """What ``a`` and ``b`` will say (who they are to each other, the hour, the topic), not yet in words."""
        pa, pb = self.people[a], self.people[b]
        tie = self.ties.get(a, b)
        rel = relation(pa, pb, tie)
        _tick, _minute, part, _day, weekday = self._moment(moment.tick)
        greeting = self._greeting(rng, rel, tie, moment, part)
        reply = "home" if rel == "family" and moment.place_is_home else ("kin" if rel == "family" else rel)
        topic = self._topic(rng, a, b, rel, moment, part, weekday)
        tone = "warm" if warmth >= 0 else "cool"
        answer = f"answer_{topic.answer}" if topic.answer == "rival" else f"answer_{topic.answer}_{tone}"
        symbols: tuple[str, ...] = (greeting, f"reply_{reply}", f"topic_{topic.kind}", answer)
        if warmth > 0.3 or rel == "family":
            symbols += (f"close_{rel}" if rel != "rival" else "close_cool",)
        elif warmth < -0.2:
            symbols += ("close_cool",)
        # The rule names are made anew for every talk; as one shared string each (a few dozen in all), the talks
        # of a day held in memory do not keep ~280 bytes of copies apiece.
        symbols = tuple(map(sys.intern, symbols))
        return Script(rng.getrandbits(64), self._speaker(pa), self._speaker(pb), moment.place, moment.town, part,
                      weekday, symbols, tuple(topic.facts.items()) if topic.facts else ())

    def _speaker(self, p: Person) -> Speaker:
        speaker = (p.first_name, p.age, p.occupation, p.is_pupil,
                   self.workplace_name(p.id) if p.workplace >= 0 else None)
        kept = self._speakers.get(p.id)
        if kept == speaker:
            return kept
        self._speakers[p.id] = speaker
        return speaker

    def _moment(self, tick: int) -> tuple[int, int, str, int, int]:
        if self._now[0] != tick:
            minute = self.clock.minute_of_day(tick)
            self._now = (tick, minute, part_of_day(minute), self.clock.day(tick), self.clock.weekday(tick))
        return self._now

    def _greeting(self, rng: random.Random, rel: str, tie: Tie | None, moment: Moment, part: str) -> str:
        if rel == "family":
            return f"greet_{'home' if moment.place_is_home else 'kin'}_{part}"
        if rel == "stranger":
            return f"greet_stranger_{part}"
        if rel == "rival":
            return "greet_rival"
        assert tie is not None
        if tie.last_tick >= 0:
            since = moment.tick - tie.last_tick
            same_day = self.clock.day(tie.last_tick) == self._moment(moment.tick)[3]
            if same_day and rng.random() < 0.6:
                return "greet_again"
            if since >= self.clock.ticks_for(AGES_DAYS * 24 * 60) and rel == "friend":
                return "greet_ages"
        return f"greet_{rel}_{part}"

    def _topic(self, rng: random.Random, a: int, b: int, rel: str, moment: Moment, part: str,
               weekday: int) -> Topic:
        """Pick what ``a`` brings up, weighted: shared news and events first, then their lives."""
        options: list[Topic] = self.shared(a, b, moment.tick) if self.shared is not None else []
        known = rel != "stranger"
        if rel == "rival":
            options.append(RIVAL)
        elif rel == "family":
            options.append(FAMILY_MORNING if part == "morning" else FAMILY)
        elif known:  # a friend or an acquaintance
            last = self._last_meeting(a, b, moment.tick)
            if last is not None:
                options.append(Topic("last_time", "small", last, weight=1.5))
        if self.needs is not None:
            lowest, level = self.needs(a)
            if level < LOW_NEED:
                options.append(NEEDS[lowest])
        if self.plan is not None:  # worked out only if picked (most talks are about something else)
            options.append(PLAN)
        if known and self.people[b].workplace >= 0:
            options.append(THEIR_WORK)
        if known and self.people[a].workplace >= 0:
            options.append(MY_WORK)
        options.append(WEEKEND if weekday >= 5 else WEEKDAY)
        options.append(PLACE if known else STRANGER)
        total = 0.0
        for topic in options:
            total += topic.weight
        pick = rng.random() * total
        chosen = options[-1]
        for topic in options:
            pick -= topic.weight
            if pick < 0:
                chosen = topic
                break
        if chosen is PLAN:
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
