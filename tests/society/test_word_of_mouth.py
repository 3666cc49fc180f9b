"""Word of mouth: facts pass on in talk with their source; events draw the people who heard of them."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import api
from engine.contracts import edits as e
from engine.contracts.events import ConversationHeld, FactHeard, GatheringHeld
from engine.edits.apply import apply
from engine.society.grapevine import understand_event
from engine.state.clock import Clock
from tests.conftest import ROOT, WORLDS
from tests.society.conftest import run

PARTY = "I'm throwing a Valentine's party at The Copper Kettle tomorrow at 5pm"


def test_times_and_places_in_the_words_make_an_event(village_sim) -> None:
    sim = village_sim
    clock: Clock = sim.clock
    rosa = next(p for p in sim.people if p.name == "Rosa Alvarez")
    plan = understand_event(PARTY, rosa, sim.city, clock, sim.tick)
    assert plan is not None and sim.city.buildings[plan.building].name == "The Copper Kettle"
    assert clock.text(plan.start) == "Day 2 Tue 17:00" and plan.end - plan.start == clock.ticks_for(120)
    park = understand_event("Picnic in the park on Saturday at noon", rosa, sim.city, clock, sim.tick)
    assert park is not None and clock.text(park.start) == "Day 6 Sat 12:00"
    home = understand_event("Dinner at my place tonight at 19:30", rosa, sim.city, clock, sim.tick)
    assert home is not None and home.building == rosa.home and clock.text(home.start) == "Day 1 Mon 19:30"
    assert understand_event("Sam is running for mayor", rosa, sim.city, clock, sim.tick) is None


def test_talk_passes_a_fact_on_with_its_source(village_sim) -> None:
    sim = village_sim
    grapevine = sim.society.grapevine
    (_s, inverse, applied), _events = apply(sim, e.SeedFact(agent=0, text="The mill is for sale"))
    fact = applied.fact_id
    assert grapevine.knows(fact, 0) and grapevine.knowers(fact) == 1
    friend = sim.ties.closest(0, 1)[0]
    heard, lines = [], []
    for _ in range(40):  # chance decides each time; a warm outgoing teller passes it on soon
        heard, lines = grapevine.on_talk(0, friend, sim.tick, random.Random(len(heard) + _))
        if heard:
            break
    assert heard and isinstance(heard[0], FactHeard) and heard[0].teller == 0 and heard[0].listener == friend
    assert grapevine.heard_from(fact, friend) == 0 and "mill is for sale" in lines[0][1]
    assert sim.ties.get(0, friend).trust > 0
    apply(sim, inverse)  # undo: nobody knows it any more; the id stays taken
    assert grapevine.knowers(fact) == 0 and not grapevine.views()
    apply(sim, e.SeedFact(agent=0, text="The mill is for sale", fact_id=fact))  # redo brings back the same id
    assert grapevine.knows(fact, 0) and grapevine.views()[0].id == fact


def test_a_talk_passes_on_a_few_things_plans_to_come_first(village_sim) -> None:
    """Someone who knows a week of news tells the other at most ``TOLD_PER_TALK`` of it in one talk: an
    event to come before any news, then the newest news."""
    from engine.society.grapevine import TOLD_PER_TALK

    sim = village_sim
    grapevine = sim.society.grapevine
    teller, listener = 0, sim.ties.closest(0, 1)[0]
    news = [grapevine.seed(teller, f"News number {n}", sim.tick) for n in range(6)]
    party = grapevine.seed(teller, "Dinner at my place tonight at 19:30", sim.tick)
    later = grapevine.seed(teller, "The bakery has a new oven", sim.tick)
    assert grapevine.facts[party].kind == "event"
    before = grapevine.get_state()
    told: list[int] = []
    for attempt in range(60):  # chance decides each fact in turn; stop at the first talk that tells the most
        grapevine.set_state(before)  # every attempt starts from the same knowledge
        heard, lines = grapevine.on_talk(teller, listener, sim.tick, random.Random(attempt))
        assert len(heard) == len(lines) <= TOLD_PER_TALK
        if len(heard) == TOLD_PER_TALK:
            told = [h.fact for h in heard]
            break
    assert told, "no talk passed on as much as it may"
    ranked = [party, later, *reversed(news)]
    assert told == sorted(told, key=ranked.index)  # in the order they came up: the party first, then the newest


def test_a_seeded_party_spreads_over_two_days_and_invitees_come() -> None:
    world = api.open_world(WORLDS / "village.town")
    summary = api.run_headless(world, ticks=2 * 24 * 60, seed=5, seed_facts=[("Rosa Alvarez", PARTY)],
                               checkpoint_minutes=0)
    words = summary.word_of_mouth
    assert words is not None
    spread = words["diffusion"][0]
    over_time = [s["knowers"] for s in spread["over_time"]]
    assert over_time[0] == 1 and over_time == sorted(over_time)  # it only ever spreads
    assert spread["share"] >= 0.3, spread  # the study saw about half the town hear of the party
    assert spread["told_by"][0][0] == "Rosa Alvarez"
    party = words["attendance"][0]
    assert party["over"] and party["place"] == "The Copper Kettle"
    assert party["guests"] >= 2, party  # some of those who heard came
    assert words["density"]["after"] > words["density"]["before"]
    assert summary.social["communities"] >= 1 and summary.economy["transactions"] > 0


def test_the_gathering_brings_attendees_closer(village_sim) -> None:
    sim = village_sim
    apply(sim, e.SeedFact(agent=0, text="Party at The Copper Kettle today at 5pm"))
    events = run(sim, 15)
    gathered = [ev for ev in events if isinstance(ev, GatheringHeld)]
    assert gathered and len(gathered[0].attendees) >= 2
    a, b = gathered[0].attendees[:2]
    tie = sim.ties.get(a, b)
    assert tie is not None and tie.shared >= 1
    assert any("both at The Copper Kettle" in text for _t, text in sim.ties.history(a, b))
    talks = [ev for ev in events if isinstance(ev, ConversationHeld) and any("Party at" in t for _s, t in ev.lines)]
    assert talks, "someone said it out loud"


def test_word_of_mouth_replays_exactly(tmp_path: Path) -> None:
    path = tmp_path / "v.town"
    shutil.copy(WORLDS / "village.town", path)
    world = api.open_world(path)
    live = api.run_headless(world, ticks=600, seed=2, seed_facts=[("Sam Okafor", "Sam is running for mayor")])
    api.save_world(world, path)
    again = api.replay(api.open_world(path, with_history=True), to_tick=600, world_path=path)
    assert again["state_hash"] == live.state_hash


def test_cli_seed_fact_reports_diffusion_density_and_attendance(tmp_path: Path) -> None:
    path = tmp_path / "v.town"
    shutil.copy(WORLDS / "village.town", path)
    out = subprocess.run(
        [sys.executable, "-m", "app", "sim", str(path), "--sim-hours", "30", "--seed-fact", "Rosa", PARTY, "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=True,
    )
    report = json.loads(out.stdout)
    assert {"economy", "governance", "social", "diffusion", "density", "attendance"} <= set(report)
    assert {"gdp", "gini", "transactions"} <= set(report["economy"])
    assert {"proposals", "votes", "policies"} <= set(report["governance"])
    assert {"density", "communities"} <= set(report["social"])
    assert report["diffusion"][0]["kind"] == "event" and report["attendance"][0]["place"] == "The Copper Kettle"
    bad = subprocess.run([sys.executable, "-m", "app", "sim", str(path), "--ticks", "5", "--seed-fact", "Nobody", "hi"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode != 0 and "nobody called 'Nobody'" in bad.stderr


@pytest.mark.parametrize("who", ["0", "Rosa Alvarez", "rosa"])
def test_people_are_found_by_id_or_name(who: str) -> None:
    world = api.open_world(WORLDS / "village.town")
    assert world.people[api.find_person(world, who)].name == "Rosa Alvarez"


def test_news_goes_stale_after_a_week_and_is_fresh_again_when_time_goes_back(village_sim) -> None:
    """Which facts are still worth telling is worked out from the first that may be; stale ones are
    skipped from then on, so a later redo or a step back in time must bring them back."""
    sim = village_sim
    grapevine = sim.society.grapevine
    week = sim.clock.ticks_for(7 * 24 * 60)
    (_s, inverse, applied), _events = apply(sim, e.SeedFact(agent=0, text="The mill is for sale"))
    fact = applied.fact_id
    listener = next(p.id for p in sim.people if p.id != 0 and not grapevine.knows(fact, p.id))
    assert [f.id for f in grapevine.untold(0, listener, sim.tick + week - 1)] == [fact]
    assert grapevine.untold(0, listener, sim.tick + week) == []  # stale: a week old
    assert [f.id for f in grapevine.untold(0, listener, sim.tick)] == [fact]  # time went back
    grapevine.untold(0, listener, sim.tick + week)
    apply(sim, inverse)
    assert grapevine.untold(0, listener, sim.tick) == []  # taken back
    apply(sim, e.SeedFact(agent=0, text="The mill is for sale", fact_id=fact))
    assert [f.id for f in grapevine.untold(0, listener, sim.tick)] == [fact]


def test_two_who_share_news_bring_up_the_newest_they_both_know(village_sim) -> None:
    sim = village_sim
    grapevine = sim.society.grapevine
    texts = ["The mill is for sale", "The bakery has a new oven", "The river is high", "A fox was seen"]
    facts = [apply(sim, e.SeedFact(agent=0, text=text))[0][2].fact_id for text in texts]
    friend = sim.ties.closest(0, 1)[0]
    for fact in facts[:3]:  # the friend hears all but the newest
        grapevine.pass_on(fact, 0, friend, sim.tick, random.Random(fact))
    shared = [f.id for f in grapevine.live_shared(0, friend, sim.tick)]
    assert shared == facts[:3]  # oldest first
    assert [f.id for f in grapevine.live_shared(0, friend, sim.tick, newest=2)] == facts[1:3]
    assert [f.id for f in grapevine.live_shared(friend, 0, sim.tick, newest=5)] == facts[:3]
    topics = sim.society.shared_topics(0, friend, sim.tick)
    assert [t.facts["fact"] for t in topics if t.kind == "fact_both" and t.facts] == texts[1:3]


def test_a_checkpoint_keeps_each_facts_knowers_and_reads_the_older_columns_alike() -> None:
    """While a fact spreads the town holds only its knowers (whom, when, from whom), never a column over the
    whole town. A checkpoint takes them by person, so a fact passed on re-packs a few dozen rows; once most
    know it, the two columns (then the smaller). Restored, and from a state saved with only columns (as older
    files were), the town knows the same."""
    from engine.sim import state_codec
    from engine.sim.simulation import Simulation
    from engine.society.hearings import FIRST_ROWS

    world = api.new_world(300, seed=5, template="city")
    sim = Simulation(world, seed=5)
    grapevine = sim.society.grapevine
    mill, bridge = (apply(sim, e.SeedFact(agent=0, text=text))[0][2].fact_id
                    for text in ("The mill is for sale", "The bridge will close"))
    run(sim, 10)
    spreading = grapevine.hearings[mill]
    assert spreading.nbytes <= 2 * 12 * max(FIRST_ROWS, len(spreading))  # rows of three int32, room to double
    for person in range(len(sim.people)):  # the bridge is known by everyone (told by the first person)
        if not grapevine.knows(bridge, person):
            grapevine.pass_on(bridge, 0, person, sim.tick, random.Random(person))
    assert 1 < grapevine.knowers(mill) < 0.75 * len(sim.people) and grapevine.knowers(bridge) == len(sim.people)
    pieces = grapevine.get_state()["knowers"].pieces
    people, ticks, tellers = pieces[mill]
    assert len(people) == grapevine.knowers(mill) and (np.diff(people) > 0).all() and (ticks >= 0).all()
    assert tellers[people == 0].tolist() == [-1]  # the first person started it
    assert all(grapevine.knows(mill, p) == (p in people) for p in range(len(sim.people)))
    known = pieces[bridge]
    assert len(known) == 2 and all(len(column) == len(sim.people) for column in known)
    assert grapevine.hearings[bridge].nbytes == 12 * len(sim.people)  # only the piece, held once
    assert state_codec.digest(sim.get_state()) == sim.state_hash()

    state = state_codec.decode(state_codec.encode(sim.get_state()))
    heard, told = [], []
    for f in grapevine.facts:
        who, when, whom = grapevine.hearings[f.id].piece(len(sim.people)) if f.id != bridge else (
            np.arange(len(sim.people)), *known)
        heard.append(np.full(len(sim.people), -1, dtype=np.int64))
        told.append(np.full(len(sim.people), -1, dtype=np.int32))
        heard[-1][who], told[-1][who] = (when, whom) if f.id != bridge else (when[who], whom[who])
    for form in ("current", "older"):
        if form == "older":
            saved = state["society"]["grapevine"]
            del saved["knowers"]
            saved["heard"], saved["teller"] = heard, told
        again = Simulation(world, seed=5)
        again.set_state(state)
        restored = again.society.grapevine
        for f in grapevine.facts:
            assert all((kept == taken).all() for kept, taken in zip(restored.hearings[f.id].piece(len(sim.people)),
                                                                    pieces[f.id], strict=True)), form
            assert restored.heard_from(f.id, 7) == grapevine.heard_from(f.id, 7), form
        assert again.state_hash() == sim.state_hash(), form


def test_a_checkpoints_piece_of_a_fact_stays_as_taken_when_the_fact_moves_on() -> None:
    """A fact's piece is handed to checkpoints as it is; passing the fact on afterwards changes the town, not
    the piece a checkpoint holds (in either form), and the next checkpoint takes a new one. A fact nobody
    passed on since keeps its piece (a checkpoint reuses it)."""
    from engine.sim.simulation import Simulation

    sim = Simulation(api.open_world(WORLDS / "village.town"), seed=3)
    grapevine = sim.society.grapevine
    facts = [apply(sim, e.SeedFact(agent=0, text=text))[0][2].fact_id
             for text in ("The mill is for sale", "The bridge will close", "The well ran dry")]
    for person in range(1, len(sim.people) - 1):  # the second known by all but one: its columns are the piece
        grapevine.pass_on(facts[1], 0, person, sim.tick, random.Random(person))
    pieces = [grapevine.get_state()["knowers"].pieces[fact] for fact in facts]
    taken = [[column.copy() for column in piece] for piece in pieces]
    assert [len(piece) for piece in pieces] == [3, 2, 3]
    last = len(sim.people) - 1
    assert [grapevine.heard_from(fact, last) for fact in facts] == [-1, -1, -1]  # not yet heard
    for fact in facts[:2]:
        grapevine.pass_on(fact, 0, last, sim.tick + 1, random.Random(fact))
    assert all((column == kept).all() for piece, was in zip(pieces, taken, strict=True)
               for column, kept in zip(piece, was, strict=True))
    again = [grapevine.get_state()["knowers"].pieces[fact] for fact in facts]
    assert again[0] is not pieces[0] and again[1] is not pieces[1] and again[2] is pieces[2]
    assert again[1][0][last] == sim.tick + 1 and last in again[0][0].tolist()
    assert [grapevine.heard_from(fact, last) for fact in facts] == [0, 0, -1]


def test_a_saved_knower_who_is_nobody_is_refused() -> None:
    from engine.sim import state_codec
    from engine.sim.simulation import Simulation

    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=3)
    apply(sim, e.SeedFact(agent=0, text="The mill is for sale"))
    state = state_codec.decode(state_codec.encode(sim.get_state()))
    people, ticks, tellers = state["society"]["grapevine"]["knowers"][0]
    for damaged in ([people - 5, ticks, tellers], [people, ticks[:-1], tellers], [people], 7,
                    [people, ticks.astype(np.int64) + 2**40, tellers]):
        state["society"]["grapevine"]["knowers"][0] = damaged
        with pytest.raises(ValueError, match="word of mouth is damaged"):
            Simulation(world, seed=3).set_state(state)


def test_a_newcomer_has_heard_nothing_and_the_columns_grow_with_the_town() -> None:
    """Someone who joins after a fact most knew has not heard it, and the next checkpoint's columns cover them."""
    from engine.sim.simulation import Simulation

    sim = Simulation(api.open_world(WORLDS / "village.town"), seed=3)
    grapevine = sim.society.grapevine
    fact = apply(sim, e.SeedFact(agent=0, text="The bridge will close"))[0][2].fact_id
    for person in range(1, len(sim.people)):
        grapevine.pass_on(fact, 0, person, sim.tick, random.Random(person))
    before = grapevine.get_state()["knowers"].pieces[fact]
    (_, _, newcomer), _ = apply(sim, e.SpawnPerson(name="Ada Lovelace", occupation="baker"))
    after = grapevine.get_state()["knowers"].pieces[fact]
    assert len(before) == len(after) == 2 and len(after[0]) == len(before[0]) + 1 == len(sim.people)
    assert after[0][newcomer.person_id] == -1 and not grapevine.knows(fact, newcomer.person_id)
    assert grapevine.knowers(fact) == len(sim.people) - 1 and grapevine.heard_from(fact, newcomer.person_id) == -1
