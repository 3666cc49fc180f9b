"""What a long run holds in memory: a reopened town shares what its events and notes repeat, the trial
town of an opening is let go before the real one is built, and freed memory goes back to the system."""

from __future__ import annotations

import gc
import platform
from pathlib import Path

from engine import api
from engine.contracts.events import ActivityStarted
from engine.runtime import heap
from engine.sim.simulation import Simulation
from engine.timeline.machine import TimeMachine


def saved_city(tmp_path: Path, ticks: int = 900) -> tuple[Simulation, Path]:
    sim = Simulation(api.new_world(150, seed=6, template="city"), 6)
    machine = TimeMachine(sim)
    for _ in range(ticks):
        sim.step()
        machine.after_step()
    sim.freeze()
    path = tmp_path / "city.town"
    api.save_world(sim.world, path)
    return sim, path


def test_opening_lets_the_trial_town_go_before_the_real_one_is_built(tmp_path: Path):
    path = saved_city(tmp_path, 200)[1]
    gc.collect()  # the town that saved it
    # Towns other tests in this process still hold are not this opening's to let go.
    before = {id(o) for o in gc.get_objects() if isinstance(o, Simulation)}
    world = api.open_world(path)
    assert world.sim_state
    left = [o for o in gc.get_objects() if isinstance(o, Simulation) and id(o) not in before]
    assert not left  # not even as garbage waiting


def test_a_reopened_history_shares_its_equal_numbers_and_is_the_same(tmp_path: Path):
    sim, path = saved_city(tmp_path)
    reopened = api.open_world(path)
    assert reopened.history == sim.world.history
    started = [e for e in reopened.history if isinstance(e, ActivityStarted)]
    ticks = {}
    for event in started:
        assert ticks.setdefault(event.tick, event.tick) is event.tick  # one number per tick, as when they happened
    twin = Simulation(reopened)
    assert twin.state_hash() == sim.state_hash()
    texts = [text for (a, b), _tie in twin.ties.items() for _tick, text in twin.ties.history(a, b)]
    assert len({id(t) for t in texts}) == len(set(texts))  # a line said to several pairs is one string


def test_freed_memory_goes_back_to_the_system_where_the_c_library_can():
    assert (heap._trim is not None) == (platform.libc_ver()[0] == "glibc")
    heap.give_back()  # elsewhere it does nothing


def test_the_engine_hands_memory_back_after_every_few_settlings_not_each(monkeypatch):
    handed: list[int] = []
    monkeypatch.setattr(heap, "give_back", lambda: handed.append(1))
    monkeypatch.setattr(heap, "_since", heap.EVERY - 1)  # as at the start: the first settling hands back
    for _ in range(2 * heap.EVERY + 1):
        heap.now_and_then()
    assert len(handed) == 3  # the first, then every EVERY-th
