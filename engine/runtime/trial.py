"""Would this world run? The one checker behind both `townsfolk check` and opening a world.

A world can be well formed row by row and still not run: its saved engine state may
not fit its people, a building may stand off the map. ``world_problems`` lists the
problems ``engine.world.validation`` finds and, when there are none, builds the
world's simulation on a copy and runs it for a few ticks, so whatever passes here
opens and runs, and whatever would not is reported here first.
"""

from __future__ import annotations

import copy

from engine.llm.backend import LLMConfig
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime import collector
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from engine.state.relationships import Relationships
from engine.state.timeline import Timeline
from engine.state.world import World
from engine.world.validation import find_problems

TRIAL_TICKS = 2


def world_problems(world: World) -> list[str]:
    problems = find_problems(world)
    if problems:
        return problems  # the trial would only stumble over them again
    why = trial_run(world)
    return [why] if why else []


def trial_run(world: World, ticks: int = TRIAL_TICKS) -> str | None:
    """Why the world's saved state does not run, in one line; None when it ran ``ticks`` ticks."""
    trial = World(
        city=copy.deepcopy(world.city), people=copy.deepcopy(world.people),
        # The saved state brings its own ties; only a world without one runs on the rows' ties.
        relationships=Relationships() if world.sim_state else copy.deepcopy(world.relationships), seed=world.seed, tick=world.tick,
        tick_seconds=world.tick_seconds, start_minute=world.start_minute, sim_state=world.sim_state,
        meta=dict(world.meta), timeline=Timeline(), template=world.template,
    )
    try:
        return _run(trial, ticks)
    finally:
        # The trial town (as large as the real one, and full of cycles: a simulation and its parts point at
        # each other) is let go before the caller builds the real one, so that one reuses its memory instead
        # of the process holding both.
        del trial
        collector.collect()


def _run(trial: World, ticks: int) -> str | None:
    stage = "its saved engine state does not fit the world"
    try:
        sim = Simulation(trial, record_history=False)
        if sim.pending_cognition_state is not None:
            stage = "its saved thoughts do not fit the world"
            store = InMemoryStore(HashingEmbedder(16), trial.tick_seconds)
            cognition = attach_cognition(sim, LLMConfig(), store, mode="lockstep")
            cognition.close()
            sim.cognition = None
        stage = "it stops on its first ticks"
        for _ in range(ticks):
            sim.step()
        sim.state_hash()
    except Exception as exc:  # a hand-made state can break anywhere: say so, do not crash
        detail = str(exc).splitlines()[0][:160] if str(exc).strip() else ""
        return f"the world cannot run: {stage} ({type(exc).__name__}{': ' + detail if detail else ''})"
    return None
