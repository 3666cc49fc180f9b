"""What a plugin may add to a town, as plain declarations (frozen, so nothing shares mutable defaults).

A plugin returns these from its declaration hooks (``engine.plugins.hookspecs``); the
engine reads them once when the plugin loads and shows them in the plugin manager.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.contracts.enums import Activity, BuildingType


@dataclass(frozen=True, slots=True)
class BuildingKind:
    """A new kind of building, placed like any other (``build fire_station at 40,12``) on a core type's floor:
    ``base`` decides who works there and how the core treats it; the rest is what makes it itself."""

    key: str  # lower case, no spaces: what edits and the console call it
    label: str  # "fire station"
    base: BuildingType
    width: int = 3
    height: int = 3
    capacity: int = 10
    opens: int = 0  # minute of day; opens == 0 and closes == 1440: always open
    closes: int = 24 * 60
    activity: Activity = Activity.WORK  # what people do there (the plugin's agenda sends them with it; the rule
    # brain treats the building as its ``base``)
    price: int = 0  # cents each activity begun there costs the visitor, paid to the building (0: free)
    colour: tuple[int, int, int] = (200, 60, 40)  # the map's tint for it
    description: str = ""


@dataclass(frozen=True, slots=True)
class ActivityKind:
    """Something people do on the rule brain; ``prompt`` is the line minds are given about it (the plugin passes
    it on with ``town.remember(person, kind.prompt)`` when it sends someone to do it)."""

    key: str
    verb: str  # "shopping at the market"
    base: Activity  # the core activity it counts as (needs, the map's colour)
    prompt: str = ""


@dataclass(frozen=True, slots=True)
class EventKind:
    """A kind of happening the god's Inject Event understands: words that name it, and what it does."""

    key: str
    words: tuple[str, ...]  # any of these in an event's text makes it this kind
    description: str = ""


@dataclass(frozen=True, slots=True)
class PolicyKind:
    """A rule district councils can vote on. Values are floats; ``whole``: cents or minutes."""

    key: str
    label: str  # "fire brigade funding"
    default: float
    low: float
    high: float
    whole: bool = True
    text: Callable[[float], str] | None = None  # "the fire brigade gets $600/day"; None: "<label> <value>"
    description: str = ""


@dataclass(frozen=True, slots=True)
class MetricKind:
    """A number over time: a timeline curve and a key in ``sim --json``'s ``plugins.metrics``."""

    key: str  # unique across plugins: prefix it with the plugin's name
    label: str
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A ready-made start: a world, facts seeded into people, goals and a description.

    ``world(seed)`` makes the world (``engine.api.new_world`` is the usual start); ``setup(world)`` lists
    the edits that finish it, each step as alternatives tried in order until one is accepted (where a new
    building may stand depends on the map): a PlaceBuilding, a SeedFact (what someone knows, passed on by
    word of mouth), ... They are applied and logged like the player's, before the world is first saved."""

    key: str
    title: str
    description: str
    world: Callable[[int], Any]  # seed -> World
    setup: Callable[[Any], list[list[Any]]] = lambda world: []  # World -> [[Edit, alternative...], ...]
    goals: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()  # switched on in the world it makes, besides its own


@dataclass(frozen=True, slots=True)
class Contributions:
    """Everything one plugin declared."""

    buildings: tuple[BuildingKind, ...] = ()
    activities: tuple[ActivityKind, ...] = ()
    events: tuple[EventKind, ...] = ()
    policies: tuple[PolicyKind, ...] = ()
    metrics: tuple[MetricKind, ...] = ()
    scenarios: tuple[Scenario, ...] = ()

    def words(self) -> list[str]:
        """What it adds, in a few words per item (the plugin manager and ``townsfolk plugins``)."""
        out = [f"building: {b.label}" for b in self.buildings]
        out += [f"activity: {a.verb}" for a in self.activities]
        out += [f"event: {e.key}" for e in self.events]
        out += [f"policy: {p.label}" for p in self.policies]
        out += [f"metric: {m.label}" for m in self.metrics]
        out += [f"scenario: {s.key}" for s in self.scenarios]
        return out

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "buildings": [b.key for b in self.buildings],
            "activities": [a.key for a in self.activities],
            "events": [e.key for e in self.events],
            "policies": [p.key for p in self.policies],
            "metrics": [m.key for m in self.metrics],
            "scenarios": [s.key for s in self.scenarios],
        }


@dataclass
class PluginRecord:
    """One installed plugin as the registry knows it."""

    name: str
    version: str
    module: object | None  # what its entry point loaded (None: it failed to load)
    contributions: Contributions = field(default_factory=Contributions)
    error: str = ""  # why it is switched off; "" while it is fine
