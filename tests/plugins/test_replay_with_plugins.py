"""With both example plugins on (installed: ``pip install -e plugins/NAME``, as scripts/bootstrap.sh does), a
replay reaches the same state as the live run, tick for tick, through a market, a fire and the brigade."""

from __future__ import annotations

from engine import api
from engine.api import _make_edit
from engine.contracts.edits import InjectEvent
from engine.contracts.enums import BuildingType
from engine.sim.simulation import Simulation
from engine.timeline.machine import TimeMachine

FIRE_AT = 250
END = 420


def test_replay_equals_live_with_market_day_and_fire_brigade() -> None:
    world = api.new_scenario_world("fire_brigade", seed=5)
    assert api.use_plugins(world, ["market_day"], settings={"market_day": {"weekday": 0}}) == []  # Monday's market
    sim = Simulation(world)
    assert sim.plugins.active == ["fire_brigade", "market_day"]
    machine = TimeMachine(sim, None, every_minutes=30)
    live: dict[int, str] = {}
    news = []
    for _ in range(END):
        if sim.tick == FIRE_AT:
            cafe = next(b for b in world.city.standing if b.type == BuildingType.CAFE)
            _make_edit(sim, machine, InjectEvent(text="A fire breaks out in the kitchen", x=cafe.entrance[0],
                                                 y=cafe.entrance[1], radius=10))
        news += [e.text for e in sim.step() if type(e).__name__ == "PluginNews"]
        machine.after_step()
        live[sim.tick] = sim.state_hash()
    machine.checkpoint("end")
    sim.freeze()
    assert any(line.startswith("Market day at") for line in news)
    assert any(line.startswith("The fire brigade reaches") for line in news)
    for tick in (FIRE_AT - 7, FIRE_AT + 3, FIRE_AT + 40, END - 11):  # each from the checkpoint before it
        replayed = api.replay(world, tick)
        assert replayed["replayed_ticks"] > 0
        assert replayed["state_hash"] == live[tick], f"replay to tick {tick} differs from the live run"
