"""The engine's public API: everything the Qt shell and the CLI may call.

``EngineHandle`` runs a world on the engine thread; the module functions do the
headless work (new, open, save, check, info, run) on the caller's thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from engine.contracts.commands import Command, Pause
from engine.contracts.events import Event
from engine.contracts.snapshots import WorldSnapshot
from engine.persistence.errors import WorldFileError
from engine.persistence.schema import SCHEMA_VERSION
from engine.persistence.world_file import load_world, read_meta, save_world
from engine.runtime.controller import StepController
from engine.runtime.engine_thread import EngineThread
from engine.runtime.mailbox import Inbox, Outbox
from engine.sim.clock import Clock
from engine.sim.simulation import Simulation
from engine.world.generator import TEMPLATES, generate
from engine.world.model import World
from engine.world.validation import find_problems

__all__ = [
    "SCHEMA_VERSION",
    "TEMPLATES",
    "EngineHandle",
    "RunSummary",
    "World",
    "WorldFileError",
    "check_world",
    "new_world",
    "open_world",
    "read_meta",
    "run_headless",
    "save_world",
    "world_info",
]


class EngineHandle:
    """A world running on its own thread. Talk to it only through these methods."""

    def __init__(self, world: World, seed: int | None = None, path: str | Path | None = None):
        self.path = Path(path) if path else None
        self._sim = Simulation(world, seed)
        self._inbox = Inbox()
        self._outbox = Outbox()
        self._controller = StepController()
        self._thread = EngineThread(self._sim, self._outbox, self._inbox, self._controller)

    @classmethod
    def open(cls, path: str | Path, seed: int | None = None) -> EngineHandle:
        return cls(load_world(path), seed, path)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._controller.stop()
        self._thread.join(timeout)

    def submit(self, command: Command) -> int:
        self._inbox.put(command)
        self._controller.poke()
        return command.id

    def latest_snapshot(self) -> WorldSnapshot | None:
        return self._outbox.latest()

    def drain_events(self, limit: int | None = None) -> list[Event]:
        return self._outbox.drain(limit)

    @property
    def alive(self) -> bool:
        return self._thread.alive

    @property
    def failure(self) -> BaseException | None:
        return self._thread.error

    def pause_and_wait(self, timeout: float = 5.0) -> None:
        """Pause and wait until the engine has acknowledged (for tests and shutdown)."""
        command = Pause()
        self.submit(command)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive:
            snapshot = self.latest_snapshot()
            if snapshot is not None and not snapshot.running:
                return
            time.sleep(0.01)


def new_world(agents: int, seed: int = 0, template: str = "city", name: str | None = None) -> World:
    return generate(agents, seed, template, name)


def open_world(path: str | Path, with_history: bool = True) -> World:
    return load_world(path, with_history)


def check_world(world: World) -> list[str]:
    return find_problems(world)


def world_info(world: World) -> dict[str, object]:
    clock = Clock(world.tick_seconds, world.start_minute)
    city = world.city
    return {
        "name": city.name,
        "agents": len(world.people),
        "people": [p.name for p in world.people],
        "buildings": len(city.buildings),
        "building_types": _count(b.type.label for b in city.buildings),
        "districts": [d.name for d in city.districts],
        "neighbourhoods": len(city.neighbourhoods),
        "map": {"width": city.width, "height": city.height},
        "relationships": len(world.relationships),
        "schema_version": SCHEMA_VERSION,
        "tick": world.tick,
        "sim_time": clock.text(world.tick),
        "events": len(world.history),
        "seed": world.seed,
    }


def _count(items) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return dict(sorted(counts.items()))


@dataclass
class RunSummary:
    ticks: int
    sim_time: str
    agents: int
    events: int
    conversations: int
    state_hash: str
    ticks_per_sec: float
    metrics: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        return dict(vars(self))


def run_headless(world: World, ticks: int, seed: int | None = None, keep_history: bool = True) -> RunSummary:
    """Run ``ticks`` ticks on this thread; the world (and its history) ends up advanced."""
    if ticks < 0:
        raise ValueError("ticks cannot be negative")
    sim = Simulation(world, seed, record_history=keep_history)
    events = 0
    conversations_before = sim.metrics.conversations
    started = time.perf_counter()
    for _ in range(ticks):
        events += len(sim.step())
    elapsed = time.perf_counter() - started
    sim.freeze()
    return RunSummary(
        ticks=ticks,
        sim_time=sim.clock.text(sim.tick),
        agents=len(world.people),
        events=events,
        conversations=sim.metrics.conversations - conversations_before,
        state_hash=sim.state_hash(),
        ticks_per_sec=round(ticks / elapsed, 1) if elapsed > 0 else 0.0,
        metrics=dict(sim.metrics.latest),
    )
