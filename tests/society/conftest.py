"""Society tests run on the hand-written village (25 people, two districts) and small generated cities."""

from __future__ import annotations

import pytest

from engine import api
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS


@pytest.fixture
def village_sim() -> Simulation:
    return Simulation(api.open_world(WORLDS / "village.town"), seed=3)


def run(sim: Simulation, hours: float) -> list:
    """Step ``hours`` of sim time; every event of the run."""
    events = []
    for _ in range(round(hours * 3600 / sim.clock.tick_seconds)):
        events.extend(sim.step())
    return events
