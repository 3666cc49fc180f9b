"""God-mode edits through the engine thread: validation, inverses (undo), time travel, replay."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import api
from engine.contracts import CommandRejected, Seek, Step
from engine.contracts import edits as e
from engine.contracts.enums import Terrain
from engine.contracts.events import ChatReply, EditApplied, WorldEventHappened
from tests.conftest import WORLDS


class Engine:
    """A running village and a little helper to send a command and get its answers."""

    def __init__(self) -> None:
        self.handle = api.EngineHandle(api.open_world(WORLDS / "village.town"), embedder="hashing")
        self.handle.start()
        self.seen: list = []

    def send(self, command, timeout: float = 20.0) -> list:
        cid = self.handle.submit(command)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.seen.extend(self.handle.drain_events())
            answers = [x for x in self.seen if getattr(x, "command_id", None) == cid]
            if any(type(a).__name__ in ("CommandApplied", "CommandRejected") for a in answers):
                return answers
            time.sleep(0.01)
        raise AssertionError("no answer")

    def edit(self, command) -> EditApplied:
        answers = self.send(command)
        rejected = [a for a in answers if isinstance(a, CommandRejected)]
        assert not rejected, rejected[0].reason
        return next(a for a in answers if isinstance(a, EditApplied))

    def refused(self, command) -> str:
        return next(a.reason for a in self.send(command) if isinstance(a, CommandRejected))

    def undo(self, applied: EditApplied) -> EditApplied:
        return self.edit(api.edit_from_json(applied.inverse))

    @property
    def snapshot(self):
        return self.handle.latest_snapshot()

    def step(self, ticks: int) -> None:
        target = self.snapshot.tick + ticks
        self.send(Step(ticks=ticks))
        deadline = time.monotonic() + 30
        while self.snapshot.tick < target and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def engine():
    running = Engine()
    yield running
    running.handle.stop()


def free_spot(snapshot, width: int = 3, height: int = 3) -> tuple[int, int]:
    """A grass patch beside a road where a building may go."""
    terrain = snapshot.static.terrain
    taken = np.zeros_like(terrain, dtype=bool)
    for b in snapshot.static.buildings:
        taken[b.y : b.y + b.height, b.x : b.x + b.width] = True
    for y in range(1, terrain.shape[0] - height - 1):
        for x in range(1, terrain.shape[1] - width - 1):
            area = terrain[y : y + height, x : x + width]
            free = (area == Terrain.GRASS).all() and not taken[y : y + height, x : x + width].any()
            if free and (terrain[y + height, x : x + width] == Terrain.ROAD).any():
                return x, y
    raise AssertionError("no free spot")


def test_place_a_building_and_undo_it(engine):
    x, y = free_spot(engine.snapshot)
    placed = engine.edit(e.PlaceBuilding(type="cafe", x=x, y=y, name="Night Owl"))
    names = [b.name for b in engine.snapshot.static.buildings if not b.removed]
    assert "Night Owl" in names
    engine.undo(placed)
    assert "Night Owl" not in [b.name for b in engine.snapshot.static.buildings if not b.removed]


def test_refused_edits_say_why(engine):
    assert "water" in engine.refused(e.PlaceBuilding(type="home", x=40, y=5))
    assert "overlaps" in engine.refused(e.PlaceBuilding(type="home", x=5, y=5))
    assert "unknown building type" in engine.refused(e.PlaceBuilding(type="castle", x=1, y=1))
    assert "no person" in engine.refused(e.Whisper(agent=999, text="hi"))
    assert "a name" in engine.refused(e.SpawnPerson(name=""))


def test_moving_a_building_takes_its_occupants_along(engine):
    snapshot = engine.snapshot
    home = next(b for b in snapshot.static.buildings if b.name == "Hartley Cottage")
    x, y = free_spot(snapshot, home.width, home.height)
    moved = engine.edit(e.MoveBuilding(building=home.id, x=x, y=y))
    after = engine.snapshot
    inside = np.flatnonzero(after.location == home.id)
    assert len(inside) >= 1
    assert ((after.positions[inside, 0] >= x) & (after.positions[inside, 0] < x + home.width)).all()
    engine.undo(moved)
    back = next(b for b in engine.snapshot.static.buildings if b.id == home.id)
    assert (back.x, back.y) == (home.x, home.y)


def test_demolishing_a_home_moves_its_people_and_undo_brings_them_back(engine):
    snapshot = engine.snapshot
    home = next(b for b in snapshot.static.buildings if b.name == "Quinn Cottage")
    theo = next(p for p in snapshot.static.people if p.home == home.id)
    demolished = engine.edit(e.RemoveBuilding(building=home.id))
    after = engine.snapshot.static
    assert after.buildings[home.id].removed and after.people[theo.id].home != home.id
    engine.undo(demolished)
    assert engine.snapshot.static.people[theo.id].home == home.id


def test_painting_terrain_and_refusing_to_cut_a_door_off(engine):
    home = next(b for b in engine.snapshot.static.buildings if b.name == "Reyes House")
    ex, ey = home.entrance
    assert "door step" in engine.refused(e.PaintTerrain(cells=((ex, ey, int(Terrain.WATER)),)))
    painted = engine.edit(e.PaintTerrain(cells=((0, 0, int(Terrain.SAND)), (1, 0, int(Terrain.SAND)))))
    assert engine.snapshot.static.terrain[0, 1] == Terrain.SAND
    engine.undo(painted)
    assert engine.snapshot.static.terrain[0, 1] != Terrain.SAND


def test_spawn_teleport_edit_and_remove_a_person(engine):
    spawned = engine.edit(e.SpawnPerson(name="Ana Reyes", occupation="baker"))
    ana = next(p for p in engine.snapshot.static.people if p.name == "Ana Reyes")
    park = next(b for b in engine.snapshot.static.buildings if b.name == "Millpond Park")
    engine.edit(e.TeleportPerson(agent=ana.id, x=park.x + 1, y=park.y + 1))
    assert engine.snapshot.location[ana.id] == park.id
    engine.edit(e.EditPerson(agent=ana.id, age=33, money=12_345))
    assert engine.snapshot.static.people[ana.id].age == 33 and engine.snapshot.money[ana.id] == 12_345
    engine.undo(spawned)  # RemovePerson
    assert engine.snapshot.static.people[ana.id].removed


def test_memories_whispers_and_events_reach_the_right_people(engine):
    engine.step(30)
    whispered = engine.edit(e.Whisper(agent=0, text="Gus is not so bad after all"))
    fire = engine.snapshot.static.buildings[next(b.id for b in engine.snapshot.static.buildings if b.name == "Bramble Bakery")]
    event = engine.edit(e.InjectEvent(text="A fire breaks out at the bakery", x=fire.x, y=fire.y, radius=6))
    happened = next(x for x in engine.seen if isinstance(x, WorldEventHappened))
    distance = np.hypot(engine.snapshot.positions[:, 0] - fire.x - 0.5, engine.snapshot.positions[:, 1] - fire.y - 0.5)
    assert set(happened.witnesses) == set(np.flatnonzero(distance <= 6).tolist())
    from engine.contracts import MemoriesResult, QueryMemories

    answers = engine.send(QueryMemories(agent=0, text="Gus"))
    memories = next(a for a in answers if isinstance(a, MemoriesResult)).memories
    assert any("not so bad" in m.text and m.kind == "whisper" for m in memories)
    engine.undo(whispered)
    engine.undo(event)
    answers = engine.send(QueryMemories(agent=0, text="not so bad"))
    assert not next(a for a in answers if isinstance(a, MemoriesResult)).memories


def test_a_memory_edit_changes_retrieval(engine):
    from engine.contracts import MemoriesResult, QueryMemories

    engine.edit(e.AddMemory(agent=4, text="The lighthouse keeper owes me money", importance=9))
    engine.edit(e.AddMemory(agent=4, text="I bought flour on Tuesday", importance=2))
    first = engine.send(QueryMemories(agent=4, text="money owed", semantic=True, limit=2))
    top = next(a for a in first if isinstance(a, MemoriesResult)).memories[0]
    assert "owes me money" in top.text
    engine.edit(e.EditMemory(memory_id=top.id, text="I paid the baker for flour on Tuesday", importance=1))
    again = engine.send(QueryMemories(agent=4, text="lighthouse keeper owes money", semantic=True, limit=5))
    assert not any("owes me money" in m.text for m in next(a for a in again if isinstance(a, MemoriesResult)).memories)


def test_talk_to_anyone_on_the_rule_brain(engine):
    answers = engine.send(e.Chat(agent=0, text="What are you doing?"))
    reply = next(a for a in answers if isinstance(a, ChatReply))
    assert reply.thinking == "rule brain"
    assert "at home" in reply.reply or "The " in reply.reply  # it says where they are (home, or a place)


def test_an_edit_in_the_past_starts_a_branch_and_replays_exactly(engine):
    engine.step(120)
    engine.send(Seek(tick=60))
    x, y = free_spot(engine.snapshot)
    engine.edit(e.PlaceBuilding(type="shop", x=x, y=y, name="Time Shop"))
    timeline = engine.snapshot.timeline
    assert timeline.current != 0 and next(b for b in timeline.branches if b.id == timeline.current).fork_tick == 60
    engine.step(40)
    live_hash = engine.handle._sim.state_hash()  # the test may peek; the GUI may not
    engine.send(Seek(tick=75))
    engine.send(Seek(tick=100))
    assert engine.handle._sim.state_hash() == live_hash
    assert "Time Shop" in [b.name for b in engine.snapshot.static.buildings if not b.removed]
    engine.send(Seek(tick=60, exact=True))
