"""Checkpoints' states live on disk (the world file, or a scratch file until the next save), never all in memory."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from engine import api
from engine.persistence import leftovers
from engine.persistence.checkpoint_file import CACHED_STATES, CheckpointFile
from engine.persistence.world_file import check_file
from engine.sim.simulation import Simulation
from engine.timeline.machine import TimeMachine
from tests.conftest import WORLDS


def running_village(ticks: int) -> tuple[Simulation, TimeMachine]:
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=3)
    machine = TimeMachine(sim, every_minutes=30)
    for _ in range(ticks):
        machine.before_change()
        sim.step()
        machine.after_step()
    return sim, machine


def test_a_run_holds_only_a_few_states_in_memory():
    sim, machine = running_village(8 * 60)
    timeline = machine.timeline
    states = timeline.states
    assert isinstance(states, CheckpointFile)
    assert len(timeline.checkpoints) >= 10
    assert states.held_bytes() == 0  # taking a checkpoint writes it to disk and keeps nothing
    for checkpoint in timeline.checkpoints:
        machine.restore(checkpoint)
        assert sim.state_hash() == checkpoint.state_hash
    biggest = max(c.size for c in timeline.checkpoints)
    assert 0 < states.held_bytes() <= CACHED_STATES * biggest
    assert states.spill is not None and states.spill.exists()


def test_thinned_checkpoints_leave_the_scratch_file():
    _sim, machine = running_village(30)
    states = machine.timeline.states
    assert isinstance(states, CheckpointFile)
    dropped = machine.timeline.checkpoints[-1]
    machine.timeline.keep_checkpoints(machine.timeline.checkpoints[:-1])
    assert states._conn is not None
    assert states._conn.execute("SELECT COUNT(*) FROM state WHERE id = ?", (dropped.id,)).fetchone()[0] == 0


def test_opening_reads_no_state_and_a_seek_reads_the_one_it_needs(tmp_path: Path):
    sim, machine = running_village(6 * 60)
    path = tmp_path / "v.town"
    sim.freeze()
    api.save_world(sim.world, path)
    states = machine.timeline.states
    assert isinstance(states, CheckpointFile) and states.spill is None  # all in the world file now
    assert states.source == path
    assert states.held_bytes() == 0  # the save's copy of every state kept none of them at hand

    world = api.open_world(path)
    opened = world.timeline.states
    assert isinstance(opened, CheckpointFile) and opened.held_bytes() == 0
    assert [c.size for c in world.timeline.checkpoints] == [c.size for c in machine.timeline.checkpoints]
    again = Simulation(world)
    looking = TimeMachine(again, first_checkpoint=False)
    target = world.timeline.checkpoints[2]
    looking.seek(target.tick)
    assert again.state_hash() == target.state_hash
    assert opened.held_bytes() == target.size


def test_reading_states_from_the_world_file_leaves_no_connection_open(tmp_path: Path):
    """A save reads every checkpoint's state back from the file: a connection left to the garbage collector kept
    its page cache (tens of MB at the peak of a long run's save)."""
    sim, machine = running_village(4 * 60)
    path = tmp_path / "v.town"
    sim.freeze()
    api.save_world(sim.world, path)
    states = machine.timeline.states
    assert isinstance(states, CheckpointFile) and states.source == path
    gc.collect()
    gc.disable()
    try:
        before = _open_connections()
        check_file(path)
        for checkpoint in machine.timeline.checkpoints:
            assert states.get(checkpoint.id, keep=False)
        assert _open_connections() == before
    finally:
        gc.enable()


def _open_connections() -> int:
    return sum(isinstance(o, sqlite3.Connection) for o in gc.get_objects())


def test_saving_over_the_file_it_reads_from_keeps_every_checkpoint(tmp_path: Path):
    sim, _machine = running_village(3 * 60)
    path = tmp_path / "v.town"
    sim.freeze()
    api.save_world(sim.world, path)
    world = api.open_world(path)
    again = Simulation(world)
    more = TimeMachine(again, every_minutes=30)
    for _ in range(2 * 60):  # new checkpoints beside the old ones, then saved over the file they came from
        again.step()
        more.after_step()
    again.freeze()
    api.save_world(world, path)
    reopened = api.open_world(path)
    assert [c.state_hash for c in reopened.timeline.checkpoints] == [c.state_hash for c in world.timeline.checkpoints]
    third = Simulation(reopened)
    looking = TimeMachine(third, first_checkpoint=False)
    for checkpoint in (reopened.timeline.checkpoints[0], reopened.timeline.checkpoints[-1]):
        looking.restore(checkpoint)
        assert third.state_hash() == checkpoint.state_hash


def test_a_killed_runs_scratch_file_is_swept(tmp_path: Path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead = tmp_path / f"{leftovers.CHECKPOINTS_PREFIX}p{int(gone.stdout)}-0000.db"
    dead.write_bytes(b"")
    mine = tmp_path / leftovers.owned_name(leftovers.CHECKPOINTS_PREFIX.rstrip("-"), ".db")
    mine.write_bytes(b"")
    leftovers.hold(mine.name)
    try:
        leftovers.sweep_scratch(tmp_path)
        assert not dead.exists()
        assert mine.exists()  # a live run's is left alone
    finally:
        leftovers.release(mine.name)
        os.remove(mine)


def transactions(statements: list[str]) -> list[list[str]]:
    """The statements grouped by transaction; fails on a change made outside one."""
    groups: list[list[str]] = []
    open_one: list[str] | None = None
    for statement in statements:
        word = statement.split()[0]
        if word == "BEGIN":
            assert open_one is None
            open_one = []
        elif word == "COMMIT":
            assert open_one is not None
            groups.append(open_one)
            open_one = None
        elif word in ("INSERT", "DELETE"):
            assert open_one is not None, f"outside a transaction: {statement[:60]}"
            open_one.append(statement)
    assert open_one is None
    return groups


def test_a_checkpoint_is_written_and_dropped_in_one_transaction_each():
    """A checkpoint's new pieces and its row go into the scratch file in one transaction: one a statement
    (the connection's default) was most of the writer thread's time. Dropping checkpoints is one too. The
    pieces go a few hundred rows to a statement: sqlite3 lets the GIL go around each statement's step."""
    sim, machine = running_village(30)
    states = machine.timeline.states
    assert isinstance(states, CheckpointFile)
    assert states._conn is not None
    statements: list[str] = []
    states._conn.set_trace_callback(statements.append)
    machine.checkpoint("mark")
    states.settle()
    written = transactions(statements)
    pieces = [s for group in written for s in group if s.startswith("INSERT INTO piece")]
    rows = sum(s.count("), (") + 1 for s in pieces)
    assert rows > 1 and len(pieces) == -(-rows // 250)  # as few statements as rows allow
    assert all(len([s for s in group if "INTO state" in s]) == 1 for group in written)  # a checkpoint each
    statements.clear()
    machine.timeline.keep_checkpoints(machine.timeline.checkpoints[:-2])
    dropped = transactions(statements)
    assert len(dropped) == 1 and any(s.startswith("DELETE FROM piece WHERE id IN") for s in dropped[0])
    for checkpoint in machine.timeline.checkpoints:  # what is left reads back whole
        machine.restore(checkpoint)
        assert sim.state_hash() == checkpoint.state_hash
