"""Small talk on the rule brain follows who the two are to each other and the hour."""

from __future__ import annotations

import random
import re

from engine.agents.talk import Moment
from engine.contracts.events import ConversationHeld
from tests.life.conftest import run, village

INTRODUCTIONS = ("don't think we've met", "nice to meet you", "pleased to meet you")
TIMES = {"morning": range(4 * 60, 12 * 60), "afternoon": range(12 * 60, 18 * 60), "evening": range(16 * 60, 24 * 60)}


def family_pair(sim) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return next((a, b) for (a, b), tie in sim.ties.items()
                if tie.family and sim.people[a].home == sim.people[b].home and sim.people[a].age >= 18
                and sim.people[b].age >= 18)


def strangers(sim) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return next((a, b) for a in range(len(sim.people)) for b in range(a + 1, len(sim.people))
                if sim.ties.get(a, b) is None)


def talk_at(sim, a: int, b: int, minute: int, at_home: bool, seed: int) -> list[str]:  # type: ignore[no-untyped-def]
    tick = next(t for t in range(sim.tick, sim.tick + 1440) if sim.clock.minute_of_day(t) == minute)
    home = sim.city.buildings[sim.people[a].home].name
    lines = sim.encounters.writer.lines(random.Random(seed), a, b, Moment(tick, home, at_home, sim.city.name), 0.6)
    return [text.lower() for _s, text in lines]


def test_family_never_introduce_themselves_and_greet_by_the_hour():
    sim = village(minds=False)
    a, b = family_pair(sim)
    for minute in (7 * 60, 13 * 60, 19 * 60, 23 * 60 + 30, 2 * 60):
        for seed in range(30):
            greeting, reply, *_ = talk_at(sim, a, b, minute, True, seed)
            for line in (greeting, reply):
                assert not any(i in line for i in INTRODUCTIONS), line
                assert f"i'm {sim.people[a].first_name.lower()}" not in line
                for word, hours in TIMES.items():
                    assert not re.search(rf"\b{word}\b", line) or minute in hours, (minute, line)


def test_strangers_introduce_themselves_and_do_not_say_again():
    sim = village(minds=False)
    a, b = strangers(sim)
    greeting, reply, *_ = talk_at(sim, a, b, 10 * 60, False, 1)
    assert sim.people[a].first_name.lower() in greeting and sim.people[b].first_name.lower() in reply
    for seed in range(30):
        greeting = talk_at(sim, a, b, 20 * 60, False, seed)[0]
        assert "again" not in greeting and "ages" not in greeting and "morning" not in greeting


def test_a_day_of_talk_is_varied_and_about_shared_things():
    sim = village()
    talks = [e for e in run(sim, 24 * 60) if isinstance(e, ConversationHeld)]
    lines = [text for t in talks for _s, text in t.lines]
    assert len(talks) > 40
    assert len(set(lines)) >= 0.7 * len(lines)
    family = [t for t in talks if (tie := sim.ties.get(t.a, t.b)) is not None and tie.family]
    assert family
    for t in family:  # family talk never starts as strangers would
        assert not any(i in t.lines[0][1].lower() for i in INTRODUCTIONS)
    night = [t for t in talks if sim.clock.minute_of_day(t.tick) >= 22 * 60 or sim.clock.minute_of_day(t.tick) < 4 * 60]
    for t in night:
        assert "morning" not in t.lines[0][1].lower()
