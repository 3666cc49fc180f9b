"""A saved world's simulation opened only to look back (seek, switch branch): minds on recorded answers.

``townsfolk replay`` and branch comparisons both need it: the same cognition a world was saved with, fed
its recorded answers so no model is called, and closed again however the look ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.llm.backend import LLMConfig
from engine.persistence.memory_session import open_session
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from engine.state.world import World
from engine.timeline.machine import TimeMachine


@contextmanager
def looking_back(world: World, world_path: str | Path | None) -> Iterator[tuple[Simulation, TimeMachine]]:
    """The world's simulation and a time machine that takes no checkpoint of its own (it only looks)."""
    sim = Simulation(world, record_history=False)
    memory = None
    session = None
    if sim.pending_cognition_state is not None:
        session = open_session(world, world_path)
        memory = session.store
        attach_cognition(sim, LLMConfig(), memory, mode="lockstep")
    try:
        yield sim, TimeMachine(sim, memory, first_checkpoint=False)
    finally:
        if sim.cognition is not None:
            sim.cognition.close()
        if session is not None:
            session.close()
