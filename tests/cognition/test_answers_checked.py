"""Answers are checked before they touch the world; what fails is counted, and people who keep failing rest.

On the fake model with scripted answers: the nonsense a small model writes (numbers, the prompt read
back), one memory per conversation, news passing only when a line carries it, a mind deciding whether
to go to an event.
"""

from __future__ import annotations

import collections
from typing import Any

from engine import api
from engine.cognition import checks
from engine.contracts.edits import SeedFact
from engine.contracts.events import ConversationHeld, FactHeard
from engine.edits.apply import apply as apply_edit
from engine.llm.backend import ChatRequest, LLMConfig
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS


def scripted_village(script, seed: int = 1):
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=seed)
    cognition = attach_cognition(sim, LLMConfig(brain="fake"), InMemoryStore(HashingEmbedder(), world.tick_seconds),
                                 mode="lockstep")
    cognition.ctx.thinker.backend.script = script
    return sim, cognition


def is_turn(request: ChatRequest) -> bool:
    return "line" in request.schema.get("properties", {})


def test_nonsense_lines_never_reach_the_world_and_are_counted_as_fallbacks():
    sim, cognition = scripted_village(lambda r: {"line": "2, {n}L #0x738a5d54", "end": False, "warmth": 2}
                                      if is_turn(r) else None)
    events = [e for _ in range(6 * 60) for e in sim.step()]
    cognition.close()
    said = [line for e in events if isinstance(e, ConversationHeld) for _, line in e.lines]
    assert said, "nobody talked"
    assert not [line for line in said if "0x738a5d54" in line]
    stats = cognition.status().stats
    report = cognition.thinking_report()
    assert stats["rejected"] > 0 and report["fallback_reasons"][checks.NOT_WORDS] == stats["rejected"]
    assert report["by_kind"]["converse"]["rejected"] == stats["rejected"]
    assert all(r.status == "rejected" for r in sim.world.thoughts if r.kind == "converse")
    memories = [m.text for agent in cognition.ctx.minds for m in cognition.memory.recent(agent, 300)]
    assert not [m for m in memories if "0x738a5d54" in m], "a refused line was remembered"
    # Those whose lines kept failing rested instead of asking again at every meeting.
    asked = collections.Counter(r.agent for r in sim.world.thoughts if r.kind == "converse")
    assert max(asked.values()) <= 6


def test_a_plan_for_hours_gone_or_out_of_order_is_refused_and_the_rule_brain_plans():
    def backwards(request: ChatRequest) -> dict[str, Any] | None:
        hours = request.schema.get("properties", {}).get("plan", {}).get("properties")
        if not hours:
            return None
        first, *rest = list(hours)
        return {"plan": {rest[-1]: "stay home", first: "stay home"}}  # the last hour first

    sim, cognition = scripted_village(backwards)
    for _ in range(90):
        sim.step()
    cognition.close()
    assert cognition.thinking_report()["fallback_reasons"].get(checks.OUT_OF_ORDER, 0) > 0
    assert all(not m.hours for m in cognition.ctx.minds.values())
    assert all(m.retry_at > 0 for m in cognition.ctx.minds.values() if m.plan_day < 0)


def test_tokens_of_failed_calls_are_counted():
    sim, cognition = scripted_village(lambda r: {"rating": 7} if is_turn(r) else None)  # breaks the schema
    for _ in range(4 * 60):
        sim.step()
    cognition.close()
    stats = cognition.status().stats
    failed = [r for r in sim.world.thoughts if r.status == "failed"]
    assert failed and stats["failures"] == len(failed)
    assert stats["tokens"] == sum(r.prompt_tokens + r.completion_tokens for r in sim.world.thoughts
                                  if r.status != "cached")


def test_a_conversation_is_one_memory_for_each_side():
    sim, cognition = scripted_village(None)
    for _ in range(8 * 60):
        sim.step()
    cognition.close()
    kept = collections.Counter((m.agent, m.tick) for agent in cognition.ctx.minds
                               for m in cognition.memory.recent(agent, 500) if m.kind == "conversation")
    assert kept and set(kept.values()) == {1}
    assert not [m for agent in cognition.ctx.minds for m in cognition.memory.recent(agent, 500)
                if m.text.startswith("Chatted with") and any(
                    o.tick == m.tick and o.text.startswith("Talked with") for o in cognition.memory.recent(m.agent, 500))]


PARTY = "Rosa is throwing a party at The Copper Kettle tomorrow at 5pm"


def test_news_passes_between_minds_only_in_their_own_words_and_they_decide_whether_to_go():
    lines = ("Did you know Rosa throws a party at The Copper Kettle tomorrow?",
             "There is a party at The Copper Kettle tomorrow, Rosa says.",
             "Rosa invited the whole street to her party at the cafe tomorrow evening.",
             "Are you coming along to the Copper Kettle party tomorrow evening?")
    turn = [0]

    def tell_the_party(request: ChatRequest) -> dict[str, Any] | None:
        if is_turn(request):
            turn[0] += 1
            return {"line": lines[turn[0] % len(lines)], "end": False, "warmth": 1}
        if "go" in request.schema.get("properties", {}):
            return {"go": False}
        return None

    sim, cognition = scripted_village(tell_the_party)
    rosa = api.find_person(sim.world, "Rosa Alvarez")
    apply_edit(sim, SeedFact(agent=rosa, text=PARTY))
    events = [e for _ in range(10 * 60) for e in sim.step()]
    cognition.close()
    heard = [e for e in events if isinstance(e, FactHeard)]
    assert heard, "nobody heard of the party"
    minds_talks = [e for e in events if isinstance(e, ConversationHeld)
                   and any(line in lines for _, line in e.lines)]
    assert minds_talks
    canned = [line for e in minds_talks for _, line in e.lines if PARTY in line]
    assert not canned, "a talk on the model got the canned retelling"
    attend = [r for r in sim.world.thoughts if r.kind == "attend" and r.status == "ok"]
    assert attend, "nobody was asked whether they go"
    going = sim.society.grapevine.going
    assert not any(r.agent in members for members in going.values() for r in attend)
