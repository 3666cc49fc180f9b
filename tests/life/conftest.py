"""A village on the rule brain with minds that remember (no model), and stepping helpers."""

from __future__ import annotations

from engine import api
from engine.contracts.events import Event
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS


def village(seed: int = 2, minds: bool = True) -> Simulation:
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=seed)
    if minds:
        attach_cognition(sim, api.LLMConfig(), InMemoryStore(HashingEmbedder(), world.tick_seconds), mode="lockstep")
    return sim


def run(sim: Simulation, minutes: int) -> list[Event]:
    events: list[Event] = []
    for _ in range(minutes * 60 // sim.clock.tick_seconds):
        events.extend(sim.step())
    return events


def run_until(sim: Simulation, day: int, minute: int) -> list[Event]:
    """Step to ``minute`` of sim day ``day``."""
    events: list[Event] = []
    while not (sim.clock.day(sim.tick) == day and sim.clock.minute_of_day(sim.tick) == minute):
        events.extend(sim.step())
    return events


def building(sim: Simulation, name: str) -> int:
    return next(b.id for b in sim.city.buildings if b.name == name)
