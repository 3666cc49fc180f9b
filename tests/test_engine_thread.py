"""The engine thread through its public handle: commands in, snapshots and events out."""

import time

import pytest

from engine import api
from engine.contracts import CommandApplied, CommandRejected, Pause, Play, SaveWorld, SetSpeed, Step, WorldSaved
from engine.contracts.commands import Command


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("timed out")


@pytest.fixture
def handle(village):
    engine = api.EngineHandle(village)
    engine.start()
    yield engine
    engine.stop()
    assert not engine.alive


def events_for(handle, command_id, seen):
    seen.extend(handle.drain_events())
    return [e for e in seen if getattr(e, "command_id", None) == command_id]


def test_starts_paused_and_steps_exactly(handle):
    first = wait_for(handle.latest_snapshot)
    assert first.tick == 0 and not first.running
    handle.submit(Step(ticks=7))
    wait_for(lambda: handle.latest_snapshot().tick == 7)
    time.sleep(0.2)
    assert handle.latest_snapshot().tick == 7


def test_play_pause_and_speed(handle):
    handle.submit(SetSpeed(ticks_per_second=0))
    handle.submit(Play())
    wait_for(lambda: handle.latest_snapshot().tick > 200)
    handle.pause_and_wait()
    paused_at = handle.latest_snapshot().tick
    time.sleep(0.2)
    assert handle.latest_snapshot().tick == paused_at
    handle.submit(SetSpeed(ticks_per_second=20))
    handle.submit(Play())
    time.sleep(1.0)
    handle.pause_and_wait()
    ran = handle.latest_snapshot().tick - paused_at
    assert 8 <= ran <= 40  # paced, not flat out


def test_every_command_is_answered(handle):
    seen: list = []
    ok = handle.submit(Step(ticks=1))
    bad = handle.submit(Step(ticks=0))
    assert isinstance(wait_for(lambda: events_for(handle, ok, seen))[0], CommandApplied)
    rejected = wait_for(lambda: events_for(handle, bad, seen))[0]
    assert isinstance(rejected, CommandRejected) and "at least one tick" in rejected.reason


def test_unknown_commands_are_rejected(handle):
    from dataclasses import dataclass

    @dataclass(frozen=True, slots=True)
    class Teleport(Command):
        pass

    seen: list = []
    cid = handle.submit(Teleport())
    assert isinstance(wait_for(lambda: events_for(handle, cid, seen))[0], CommandRejected)


def test_save_from_the_engine_thread(handle, tmp_path):
    handle.submit(Step(ticks=30))
    wait_for(lambda: handle.latest_snapshot().tick == 30)
    seen: list = []
    cid = handle.submit(SaveWorld(path=str(tmp_path / "saved.town")))
    wait_for(lambda: events_for(handle, cid, seen))
    assert any(isinstance(e, WorldSaved) for e in seen)
    assert api.open_world(tmp_path / "saved.town").tick == 30


def test_failed_save_is_rejected_not_fatal(handle, tmp_path):
    seen: list = []
    cid = handle.submit(SaveWorld(path=str(tmp_path / "missing" / "x.town")))
    answer = wait_for(lambda: events_for(handle, cid, seen))[0]
    assert isinstance(answer, CommandRejected) and "does not exist" in answer.reason
    assert handle.alive


def test_snapshots_are_immutable_copies(handle):
    before = wait_for(handle.latest_snapshot)
    positions = before.positions.copy()
    handle.submit(Step(ticks=60))
    wait_for(lambda: handle.latest_snapshot().tick == 60)
    assert (before.positions == positions).all()
    assert before.tick == 0 and handle.latest_snapshot() is not before


def test_pause_command_is_acknowledged(handle):
    seen: list = []
    cid = handle.submit(Pause())
    assert isinstance(wait_for(lambda: events_for(handle, cid, seen))[0], CommandApplied)


def test_snapshots_follow_the_reader_not_the_ticks(handle):
    """At max speed a snapshot is built once the last was taken: with nobody reading, 200 ticks
    cost a handful, and the last tick's snapshot is there when the steps end."""
    wait_for(handle.latest_snapshot)
    outbox = handle._outbox
    before = outbox.snapshots
    handle.submit(SetSpeed(ticks_per_second=0))
    step = Step(ticks=200)
    handle.submit(step)
    wait_for(lambda: outbox.peek().tick == 200 and not outbox.peek().running, 60)
    assert outbox.snapshots - before < 20, f"{outbox.snapshots - before} snapshots for 200 unread ticks"
    assert [e.tick for e in handle.drain_events() if getattr(e, "command_id", None) == step.id]
    assert handle.latest_snapshot().tick == 200


def test_the_world_is_kept_out_of_the_collectors_walks_while_the_engine_runs(village):
    """A full collection would walk the whole world, holding the GIL (100 ms and more at the city): the engine
    freezes what survives a collection at its start and at each checkpoint, and lets it all go when it stops."""
    import gc

    engine = api.EngineHandle(village)
    engine.start()
    try:
        wait_for(engine.latest_snapshot)
        frozen_at_start = wait_for(gc.get_freeze_count)
        engine.submit(SetSpeed(ticks_per_second=0))
        engine.submit(Play())
        wait_for(lambda: engine.latest_snapshot().tick > 100)  # past some periodic checkpoints
        assert gc.get_freeze_count() >= frozen_at_start
    finally:
        engine.stop()
    assert gc.get_freeze_count() == 0


def test_the_society_view_is_rebuilt_every_so_often_while_running_and_at_once_when_paused(handle):
    """Talk changes the society's view every tick; rebuilt for every snapshot it cost the engine a sixth
    of its time beside the window. Running, snapshots share a view for a while; paused, it is current."""
    from engine.runtime.engine_thread import SOCIETY_REFRESH_S

    wait_for(handle.latest_snapshot)
    handle.submit(SetSpeed(ticks_per_second=0))
    handle.submit(Play())
    seen: dict[int, object] = {}
    started = time.monotonic()
    while time.monotonic() - started < 3 * SOCIETY_REFRESH_S:
        snapshot = handle.latest_snapshot()
        seen[snapshot.tick] = snapshot.society
        time.sleep(0.005)
    handle.pause_and_wait()
    views = {id(view) for view in seen.values()}
    assert len(seen) > 3 * len(views), f"{len(views)} views for {len(seen)} snapshots"
    paused = handle.latest_snapshot()
    assert paused.society is handle._sim.society.view(paused.tick)  # built for this tick, not an earlier one


def test_parts_the_reader_does_not_show_wait_until_it_does(handle):
    """The window with its social graph and society docks tabbed away reads neither the ties' table nor the
    society's view: while running, the engine leaves them as last built; shown again, they are rebuilt within
    a refresh; paused, they are current whatever the reader shows."""
    from engine.runtime.engine_thread import SOCIETY_REFRESH_S, TIES_REFRESH_S

    first = wait_for(handle.latest_snapshot)
    handle.read_only(())
    handle.submit(SetSpeed(ticks_per_second=0))
    handle.submit(Play())
    started = time.monotonic()
    seen = []
    while time.monotonic() - started < 2.5 * max(TIES_REFRESH_S, SOCIETY_REFRESH_S):
        seen.append(handle.latest_snapshot())
        time.sleep(0.01)
    assert seen[-1].tick > first.tick + 100 and handle._sim.ties.version != first.relationships.version
    assert {id(s.relationships) for s in seen} == {id(first.relationships)}  # talk changed ties; none rebuilt
    assert {id(s.society) for s in seen} == {id(first.society)}
    assert seen[-1].unread == ("relationships", "society")  # so a view shown again knows to wait for them
    handle.read_only(["relationships", "society"])
    shown = wait_for(lambda: (s := handle.latest_snapshot()).society is not first.society
                     and s.relationships is not first.relationships and s, timeout=3 * TIES_REFRESH_S)
    assert shown.relationships.version > first.relationships.version and shown.unread == ()
    handle.read_only(())
    handle.pause_and_wait()
    paused = handle.latest_snapshot()
    assert paused.relationships.version == handle._sim.ties.version
    assert paused.society is handle._sim.society.view(paused.tick)


def test_only_the_costly_parts_can_be_left_unread():
    from engine.runtime.mailbox import Outbox

    outbox = Outbox()
    assert outbox.reads("relationships") and outbox.reads("society")  # every part until the reader says
    with pytest.raises(ValueError, match="positions"):
        outbox.read_only(["positions"])
    outbox.read_only(["society"])
    assert outbox.reads("society") and not outbox.reads("relationships")
