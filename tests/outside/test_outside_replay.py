"""Outside-driven people in the engine itself: decisions held, answered, refused, and replayed exactly."""

from __future__ import annotations

import json
import time

from engine.contracts.events import ConversationHeld, OutsideDecided
from engine.sim.simulation import Simulation
from engine.state.world import World
from engine.timeline.machine import TimeMachine


def _answer(sim: Simulation, agent: int, actions: list[dict[str, object]]) -> None:
    waiting = sim.outside.exchange.waiting(agent)
    assert waiting is not None, "the person should be waiting on a decision"
    sim.outside.answer(agent, waiting.decision, json.dumps(actions), time.monotonic())


def _run_until_waiting(sim: Simulation, agent: int, limit: int = 300) -> None:
    for _ in range(limit):
        if sim.outside.exchange.waiting(agent) is not None:
            return
        sim.step()
    raise AssertionError(f"person {agent} never reached a decision point")


def test_decisions_are_done_refused_and_replayed_bit_for_bit(village: World) -> None:
    sim = Simulation(village, seed=5)
    machine = TimeMachine(sim)
    agent = 0
    sim.outside.request_claim(agent, True, "program", 30.0)
    _run_until_waiting(sim, agent)
    seen = sim.outside.exchange.waiting(agent)
    assert seen is not None and seen.perception["name"] == village.people[agent].name
    shop = next(b.id for b in village.city.buildings if b.type.name.lower() == "cafe")
    _answer(sim, agent, [{"type": "go_to", "place": shop, "activity": "eat", "minutes": 40},
                         {"type": "plan", "text": "Coffee first."}])
    events = sim.step()
    decided = [e for e in events if isinstance(e, OutsideDecided)]
    assert decided and decided[0].status == "ok"
    assert int(sim.pop.destination[agent]) == shop or int(sim.pop.location[agent]) == shop
    _run_until_waiting(sim, agent, 2000)
    _answer(sim, agent, [{"type": "say_to", "person": 10_000, "text": "hello"}])  # nobody of that id in sight
    events = sim.step()
    refused = [e for e in events if isinstance(e, OutsideDecided)]
    assert refused[0].status == "invalid" and "not here to talk to" in refused[0].reason
    assert sim.outside.counts["invalid"] == 1
    for _ in range(60):
        sim.step()
    live_tick, live_hash = sim.tick, sim.state_hash()
    assert any(isinstance(e, OutsideDecided) for e in village.history)
    machine.seek(0)
    machine.seek(live_tick)
    assert sim.tick == live_tick
    assert sim.state_hash() == live_hash


def test_someone_in_sight_answers_as_they_would_anyone(village: World) -> None:
    sim = Simulation(village, seed=5)
    agent = 3  # lives with family: others in sight at home at dawn
    sim.outside.request_claim(agent, True, "program", 30.0)
    _run_until_waiting(sim, agent)
    seen = sim.outside.exchange.waiting(agent)
    assert seen is not None and seen.perception["people"], "someone should be in sight at home"
    other = seen.perception["people"][0]["id"]
    _answer(sim, agent, [{"type": "say_to", "person": other, "text": "What are you up to today?"}])
    talks = [e for e in sim.step() if isinstance(e, ConversationHeld)]
    assert talks and talks[0].lines[0] == (0, "What are you up to today?") and talks[0].a == agent


def test_outside_decisions_survive_the_world_file(village: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine import api
    from engine.contracts.events import OutsideClaimed

    sim = Simulation(village, seed=5)
    sim.outside.request_claim(2, True, "program", 30.0)
    _run_until_waiting(sim, 2)
    _answer(sim, 2, [{"type": "do", "activity": "home", "minutes": 20}, {"type": "plan", "text": "A quiet day."}])
    for _ in range(5):
        sim.step()
    sim.freeze()
    path = tmp_path / "driven.town"
    api.save_world(village, path)
    loaded = api.open_world(path)
    kept = [e for e in loaded.history if isinstance(e, OutsideClaimed | OutsideDecided)]
    assert kept == [e for e in village.history if isinstance(e, OutsideClaimed | OutsideDecided)] and len(kept) == 2
    again = Simulation(loaded)
    assert again.outside.drives(2) and again.outside.plans[2] == "A quiet day."
    assert again.state_hash() == sim.state_hash()
