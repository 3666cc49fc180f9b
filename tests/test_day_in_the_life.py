"""A full sim day of each sample world: is life plausible?"""

import numpy as np
import pytest

from engine import api
from engine.contracts.enums import Activity, BuildingType
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS

WEEKDAY_JOBS = {BuildingType.OFFICE, BuildingType.WORKSHOP, BuildingType.SCHOOL, BuildingType.TOWN_HALL}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["village.town", "city.town"])
def test_a_plausible_day(name: str):
    world = api.open_world(WORLDS / name)
    sim = Simulation(world, seed=7)
    city = world.city
    walkable = city.walkable_mask()
    people = world.people
    homes = np.array([p.home for p in people])
    at_work_during_hours = np.zeros(len(people), dtype=bool)
    weekday_workers = np.array([
        p.workplace >= 0 and city.buildings[p.workplace].type in WEEKDAY_JOBS for p in people
    ])
    for _ in range(24 * 60):  # Monday 06:00 to Tuesday 06:00
        sim.step()
        pop = sim.pop
        minute = sim.clock.minute_of_day(sim.tick)
        assert pop.needs.min() >= 0 and pop.needs.max() <= 1
        if minute == 3 * 60:  # the dead of night: everyone asleep, at home
            assert (pop.activity == Activity.SLEEP).all()
            assert (pop.location == homes).all()
        for person, p in enumerate(people):
            if p.workplace >= 0 and pop.location[person] == p.workplace:
                building = city.buildings[p.workplace]
                if pop.activity[person] in (Activity.WORK, Activity.STUDY):
                    assert building.is_open(minute) or building.type == BuildingType.PARK or minute < building.opens
                    at_work_during_hours[person] = True
        walking = np.flatnonzero(pop.moving)
        xs, ys = pop.xy[walking, 0].astype(int), pop.xy[walking, 1].astype(int)
        assert walkable[ys, xs].all(), "someone walked off the walkable grid"
    share = at_work_during_hours[weekday_workers].mean()
    assert share >= 0.95, f"only {share:.0%} of weekday workers and pupils got to work"
    assert not sim.pop.moving.any() or sim.pop.moving.sum() < len(people) * 0.05
    assert sim.metrics.conversations > len(people)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["village.town", "city.town"])
def test_one_seed_one_day(name: str):
    hashes = {api.run_headless(api.open_world(WORLDS / name), 24 * 60, seed=3).state_hash for _ in range(2)}
    assert len(hashes) == 1
