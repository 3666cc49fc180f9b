"""Checkpoints, exact replay, branches — the rule brain and the (recorded) fake LLM."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine import api
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime.minds import attach_cognition
from engine.sim import state_codec
from engine.sim.simulation import Simulation
from engine.timeline.machine import TimeMachine
from tests.conftest import WORLDS


def village(thinking: bool) -> tuple[Simulation, TimeMachine]:
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=5)
    memory = None
    if thinking:
        memory = InMemoryStore(HashingEmbedder(), world.tick_seconds)
        attach_cognition(sim, api.LLMConfig(brain="fake"), memory, mode="lockstep")
    return sim, TimeMachine(sim, memory, every_minutes=30)


def live(sim: Simulation, machine: TimeMachine, ticks: int) -> None:
    for _ in range(ticks):
        machine.before_change()
        sim.step()
        machine.after_step()


@pytest.mark.parametrize("thinking", [False, True])
def test_replay_equals_live_at_every_checkpoint(thinking: bool):
    sim, machine = village(thinking)
    live(sim, machine, 6 * 60)
    checkpoints = machine.timeline.line_checkpoints()
    assert len(checkpoints) >= 6
    for earlier, later in itertools.pairwise(checkpoints):
        machine.replay_from(earlier, later.tick)
        assert sim.state_hash() == later.state_hash, f"replay from {earlier.tick} diverged by {later.tick}"
    if sim.cognition:
        sim.cognition.close()


def test_restore_gives_the_same_hash():
    sim, machine = village(False)
    live(sim, machine, 100)
    checkpoint = machine.checkpoint("user", "lunch")
    live(sim, machine, 50)
    assert sim.state_hash() != checkpoint.state_hash
    machine.restore(checkpoint)
    assert sim.state_hash() == checkpoint.state_hash


def test_seek_to_any_tick_matches_a_straight_run():
    sim, machine = village(True)
    live(sim, machine, 200)
    machine.seek(137)
    sim.cognition.close()
    straight, _ = village(True)
    for _ in range(137):
        straight.step()
    straight.cognition.close()
    assert sim.tick == 137 and sim.state_hash() == straight.state_hash()


def test_branching_keeps_both_futures():
    sim, machine = village(False)
    live(sim, machine, 240)
    old_future_hash = sim.state_hash()
    old_events = len(sim.world.history)
    machine.seek(100)
    sim.reseed(99)  # a different future from here on
    live(sim, machine, 80)
    timeline = machine.timeline
    assert timeline.current != 0 and timeline.branches[timeline.current].fork_tick == 100
    assert all(e.tick <= 180 for e in sim.world.history)
    new_hash = sim.state_hash()
    machine.switch(0)
    assert sim.tick == 240 and sim.state_hash() == old_future_hash
    assert len(sim.world.history) == old_events
    branch = max(timeline.branches)
    machine.switch(branch)
    assert sim.tick == 180 and sim.state_hash() == new_hash


def test_memories_are_restored_with_the_tick():
    sim, machine = village(True)
    live(sim, machine, 120)
    memory = sim.cognition.ctx.memory
    before = {a: memory.count(a) for a in range(len(sim.people))}
    live(sim, machine, 120)
    assert sum(memory.count(a) for a in range(len(sim.people))) > sum(before.values())
    machine.seek(120)
    sim.cognition.close()
    assert {a: memory.count(a) for a in range(len(sim.people))} == before
    for agent in range(len(sim.people)):
        for scored in memory.retrieve(agent, "plans for today", 120, k=20, update_access=False):
            assert scored.memory.tick <= 120, "a memory from the abandoned future leaked into retrieval"


def test_timeline_survives_the_world_file(tmp_path):
    sim, machine = village(True)
    live(sim, machine, 150)
    machine.seek(70)
    live(sim, machine, 30)  # a branch
    sim.cognition.close()
    sim.freeze()
    api.save_world(sim.world, tmp_path / "t.town", memory=sim.cognition.ctx.memory)
    loaded = api.open_world(tmp_path / "t.town")
    original = sim.world.timeline
    assert loaded.timeline.current == original.current
    assert {b.id: vars(b) for b in loaded.timeline.branches.values()} == {b.id: vars(b) for b in original.branches.values()}
    assert [c.state_hash for c in loaded.timeline.checkpoints] == [c.state_hash for c in original.checkpoints]
    assert loaded.history == sim.world.history
    assert [vars(t) for t in loaded.thoughts] == [vars(t) for t in sim.world.thoughts]
    other = original.line_events(0)
    assert loaded.timeline.line_events(0) == other


def test_checkpoints_are_small_and_thinned():
    sim, machine = village(False)
    live(sim, machine, 2 * 24 * 60)
    checkpoints = machine.timeline.line_checkpoints()
    ticks = [c.tick for c in checkpoints]
    recent = [t for t in ticks if t >= sim.tick - 120]
    assert len(recent) >= 4  # every 30 minutes lately
    old = [t for t in ticks if t < sim.tick - 24 * 60]
    assert len(old) <= 6  # sparse long ago
    assert max(c.size for c in checkpoints) < 1_000_000
    assert state_codec.decode(machine.timeline.state_of(checkpoints[-1]))["tick"] == checkpoints[-1].tick


def test_thinning_respects_the_budget_and_keeps_protected():
    sim, machine = village(False)
    live(sim, machine, 60)
    machine.checkpoint("user", "keep me")
    machine.budget_bytes = 1  # absurdly small: only protected and first ones survive
    live(sim, machine, 120)
    kinds = [c.kind for c in machine.timeline.checkpoints]
    assert "user" in kinds and len(kinds) <= 4


def test_seeking_outside_the_branch_is_refused():
    sim, machine = village(False)
    live(sim, machine, 30)
    with pytest.raises(ValueError, match="not on this branch"):
        machine.seek(500)
    with pytest.raises(ValueError, match="main branch"):
        machine.timeline.delete(0)


def test_positions_differ_between_branches():
    sim, machine = village(False)
    live(sim, machine, 200)
    machine.seek(50)
    sim.reseed(1234)
    live(sim, machine, 150)
    mine = sim.pop.xy.copy()
    machine.switch(0)
    machine.seek(200)
    assert not np.array_equal(mine, sim.pop.xy)
