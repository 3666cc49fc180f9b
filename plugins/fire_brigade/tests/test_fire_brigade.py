"""Fire brigade, installed (``pip install -e plugins/fire_brigade``): its station, its crew at a fire, its funding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from townsfolk_fire_brigade import brigade
from townsfolk_fire_brigade.scenario import spots

from engine import api
from engine.contracts.edits import InjectEvent, PlaceBuilding, SetPolicy
from engine.contracts.enums import BuildingType
from engine.edits.apply import apply
from engine.edits.context import EditError
from engine.sim.simulation import Simulation

ROOT = Path(__file__).resolve().parents[3]
NOON = 360  # ticks from 06:00 on day 1


def _townsfolk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True, timeout=240,
                          check=False)


@pytest.fixture(scope="module")
def emberton(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fire") / "emberton.town"
    done = _townsfolk("new", str(out), "--scenario", "fire_brigade", "--seed", "2")
    assert done.returncode == 0, done.stderr
    return out


def _fire(sim: Simulation) -> int:
    cafe = next(b for b in sim.city.standing if b.type == BuildingType.CAFE)
    apply(sim, InjectEvent(text="A fire breaks out in the kitchen", x=cafe.entrance[0], y=cafe.entrance[1], radius=8))
    return len(sim.society.incidents.items) - 1


def _after_a_fire_at_noon(world: api.World, ticks: int = 180) -> Simulation:
    sim = Simulation(world)
    for _ in range(NOON):
        sim.step()
    _fire(sim)
    for _ in range(ticks):
        sim.step()
    return sim


def test_it_is_listed_with_what_it_adds() -> None:
    done = _townsfolk("plugins", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    plugin = next(p for p in listed["plugins"] if p["name"] == "fire_brigade")
    assert plugin["ok"] and plugin["adds"]["buildings"] == ["fire_station"]
    assert plugin["adds"]["policies"] == ["fire_brigade_funding"]
    assert any(s["key"] == "fire_brigade" and s["plugin"] == "fire_brigade" for s in listed["scenarios"])


def test_the_scenario_builds_a_station_with_the_core_edit(emberton: Path) -> None:
    world = api.open_world(emberton)
    station = [b for b in world.city.standing if b.name == "Emberton Fire Station"]
    assert len(station) == 1 and station[0].type == BuildingType.WORKSHOP and station[0].capacity == brigade.STATION.capacity
    assert api.world_plugins(world)["fire_brigade"]["version"] == "0.1.0"
    assert any(type(e).__name__ == "EditMade" and "fire_station" in e.edit for e in world.history)  # replays make it


def test_firefighters_put_a_fire_out_sooner_and_the_damage_costs_less(emberton: Path) -> None:
    answered = _after_a_fire_at_noon(api.open_world(emberton))
    unanswered_world = api.open_world(emberton)
    api.drop_plugins(unanswered_world, ["fire_brigade"])
    unanswered = _after_a_fire_at_noon(unanswered_world)
    fire, plain = answered.society.incidents.items[-1], unanswered.society.incidents.items[-1]
    assert fire.phase == plain.phase == "damaged"
    town = answered.plugins.towns["fire_brigade"]
    assert town.state["put_out"] == 1 and town.state["responses"][0] < 30
    assert fire.repair_total < plain.repair_total
    assert answered.metrics.latest["fire_brigade.fires_put_out"] == 1.0
    assert answered.state_hash() != unanswered.state_hash()


def test_the_councils_funding_sets_the_crew_and_pays_them(emberton: Path) -> None:
    world = api.open_world(emberton)
    sim = Simulation(world)
    sim.step()  # the roll is drawn up on the first tick after the station went up
    town = sim.plugins.towns["fire_brigade"]
    district = town.district_of(brigade.station(town))
    assert len(town.state["crew"]) == 2  # $600 a day: two firefighters
    apply(sim, SetPolicy(district=district, policy="fire_brigade_funding", value=150_000))
    assert sim.society.governance.summary()["policies"][sim.city.districts[district].name]["fire_brigade_funding"] \
        == "the fire brigade gets $1,500/day"
    treasury_before = sim.society.ledger.balance(town.treasury_account(district))
    for _ in range(18 * 60):  # past midnight
        sim.step()
    assert len(town.state["crew"]) == 5
    assert sim.society.ledger.verify() == []
    paid = [r for _i, r in sim.society.ledger.rows() if sim.society.ledger.kind_of(r) == "funding"
            and r[2] == town.treasury_account(district)]
    assert sum(r[4] for r in paid) >= 60_000 and sim.society.ledger.balance(town.treasury_account(district)) < treasury_before
    apply(sim, SetPolicy(district=district, policy="fire_brigade_funding", value=0))
    for _ in range(24 * 60):
        sim.step()
    assert town.state["crew"] == []
    with pytest.raises(ValueError, match="fire brigade funding must be between"):
        apply(sim, SetPolicy(district=district, policy="fire_brigade_funding", value=10_000_000))


def test_after_a_fire_residents_ask_the_council_for_more_funding(emberton: Path) -> None:
    sim = _after_a_fire_at_noon(api.open_world(emberton), ticks=36 * 60)
    asked = [p for p in sim.society.governance.view().proposals if p.policy == "fire_brigade_funding"]
    assert asked and asked[0].value > brigade.FUNDING.default and "fire" in asked[0].reason


def test_a_fire_station_is_a_building_type_only_while_the_plugin_runs() -> None:
    world = api.new_world(25, seed=3, template="village")
    x, y = spots(world, 4, 3)[0]
    edit = PlaceBuilding(type="fire_station", x=x, y=y, width=4, height=3)
    with pytest.raises(EditError, match="unknown building type 'fire_station'"):
        apply(Simulation(world), edit)
    assert api.use_plugins(world, ["fire_brigade"]) == []
    sim = Simulation(world)
    (summary, inverse, applied), _events = apply(sim, edit)
    assert summary == "built New fire station" and brigade.station(sim.plugins.towns["fire_brigade"]) == applied.building_id
    assert inverse is not None
    apply(sim, inverse)  # undone like any other building
    assert brigade.station(sim.plugins.towns["fire_brigade"]) == -1
