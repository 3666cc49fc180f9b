"""Give a simulation minds: pick who thinks, build the backend, the thinker and the memory.

With the rule brain, minds still perceive and remember (importance by heuristic),
so the inspector's memories are never empty; only the language model is off.
The minds are built with everything they answer to: the thought economy, the
councils, and the god console's model round.
"""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Any

from engine.cognition import PROBE_EVERY_S, Cognition, MindContext, Thinker
from engine.contracts.thinking import ThoughtKind
from engine.edits import console_round
from engine.llm.backend import LLMConfig
from engine.llm.factory import make_backend
from engine.memory.types import MemoryStore, RetrievalWeights
from engine.sim.simulation import Simulation

DEFAULT_MAX_MINDS = 100
TOKENS_PER_MIND_HOUR = 600  # the default token budget: tokens per thinking person per sim hour, town-wide
REST_MINUTES = 30  # how long a person whose answers keep failing first rests from thinking
STALE_MINUTES = 5  # live: a background thought not answered within this many sim minutes is dropped, not applied late
class _Resume(Enum):
    SAVED = "saved"


SAVED = _Resume.SAVED  # resume the minds the simulation restored from its saved state


def choose_minds(population: int, max_minds: int) -> list[int]:
    """Everyone in a small town; in a big one, ``max_minds`` people spread evenly over the ids."""
    if population <= max_minds:
        return list(range(population))
    return sorted({round(i * population / max_minds) for i in range(max_minds)})


def attach_cognition(
    sim: Simulation, llm: LLMConfig, memory: MemoryStore, mode: str = "live",
    max_minds: int = DEFAULT_MAX_MINDS, latency_ticks: int = 1,
    state: dict[str, Any] | _Resume | None = SAVED,
) -> Cognition:
    """Minds for ``sim`` (replacing any it had). ``state``: the minds to resume (None: fresh ones;
    by default, those the simulation restored from its saved state, if any)."""
    backend = make_backend(llm)
    workers = max(1, llm.concurrency * max(1, len(llm.hosts)))
    probe = float(llm.extra.get("probe_every_s", PROBE_EVERY_S))
    minds = choose_minds(len(sim.people), max_minds)
    tokens = int(llm.extra.get("tokens_per_mind_hour", TOKENS_PER_MIND_HOUR)) * len(minds)
    stale = sim.clock.ticks_for(float(llm.extra.get("stale_minutes", STALE_MINUTES)))
    thinker = Thinker(backend, llm.model, llm.budget_per_hour, workers=workers, mode=mode, latency_ticks=latency_ticks,
                      probe_every_s=probe, tokens_per_hour=tokens, rest_ticks=sim.clock.ticks_for(REST_MINUTES),
                      stale_ticks=stale)
    weights = RetrievalWeights(**llm.extra.get("retrieval", {}))  # e.g. {"recency": 0.5, "importance": 3}
    ctx = MindContext(sim.city, sim.people, sim.pop, sim.clock, sim.ties, sim.brain, memory, thinker,
                      temperature=llm.temperature, weights=weights)
    cognition = Cognition(
        ctx, minds,
        may_think=sim.society.economy.may_think,  # the thought economy, when it is on
        on_civic=sim.society.civic_answer,  # votes and proposals thought on the model
        answers={ThoughtKind.CONSOLE: partial(console_round.answer, sim.world),  # the god console's wishes
                 ThoughtKind.ATTEND: sim.society.attend_answer},  # going to an event one heard of
    )
    sim.think_with(cognition, sim.pending_cognition_state if state is SAVED else state)
    return cognition
