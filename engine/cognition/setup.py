"""Give a simulation minds: pick who thinks, build the backend, the thinker and the memory.

With the rule brain, minds still perceive and remember (importance by heuristic),
so the inspector's memories are never empty; only the language model is off.
"""

from __future__ import annotations

from engine.cognition.cognition import Cognition
from engine.cognition.context import MindContext
from engine.cognition.thinker import PROBE_EVERY_S, Thinker
from engine.llm.backend import LLMConfig
from engine.llm.factory import make_backend
from engine.memory.types import MemoryStore, RetrievalWeights
from engine.sim.simulation import Simulation

DEFAULT_MAX_MINDS = 100


def choose_minds(population: int, max_minds: int) -> list[int]:
    """Everyone in a small town; in a big one, ``max_minds`` people spread evenly over the ids."""
    if population <= max_minds:
        return list(range(population))
    return sorted({round(i * population / max_minds) for i in range(max_minds)})


def attach_cognition(
    sim: Simulation, llm: LLMConfig, memory: MemoryStore, mode: str = "live",
    max_minds: int = DEFAULT_MAX_MINDS, latency_ticks: int = 1,
) -> Cognition:
    backend = make_backend(llm)
    workers = max(1, llm.concurrency * max(1, len(llm.hosts)))
    probe = float(llm.extra.get("probe_every_s", PROBE_EVERY_S))
    thinker = Thinker(backend, llm.model, llm.budget_per_hour, workers=workers, mode=mode, latency_ticks=latency_ticks,
                      probe_every_s=probe)
    weights = RetrievalWeights(**llm.extra.get("retrieval", {}))  # e.g. {"recency": 0.5, "importance": 3}
    ctx = MindContext(sim.city, sim.people, sim.pop, sim.clock, sim.ties, sim.brain, memory, thinker,
                      temperature=llm.temperature, weights=weights)
    cognition = Cognition(ctx, choose_minds(len(sim.people), max_minds))
    sim.cognition = cognition
    cognition.may_think = sim.society.economy.may_think  # the thought economy, when it is on
    cognition.on_civic = sim.society.civic_answer  # votes and proposals thought on the model
    pending = sim.pending_cognition_state
    if pending is not None:
        cognition.set_state(pending)
    return cognition
