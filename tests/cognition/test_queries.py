"""The inspector's reads: memories by page, words, meaning, kind and id; the mind report."""

from __future__ import annotations

from engine import api
from engine.cognition import REFLECTION_THRESHOLD
from engine.contracts import MindReport, QueryMemories, QueryMind
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime import queries
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS


def thinking_village() -> Simulation:
    sim = Simulation(api.open_world(WORLDS / "village.town"), seed=1)
    attach_cognition(sim, api.LLMConfig(brain="fake"), InMemoryStore(HashingEmbedder(), 60), mode="lockstep")
    for _ in range(16 * 60):
        sim.step()
    sim.cognition.close()
    return sim


def test_memory_queries_page_filter_and_count():
    sim = thinking_village()
    cognition, tick = sim.cognition, sim.tick
    everything = queries.memories(cognition, QueryMemories(agent=0, limit=500), tick)
    assert everything.total == len(everything.memories) > 10
    page = queries.memories(cognition, QueryMemories(agent=0, limit=5, offset=5), tick)
    assert [m.id for m in page.memories] == [m.id for m in everything.memories[5:10]]
    words = queries.memories(cognition, QueryMemories(agent=0, text="Arrived", limit=3), tick)
    assert words.total >= len(words.memories) == 3 and all("arrived" in m.text.lower() for m in words.memories)
    plans = queries.memories(cognition, QueryMemories(agent=0, kind="plan", limit=500), tick)
    assert plans.total >= 1 and all(m.kind == "plan" for m in plans.memories)
    chosen = [m.id for m in everything.memories[:3]]
    by_id = queries.memories(cognition, QueryMemories(agent=0, ids=tuple(chosen)), tick)
    assert sorted(m.id for m in by_id.memories) == sorted(chosen)
    ranked = queries.memories(cognition, QueryMemories(agent=0, text="my plan for today", semantic=True, limit=4), tick)
    assert len(ranked.memories) == 4 and ranked.memories[0].score >= ranked.memories[-1].score


def test_mind_report_says_the_threshold():
    sim = thinking_village()
    report = queries.mind_report(sim.cognition, QueryMind(agent=0), sim.tick)
    assert isinstance(report, MindReport) and report.has_mind and report.reflection_threshold == REFLECTION_THRESHOLD
