"""Helpers for the save tests: run the CLI, read what a saved pair (world file + memories) holds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from engine import api
from engine.llm.backend import LLMConfig
from engine.memory.deferred_store import DeferredStore
from engine.memory.types import MemoryStore
from engine.persistence.memory_files import memory_folder
from engine.persistence.memory_session import SessionMemory, open_session
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation

#: The command line of a small run that thinks (fake model) and remembers (offline hashing embedder).
THINKING = ("--brain", "fake", "--embedder", "hashing")


def townsfolk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300)


def sim_command(world: Path, ticks: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "app", "sim", str(world), "--ticks", str(ticks), *THINKING, "--save", str(out)]


@dataclass(frozen=True)
class PairContents:
    tick: int
    sim_state: bytes
    memories: tuple[tuple[int, int, int, str], ...]  # (id, agent, tick, text), by id
    warning: str | None


def read_pair(path: Path) -> PairContents:
    """Open ``path`` the way a run does and list every memory its session starts from."""
    world = api.open_world(path)
    session = open_session(world, path, "hashing")
    try:
        rows = []
        for agent in range(len(world.people)):
            rows += [(m.id, m.agent, m.tick, m.text) for m in session.store.all_for(agent, 100_000)]
        return PairContents(world.tick, world.sim_state or b"", tuple(sorted(rows)), session.warning)
    finally:
        session.close()


def thinking_world(ticks: int = 20) -> tuple[api.World, MemoryStore]:
    """A small village that has thought and remembered for ``ticks`` ticks, and its memory store."""
    world = api.new_world(12, seed=5, template="village")
    summary = api.run_headless(world, ticks, llm=api.LLMConfig(brain="fake"), embedder="hashing")
    assert summary.memory is not None and summary.memory.count() > 0
    return world, summary.memory


def village_holding_its_stream(path: Path) -> tuple[Simulation, SessionMemory]:
    """A new village saved at ``path`` and opened again with minds on the rule brain: its memory stream is
    held in RAM (``DeferredStore``) until something needs LanceDB."""
    api.save_world(api.new_world(12, seed=2, template="village"), path)
    world = api.load_world(path)
    session = open_session(world, path, "hashing")
    assert isinstance(session.store, DeferredStore)
    sim = Simulation(world)
    attach_cognition(sim, LLMConfig(), session.store)
    return sim, session


def fingerprint(world_path: Path) -> dict[str, bytes]:
    """Every byte of a world file and its memory folder, by relative path (to prove nothing changed)."""
    folder = world_path.parent
    files = [world_path, *(p for p in memory_folder(world_path).rglob("*") if p.is_file())]
    return {str(p.relative_to(folder)): p.read_bytes() for p in files if p.exists()}


def copy_pair(source: Path, target: Path) -> None:
    """``target`` becomes an exact copy of the world file ``source`` and its memory folder."""
    shutil.rmtree(memory_folder(target), ignore_errors=True)
    shutil.copy2(source, target)
    if memory_folder(source).is_dir():
        shutil.copytree(memory_folder(source), memory_folder(target))


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
