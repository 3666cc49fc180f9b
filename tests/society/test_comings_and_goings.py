"""People who leave town and come back (or are spawned again by a replay): the books, parties and property."""

from __future__ import annotations

import time

import pytest

from engine import api
from engine.contracts import Seek, Step
from engine.contracts import edits as e
from engine.edits.apply import apply
from engine.society import ledger as acct
from engine.society.society import open_with_extra
from tests.conftest import WORLDS
from tests.society.conftest import run


def test_leaving_and_coming_back_keeps_the_books(village_sim) -> None:
    sim = village_sim
    run(sim, 10)
    purse = int(sim.pop.money[4])
    apply(sim, e.RemovePerson(agent=4))
    run(sim, 14)
    apply(sim, e.RestorePerson(agent=4))
    assert int(sim.pop.money[4]) == purse  # their purse waited for them
    run(sim, 4)
    assert sim.society.ledger.verify() == []


def test_someone_who_left_goes_to_no_party(village_sim) -> None:
    sim = village_sim
    (_s, _i, seeded), _ev = apply(sim, e.SeedFact(agent=0, text="Party at The Copper Kettle today at 5pm"))
    grapevine = sim.society.grapevine
    grapevine.going[seeded.fact_id].add(6)
    apply(sim, e.RemovePerson(agent=6))
    wages_before = [row for _i, row in sim.society.ledger.rows() if row[3] == acct.person(6)]
    run(sim, 12)
    assert 6 not in grapevine.came.get(seeded.fact_id, set()) and sim.pop.location[6] == -1
    assert [row for _i, row in sim.society.ledger.rows() if row[3] == acct.person(6)] == wages_before


def test_the_estate_of_an_owner_who_left_goes_to_the_district_and_is_sold(village_sim) -> None:
    sim = village_sim
    economy = sim.society.economy
    prop = next(p for p in economy.properties.values() if p.owner >= 0 and economy._is_home(p.building)
                and any(t.home == p.building and t.id != p.owner and t.age >= 18 for t in sim.people))
    owner = prop.owner
    apply(sim, e.RemovePerson(agent=owner))
    district = economy.district(prop.building)
    treasury = sim.society.ledger.balance(acct.treasury(district))
    run(sim, 24)
    rents = [row for _i, row in sim.society.ledger.rows() if sim.society.ledger.kind_of(row) == "rent"]
    assert all(row[3] != acct.person(owner) for row in rents)
    assert sim.society.ledger.balance(acct.treasury(district)) != treasury
    assert prop.for_sale or prop.owner != owner
    assert sim.society.ledger.verify() == []


@pytest.mark.parametrize(("opens", "closes", "extra", "minute", "expected"), [
    (480, 1080, 0, 1079, True), (480, 1080, 0, 1080, False),
    (480, 1080, 60, 1130, True), (480, 1080, 60, 1140, False),  # an hour later
    (480, 1080, -120, 959, True), (480, 1080, -120, 960, False),  # two hours earlier
    (600, 1380, 120, 30, True), (600, 1380, 120, 60, False),  # later, past midnight
    (1200, 120, 60, 150, True), (1200, 120, -60, 90, False),  # open across midnight
    (0, 1440, 120, 300, True), (0, 1440, -60, 1400, False),  # always open; an earlier close
])
def test_opening_hours_move_with_the_policy(opens, closes, extra, minute, expected) -> None:
    assert open_with_extra(opens, closes, extra, minute) is expected


def test_time_travel_over_a_spawn_replays_exactly() -> None:
    handle = api.EngineHandle.open(WORLDS / "village.town", seed=4)
    handle.start()
    try:
        _step(handle, 100)
        cid = handle.submit(e.SpawnPerson(name="Nell Harper", age=40, money=77_000))
        _wait(handle, lambda: any(getattr(ev, "command_id", None) == cid for ev in handle.drain_events()))
        _step(handle, 200)
        sim = handle._sim  # the test may peek; the GUI may not
        live = sim.state_hash()
        assert sim.society.ledger.verify() == []
        handle.submit(Seek(tick=50))
        _wait(handle, lambda: handle.latest_snapshot().tick == 50)
        handle.submit(Seek(tick=handle.latest_snapshot().timeline.head))
        _wait(handle, lambda: handle.latest_snapshot().tick > 50)
        time.sleep(0.3)
        assert sim.state_hash() == live and sim.society.ledger.verify() == []
    finally:
        handle.stop()


def _step(handle, ticks: int) -> None:  # type: ignore[no-untyped-def]
    target = (handle.latest_snapshot().tick if handle.latest_snapshot() else 0) + ticks
    handle.submit(Step(ticks=ticks))
    _wait(handle, lambda: handle.latest_snapshot() is not None and handle.latest_snapshot().tick >= target)


def _wait(handle, condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")
