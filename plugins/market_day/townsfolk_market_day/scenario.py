"""The market town: a village whose stallholders tell everyone about Saturday's market."""

from __future__ import annotations

from typing import Any

from engine.api import World, new_world
from engine.contracts.edits import SeedFact
from engine.plugins import Scenario


def _world(seed: int) -> World:
    return new_world(40, seed, "village", "Marketon")


def _setup(world: World) -> list[list[Any]]:
    """Each stallholder knows of the market and tells whoever they talk to."""
    adults = [p.id for p in world.people if not p.removed and 18 <= p.age < 75]
    adults.sort(key=lambda pid: (pid * 2654435761) % 4099)  # the stallholders the market will pick
    return [[SeedFact(agent=pid, text="There's a market on the plaza every Saturday morning, with fresh bread "
                                      "and honey")] for pid in adults[:2]]


SCENARIO = Scenario(
    "market_town", "Market town",
    "A village of 40 whose plaza holds a market every Saturday from 08:00 to 13:00. Six stalls sell bread, "
    "vegetables, cheese, honey, flowers and pottery; each sets next week's price from how this week sold.",
    _world, _setup,
    goals=("Keep the price index between 80 and 150 for four weeks",
           "Get a third of the town to the market on a Saturday"),
)
