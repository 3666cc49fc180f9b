"""What plugins declare, at work in a town: a building type placed with the core's edit that charges its visitors,
a policy councils can hold, an event kind the god's words name, an agenda that sends people somewhere."""

from __future__ import annotations

import types

import pytest

from engine import api
from engine.contracts.edits import InjectEvent, PlaceBuilding, SetPolicy
from engine.contracts.enums import Activity, BuildingType, Terrain
from engine.edits.apply import apply
from engine.plugins import BuildingKind, EventKind, PolicyKind, Registry, hookimpl
from engine.sim.simulation import Simulation
from engine.society.ledger import building as account

BATHS = BuildingKind("bathhouse", "bathhouse", BuildingType.PARK, width=3, height=3, capacity=30,
                     activity=Activity.LEISURE, price=450)
TOLL = PolicyKind("bath_hours", "bath hours", default=2, low=0, high=12, text=lambda v: f"baths open {v:g} h")
SPLASH = EventKind("splash", ("pool party",))


@hookimpl
def townsfolk_buildings():  # type: ignore[no-untyped-def]
    return [BATHS]


@hookimpl
def townsfolk_policies():  # type: ignore[no-untyped-def]
    return [TOLL]


@hookimpl
def townsfolk_event_kinds():  # type: ignore[no-untyped-def]
    return [SPLASH]


@hookimpl
def townsfolk_start(town):  # type: ignore[no-untyped-def]
    town.state["parties"] = 0


@hookimpl
def townsfolk_incident(town, incident, tick):  # type: ignore[no-untyped-def]
    if incident.kind == "splash":
        town.state["parties"] += 1
    return []


@hookimpl
def townsfolk_agenda(town, person, tick):  # type: ignore[no-untyped-def]
    baths = town.buildings_of("bathhouse")
    if baths and person % 3 == 0 and town.pop.activity[person] != Activity.SLEEP:
        return int(Activity.LEISURE), baths[0], tick + 30
    return None


def _registry() -> Registry:
    registry = Registry()
    registry.add("baths", types.SimpleNamespace(
        townsfolk_buildings=townsfolk_buildings, townsfolk_policies=townsfolk_policies,
        townsfolk_event_kinds=townsfolk_event_kinds, townsfolk_start=townsfolk_start,
        townsfolk_incident=townsfolk_incident, townsfolk_agenda=townsfolk_agenda), "2.0")
    return registry


def _free_spot(world: api.World) -> tuple[int, int]:
    city = world.city
    for y in range(1, city.height - 4):
        for x in range(1, city.width - 4):
            ground = city.terrain[y:y + 3, x:x + 3]
            beside = city.terrain[y + 3, x:x + 3]
            clear = not any(x < b.footprint.x + b.footprint.width and b.footprint.x < x + 3
                            and y < b.footprint.y + b.footprint.height and b.footprint.y < y + 3 for b in city.standing)
            if (ground == Terrain.GRASS).all() and (beside == Terrain.ROAD).any() and clear:
                return x, y
    raise AssertionError("no free spot")


@pytest.fixture
def baths_town(village: api.World) -> tuple[Simulation, int]:
    registry = _registry()
    assert api.use_plugins(village, ["baths"], registry=registry) == []
    sim = Simulation(village, plugins=registry)
    x, y = _free_spot(village)
    (_summary, _inverse, applied), _events = apply(sim, PlaceBuilding(type="bathhouse", x=x, y=y, width=3, height=3))
    return sim, applied.building_id


def test_a_building_of_a_plugins_kind_is_placed_by_the_core_edit_and_charges_its_visitors(
        baths_town: tuple[Simulation, int]) -> None:
    sim, baths = baths_town
    building = sim.city.buildings[baths]
    assert building.type == BuildingType.PARK and building.capacity == 30 and building.name == "New bathhouse"
    for _ in range(240):
        sim.step()
    assert sim.society.ledger.balance(account(baths)) > 0 and sim.society.ledger.balance(account(baths)) % 450 == 0
    assert sim.society.ledger.verify() == []


def test_a_plugins_policy_is_held_and_worded_by_the_council(baths_town: tuple[Simulation, int]) -> None:
    sim, _baths = baths_town
    apply(sim, SetPolicy(district=0, policy="bath_hours", value=6))
    assert sim.society.governance.policy(0, "bath_hours") == 6
    district = sim.city.districts[0].name
    assert sim.society.governance.summary()["policies"][district]["bath_hours"] == "baths open 6 h"
    with pytest.raises(ValueError, match="bath hours must be between 0 and 12"):
        apply(sim, SetPolicy(district=0, policy="bath_hours", value=40))


def test_an_event_kind_is_named_by_its_words(baths_town: tuple[Simulation, int]) -> None:
    sim, baths = baths_town
    x, y = sim.city.buildings[baths].entrance
    apply(sim, InjectEvent(text="A pool party tonight!", x=x, y=y))
    assert sim.society.incidents.items[-1].kind == "splash"
    assert sim.plugins.towns["baths"].state["parties"] == 1
    apply(sim, InjectEvent(text="A fire at the baths", x=x, y=y))  # the core's own kinds come first
    assert sim.society.incidents.items[-1].kind == "fire"
