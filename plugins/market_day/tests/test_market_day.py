"""Market day, installed (``pip install -e plugins/market_day``): listed, run, and what it changes."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from townsfolk_market_day import market

from engine import api
from engine.contracts.edits import InjectEvent
from engine.contracts.enums import Activity
from engine.edits.apply import apply
from engine.sim.simulation import Simulation

ROOT = Path(__file__).resolve().parents[3]
OPENS = 120  # ticks from 06:00 to 08:00 on day 1, a Monday


def _townsfolk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True, timeout=240,
                          check=False)


def _village_with_market(monday: bool = True) -> api.World:
    world = api.new_world(40, seed=7, template="village")
    assert api.use_plugins(world, ["market_day"], settings={"market_day": {"weekday": 0}} if monday else None) == []
    return world


def test_it_is_listed_with_what_it_adds() -> None:
    done = _townsfolk("plugins", "--json")
    assert done.returncode == 0, done.stderr
    found = {p["name"]: p for p in json.loads(done.stdout)["plugins"]}
    plugin = found["market_day"]
    assert plugin["ok"] and plugin["version"] == "0.1.0"
    assert plugin["adds"]["metrics"] == ["market_day.price_index", "market_day.units_sold"]
    assert plugin["adds"]["events"] == ["market_day"] and plugin["adds"]["scenarios"] == ["market_town"]


def test_a_market_fills_the_plaza_and_money_changes_hands() -> None:
    world = _village_with_market()
    plain = api.new_world(40, seed=7, template="village")
    live, without = Simulation(world), Simulation(plain)
    town = live.plugins.towns["market_day"]
    site = town.state["site"]
    shoppers_with = shoppers_without = 0
    for _ in range(OPENS + 240):
        live.step()
        without.step()
        shoppers_with += int(((live.pop.location == site) & (live.pop.activity == Activity.SHOP)).sum())
        shoppers_without += int(((without.pop.location == site) & (without.pop.activity == Activity.SHOP)).sum())
    assert shoppers_without == 0 and shoppers_with > 0  # nobody shops at the town hall without a market
    assert town.state["units"] > 0 and town.state["turnover"] > 0
    holders = {s[market.HOLDER] for s in town.state["stalls"]}
    rows = [r for _i, r in live.society.ledger.rows() if r[3] in holders and r[2] not in holders]
    assert sum(r[4] for r in rows) >= town.state["turnover"]  # paid to the stallholders, through the ledger
    assert live.society.ledger.verify() == []  # and the books still balance


def test_prices_follow_supply_and_demand() -> None:
    sim = Simulation(_village_with_market())
    town = sim.plugins.towns["market_day"]
    while town.state["open_until"] < 0 or sim.tick < town.state["open_until"] - 1:
        sim.step()
    before = copy.deepcopy(town.state["stalls"])
    sim.step()  # the market packs up
    assert town.state["open_until"] == -1
    moved = 0
    for old, new in zip(before, town.state["stalls"], strict=True):
        sold, brought, price = old[market.SOLD], old[market.BROUGHT], old[market.PRICE]
        if sold >= brought:
            assert new[market.PRICE] > price and new[market.BROUGHT] > brought  # scarce: dearer, and more brought
        elif sold * 2 < brought:
            # left over: cheaper, and less brought (never below the stall's floor of 4, which a first stock may start under)
            assert new[market.PRICE] < price and new[market.BROUGHT] <= max(brought, 4)
        else:
            assert new[market.PRICE] == price
        moved += new[market.PRICE] != price
    assert moved > 0
    assert sim.metrics.latest["market_day.price_index"] == market.price_index(town.state) != 100.0


def test_sim_json_reports_the_market_and_its_metrics(tmp_path: Path) -> None:
    saved_village = tmp_path / "village.town"
    api.save_world(api.new_world(25, seed=3, template="village"), saved_village)
    done = _townsfolk("sim", str(saved_village), "--ticks", str(OPENS + 330), "--plugin", "market_day:weekday=0",
                      "--json", "--checkpoint-every", "0")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["plugins"]["active"] == {"market_day": "0.1.0"}
    assert report["plugins"]["market_day"]["markets"] == 1 and report["plugins"]["market_day"]["units_sold"] > 0
    assert "market_day.price_index" in report["metrics"] and "market_day.units_sold" in report["plugins"]["metrics"]


def test_an_injected_market_day_opens_the_stalls_at_once() -> None:
    sim = Simulation(_village_with_market(monday=False))  # Saturdays only: today is Monday
    for _ in range(300):
        sim.step()
    town = sim.plugins.towns["market_day"]
    assert town.state["open_until"] == -1
    hall = sim.city.buildings[town.state["site"]]
    apply(sim, InjectEvent(text="A farmers market on the plaza today!", x=hall.entrance[0], y=hall.entrance[1]))
    assert sim.society.incidents.items[-1].kind == "market_day" and town.state["open_until"] > sim.tick
    news = [e for e in sim.step() if type(e).__name__ == "PluginNews"]
    assert news == [] or news[0].plugin == "market_day"
    assert town.state["markets"] == 1


def test_the_market_town_scenario(tmp_path: Path) -> None:
    out = tmp_path / "marketon.town"
    done = _townsfolk("new", str(out), "--scenario", "market_town")
    assert done.returncode == 0, done.stderr
    world = api.open_world(out)
    assert world.city.name == "Marketon" and "market_day" in api.world_plugins(world)
    assert api.plugin_warnings(world) == []
    sim = Simulation(world)
    assert len(sim.society.grapevine.get_state()["facts"]) == 2  # the stallholders' word of the market


def test_minds_are_told_what_the_market_is() -> None:
    world = _village_with_market()
    summary = api.run_headless(world, OPENS + 120, llm=api.LLMConfig(brain="fake"), embedder="hashing",
                               checkpoint_minutes=0)
    memory = summary.memory
    assert memory is not None
    try:
        told = [p.id for p in world.people if memory.search_text(p.id, "a market fills the plaza")]
    finally:
        memory.close()
    assert told  # the shoppers the market sent remember what it is (a mind plans with its memories)
    assert summary.plugins is not None and summary.plugins["market_day"]["markets"] == 1
