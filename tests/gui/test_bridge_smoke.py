"""The engine bridge against a real engine, and the --smoke-test command line."""

from __future__ import annotations

import os
import subprocess
import sys

from app.common.bridge import EngineBridge
from app.common.event_batch import EventBatch
from engine import api
from engine.contracts import (
    ActivityStarted,
    CommandApplied,
    CommandRejected,
    Event,
    SaveWorld,
    SetSpeed,
    Step,
    TimeJumped,
    WorldSaved,
)

from .conftest import wait_until


def test_a_batch_of_events_reaches_every_listener_as_the_same_list(app_qt) -> None:  # type: ignore[no-untyped-def]
    """Not converted to a Qt list and back for each listener: at max speed a poll brings 2,000 events
    to a dozen listeners, and each conversion held the GIL for milliseconds."""
    bridge = EngineBridge(interval_ms=10)
    received: list[object] = []
    for _ in range(3):
        bridge.events_arrived.connect(received.append)
        bridge.answers_arrived.connect(received.append)
    events = EventBatch([CommandApplied(1, 7, "ok")] * 2000)
    bridge.events_arrived.emit(events)
    bridge.answers_arrived.emit(events)
    assert len(received) == 6 and all(batch is events for batch in received)


def test_a_batch_hands_each_listener_the_kinds_it_asks_for_in_order() -> None:
    """A listener of a few rare kinds (answers, saves, jumps) among a tick's outcomes gets them without
    walking the batch; a batch without them answers at once."""
    saved, applied, jumped = WorldSaved(3, "w.town"), CommandApplied(4, 7, "ok"), TimeJumped(5, 0, 2, "seek")
    outcomes = [ActivityStarted(3, person, 1, 2, 9) for person in range(500)]
    batch = EventBatch([*outcomes[:200], saved, *outcomes[200:], jumped, applied])
    assert batch.only(TimeJumped, WorldSaved, CommandApplied) == [saved, jumped, applied], "in the engine's order"
    assert batch.only(TimeJumped) == [jumped] and batch.has(Event) and batch.has(WorldSaved)
    assert EventBatch(outcomes).only(TimeJumped, WorldSaved) == [] and not EventBatch(outcomes).has(TimeJumped)
    assert EventBatch().only(Event) == []


def test_bridge_relays_snapshots_events_and_answers(app_qt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    handle = api.EngineHandle(api.new_world(12, 1, "village"))
    bridge = EngineBridge(interval_ms=10)
    snapshots, batches, answers, saved, failed = [], [], [], [], []
    bridge.snapshot_changed.connect(snapshots.append)
    bridge.events_arrived.connect(batches.append)
    bridge.command_answered.connect(answers.append)
    bridge.world_saved.connect(saved.append)
    bridge.save_failed.connect(lambda p, r: failed.append((p, r)))
    handle.start()
    try:
        bridge.attach(handle)
        wait_until(lambda: snapshots, 10, "a first snapshot")
        speed = bridge.send(SetSpeed(ticks_per_second=0))
        step = bridge.send(Step(ticks=5))
        wait_until(lambda: bridge.latest.tick >= 5, 10, "five ticks")
        assert [s.tick for s in snapshots] == sorted(s.tick for s in snapshots)
        bad = bridge.send(Step(ticks=0))
        good = bridge.send(SaveWorld(path=str(tmp_path / "w.town")))
        broken = bridge.send(SaveWorld(path=str(tmp_path / "missing" / "dir" / "w.town")))
        wait_until(lambda: len(answers) >= 5, 10, "answers to every command")
        by_id = {a.command_id: a for a in answers}
        assert isinstance(by_id[speed], CommandApplied) and isinstance(by_id[step], CommandApplied)
        assert isinstance(by_id[bad], CommandRejected)
        assert isinstance(by_id[good], CommandApplied) and saved == [str(tmp_path / "w.town")]
        if isinstance(by_id[broken], CommandRejected):
            assert failed and failed[0][0].endswith("w.town")
        assert sum(len(b) for b in batches) > 0 and all(isinstance(b, EventBatch) for b in batches)
    finally:
        bridge.detach()
        handle.stop()


def test_smoke_test_command(worlds, tmp_path, app_qt) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "shot.png"
    env = dict(os.environ, TOWNSFOLK_CONFIG_DIR=str(tmp_path / "cfg"))
    env.pop("TOWNSFOLK_MAP_BACKEND", None)  # the backend the app picks by itself
    saved = tmp_path / "saved.town"
    result = subprocess.run([sys.executable, "-m", "app", "--smoke-test", str(out), "--world", str(worlds["town"]),
                             "--ticks", "20", "--save-to", str(saved)], env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    assert out.is_file() and out.stat().st_size > 10_000
    assert "smoke test ok" in result.stdout
    version = api.read_meta(saved)["x.memory_version"]  # the memories, written by a process of their own
    assert f"smoke test saved {saved} in " in result.stdout and (tmp_path / "saved.memory" / version).is_dir()
    failing = subprocess.run([sys.executable, "-m", "app", "--smoke-test", str(tmp_path / "no.png"), "--world",
                              str(worlds["broken"])], env=env, capture_output=True, text=True, timeout=120)
    assert failing.returncode == 1 and "broken.town" in failing.stderr
