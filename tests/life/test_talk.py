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


def test_talk_is_worded_when_read_and_says_the_same_every_time():
    from engine.persistence.event_codec import from_row, to_row
    from engine.sim import state_codec
    from engine.sim.simulation import Simulation

    sim = village(minds=False)
    start = state_codec.encode(sim.get_state())
    talks = [e for e in run(sim, 6 * 60) if isinstance(e, ConversationHeld)]
    assert talks and not any(isinstance(t.said, tuple) for t in talks)  # nobody has read them yet
    quoted = 0
    for t in talks:  # the pair's history quotes the greeting the talk opens with (the newest few are kept)
        notes = [note for when, note in sim.ties.history(t.a, t.b) if when == t.tick and note.startswith("talked at ")]
        if notes:
            assert notes == [f"talked at {sim.city.buildings[t.building].name}: \u201c{t.lines[0][1]}\u201d"]
            quoted += 1
        assert t.opening == t.lines[0][1]
    assert quoted
    first = [t.lines for t in talks]
    assert [t.lines for t in talks] == first  # read again: the same words
    assert [from_row(*to_row(t)).lines for t in talks] == first  # saved in words, read back the same

    replay = Simulation(sim.world, seed=None, record_history=False)
    replay.set_state(state_codec.decode(start))
    again = [e for e in run(replay, 6 * 60) if isinstance(e, ConversationHeld)]
    assert [t.lines for t in again] == first  # a replay says the same words
