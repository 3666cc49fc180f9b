"""A long run holds a window of history, not all of it, and every tick can still be replayed exactly."""

from __future__ import annotations

from pathlib import Path

from engine import api
from engine.api import _make_edit
from engine.contracts.edits import SeedFact
from engine.contracts.events import ActivityStarted, EditMade
from engine.sim.metrics import OLD_SAMPLE_EVERY, SAMPLE_EVERY
from engine.sim.simulation import Simulation
from engine.state.world import HISTORY_DAYS_KEPT
from engine.timeline.machine import TimeMachine
from engine.timeline.thinning import thin
from tests.conftest import WORLDS

DAY = 24 * 60


def four_days_with_an_edit() -> tuple[Simulation, TimeMachine]:
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=4)
    machine = TimeMachine(sim, every_minutes=30)
    for tick in range(4 * DAY):
        if tick == 100:  # an input a replay needs, on day 1: it must outlive the window
            _make_edit(sim, machine, SeedFact(agent=3, text="The river is rising"))
        sim.step()
        machine.after_step()
    return sim, machine


def test_outcomes_older_than_the_window_are_dropped_and_inputs_kept(tmp_path: Path):
    sim, _machine = four_days_with_an_edit()
    day_start = sim.tick - sim.clock.minute_of_day(sim.tick)
    oldest = day_start - HISTORY_DAYS_KEPT * DAY
    history = list(sim.world.history)
    assert all(e.tick >= oldest for e in history if not isinstance(e, EditMade))
    assert any(isinstance(e, ActivityStarted) and e.tick < day_start for e in history)  # yesterday is whole
    assert [e.tick for e in history if isinstance(e, EditMade)] == [100]
    assert list(sim.world.timeline.line_events()) == history
    path = tmp_path / "long.town"
    sim.freeze()
    api.save_world(sim.world, path)
    assert api.open_world(path).history == history  # the file holds the same window


def test_a_tick_before_the_window_replays_exactly():
    sim, machine = four_days_with_an_edit()
    checkpoints = machine.timeline.line_checkpoints()
    first, second = checkpoints[0], next(c for c in checkpoints if c.tick > 6 * 60)  # over the edit at 100
    assert second.tick < DAY  # day 1: its outcomes are no longer held
    machine.replay_from(first, second.tick)
    assert sim.state_hash() == second.state_hash


def test_old_curves_are_hourly_and_recent_ones_every_ten_minutes():
    sim, _machine = four_days_with_an_edit()
    ticks = [int(row[0]) for row in sim.metrics.samples]
    recent = [t for t in ticks if t >= 3 * DAY]
    old = [t for t in ticks if t < DAY]
    assert old and all(t % OLD_SAMPLE_EVERY == 0 for t in old)
    assert recent[1] - recent[0] == SAMPLE_EVERY
    assert ticks == sorted(ticks)


def test_a_month_of_checkpoints_is_thinned_to_about_sixty():
    sim, machine = four_days_with_an_edit()
    template = machine.timeline.checkpoints[-1]
    month = [type(template)(i, 0, i * 30, "auto", "", "", "", size=1) for i in range(30 * 48)]
    kept = thin(month, sim.clock.minutes_per_tick, 10**9)
    assert len(kept) <= 4 + 24 + 7 * 4 + 23 + 2
