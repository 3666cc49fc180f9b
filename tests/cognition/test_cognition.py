"""Cognition on the deterministic fake backend: plans, talks, reflections, budget, failure."""

from __future__ import annotations

import collections

import numpy as np

from engine import api
from engine.cognition import reflection
from engine.contracts.events import ConversationHeld, LLMStatusChanged, PlanMade, ReflectionMade
from engine.contracts.thinking import LLMErrorKind, ThoughtKind
from engine.llm.backend import ChatRequest, ChatResult, Health, LLMConfig, LLMError
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime.minds import attach_cognition, choose_minds
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS

DAY = 24 * 60


def thinking_village(brain: str = "fake", **config) -> tuple[Simulation, object]:
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=1)
    memory = InMemoryStore(HashingEmbedder(), world.tick_seconds)
    cognition = attach_cognition(sim, LLMConfig(brain=brain, **config), memory, mode="lockstep")
    return sim, cognition


def run(sim: Simulation, ticks: int) -> list:
    events = []
    for _ in range(ticks):
        events.extend(sim.step())
    return events


def test_a_thinking_day_plans_talks_and_reflects():
    sim, cognition = thinking_village()
    events = run(sim, DAY)
    cognition.close()
    kinds = collections.Counter(type(e).__name__ for e in events)
    grains = {e.grain for e in events if isinstance(e, PlanMade)}
    assert grains == {"day", "hours", "actions"}
    talks = [e for e in events if isinstance(e, ConversationHeld) and len(e.lines) >= 2]
    assert talks, "nobody talked on the model"
    assert kinds["ReflectionMade"] >= 1
    memory = cognition.ctx.memory
    for event in (e for e in events if isinstance(e, ReflectionMade)):
        cited = memory.get(list(event.evidence))
        assert len(cited) == len(event.evidence) and all(m.agent == event.agent for m in cited)


def test_calls_per_person_per_day_stay_far_below_the_original():
    sim, cognition = thinking_village()
    run(sim, DAY)
    cognition.close()
    per_person = cognition.status().stats["calls"] / len(sim.people)
    assert per_person <= 150


def test_lockstep_runs_are_reproducible():
    hashes = set()
    for _ in range(2):
        sim, cognition = thinking_village()
        run(sim, 300)
        cognition.close()
        hashes.add(sim.state_hash())
    assert len(hashes) == 1


def test_planned_people_follow_their_plan():
    sim, cognition = thinking_village()
    run(sim, 8 * 60)
    cognition.close()
    minds = cognition.ctx.minds.values()
    assert any(m.doing for m in minds), "nobody is doing a planned action"
    assert all(m.plan_day == 1 for m in minds if m.strokes)


def test_reflection_fires_at_the_threshold():
    sim, cognition = thinking_village()
    ctx = cognition.ctx
    mind = ctx.minds[0]
    run(sim, 4 * 60)  # something to reflect on
    while ctx.memory.count(0) < reflection.MIN_MEMORIES:
        run(sim, 10)
    while any(ctx.thinker.pending_for(0, kind) for kind in (ThoughtKind.REFLECT_QUESTIONS, ThoughtKind.REFLECT_INSIGHTS)):
        run(sim, 1)  # a reflection under way: let it land first
    mind.importance_since_reflection = reflection.THRESHOLD - 1
    assert not reflection.due(ctx, mind)
    ctx.remember(0, "event", "A fire broke out at the bakery", sim.tick)
    assert reflection.due(ctx, mind)
    events = run(sim, 3)
    cognition.close()
    assert mind.importance_since_reflection < reflection.THRESHOLD
    assert any(isinstance(e, ReflectionMade) and e.agent == 0 for e in events)


class DeadBackend:
    """Answers nothing: like an Ollama that is not running."""

    name = "dead"

    def __init__(self) -> None:
        self.up = False

    def chat(self, request: ChatRequest) -> ChatResult:
        if not self.up:
            raise LLMError(LLMErrorKind.UNAVAILABLE, "connection refused", advice="Start it with `ollama serve`.", backend="dead")
        return ChatResult({}, "{}", 1, 1, 0.0, "dead")

    def embed(self, texts):  # pragma: no cover - not used
        return np.zeros((len(texts), 8), dtype=np.float32)

    def health(self) -> Health:
        return Health("ready" if self.up else "no_server", "")

    def close(self) -> None:
        pass


def test_a_dead_backend_falls_back_to_rules_and_says_how_to_fix_it(monkeypatch):
    dead = DeadBackend()
    monkeypatch.setattr("engine.runtime.minds.make_backend", lambda config: dead)
    sim, cognition = thinking_village(brain="ollama")
    events = run(sim, 6 * 60)
    status = cognition.status()
    cognition.close()
    assert status.state == "no_server" and "ollama serve" in status.message
    assert any(isinstance(e, LLMStatusChanged) and e.state == "no_server" for e in events)
    assert status.stats["failures"] >= 1
    assert sim.metrics.conversations > 0  # life went on, on the rule brain
    assert sum(1 for e in events if isinstance(e, PlanMade)) == 0


def test_the_budget_caps_calls_per_sim_hour():
    sim, cognition = thinking_village(budget_per_hour=5)
    run(sim, 3 * 60)
    cognition.close()
    stats = cognition.status().stats
    assert stats["calls"] <= 5 * 4
    assert stats["fallbacks"] > 0


def test_choose_minds_spreads_over_a_big_town():
    assert choose_minds(25, 100) == list(range(25))
    minds = choose_minds(10_000, 100)
    assert len(minds) == 100 and minds[0] == 0 and minds[-1] > 9000


def test_watched_people_think_even_when_the_budget_is_spent():
    sim, cognition = thinking_village(budget_per_hour=2)
    watched = 7
    cognition.watch(watched)
    run(sim, 5 * 60)  # long enough for the watched one's morning to have a few decision points, whatever the plan
    cognition.close()
    answered = collections.Counter(r.agent for r in sim.world.thoughts if r.status == "ok")
    others = max(n for agent, n in answered.items() if agent != watched)
    assert answered[watched] > others
