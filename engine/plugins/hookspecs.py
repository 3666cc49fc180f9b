"""The hooks a plugin may implement (pluggy, as pytest uses it).

A plugin is a module (or object) with functions marked ``@hookimpl`` and named like the
specs below; it implements only the ones it needs. Two sorts:

* declarations, asked once when the plugin loads: what it adds (``townsfolk_buildings`` ...);
* the town's hooks, asked on the engine thread at the points the core itself uses. Each gets
  the plugin's own ``Town`` (``engine.plugins.town``): the clock, the people, the ledger, the
  councils, its own saved ``state`` and the simulation's seeded random numbers.

A hook that raises switches its plugin off (for this run) with a message naming the plugin
and the hook; the town runs on without it.
"""

from __future__ import annotations

from typing import Any

import pluggy

from engine.contracts.events import Event
from engine.plugins.kinds import ActivityKind, BuildingKind, EventKind, MetricKind, PolicyKind, Scenario

PROJECT = "townsfolk"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Town = Any  # engine.plugins.town.Town (kept loose here so the specs import nothing that runs)


# -- declarations --------------------------------------------------------------------------------

@hookspec
def townsfolk_buildings() -> list[BuildingKind]:  # type: ignore[empty-body]
    """New kinds of building."""


@hookspec
def townsfolk_activities() -> list[ActivityKind]:  # type: ignore[empty-body]
    """New things people do (and the line minds are given about each)."""


@hookspec
def townsfolk_event_kinds() -> list[EventKind]:  # type: ignore[empty-body]
    """New kinds of happening for Inject Event."""


@hookspec
def townsfolk_policies() -> list[PolicyKind]:  # type: ignore[empty-body]
    """New rules councils can vote on."""


@hookspec
def townsfolk_metrics() -> list[MetricKind]:  # type: ignore[empty-body]
    """New curves for the timeline and keys for ``sim --json``."""


@hookspec
def townsfolk_scenarios() -> list[Scenario]:  # type: ignore[empty-body]
    """Ready-made starts (``townsfolk new --scenario NAME``, the welcome view)."""


# -- the town's hooks ---------------------------------------------------------------------------

@hookspec
def townsfolk_start(town: Town) -> None:
    """The plugin joins a simulation whose state does not hold its own yet (a new run, or a world
    that ran without it): set up ``town.state``."""


@hookspec
def townsfolk_tick(town: Town, tick: int) -> list[Event] | None:
    """Each tick, after the clock's business (councils, incidents): what the plugin does now."""


@hookspec
def townsfolk_agenda(town: Town, person: int, tick: int) -> tuple[int, int, int] | None:
    """``person`` is about to decide: (activity, building, until tick) to send them somewhere, or None.
    Asked only when the core has no plan for them (an event, a curfew); keep it cheap."""


@hookspec
def townsfolk_incident(town: Town, incident: Any, tick: int) -> list[Event] | None:
    """An injected event began (``incident.kind``: fire, festival, storm, shop, event or a plugin's
    kind its words named; ``incident.text``, ``incident.building``)."""


@hookspec
def townsfolk_measure(town: Town) -> dict[str, float]:  # type: ignore[empty-body]
    """The current value of each of the plugin's metrics (every sample, every 10 ticks)."""


@hookspec
def townsfolk_grievances(town: Town, district: int) -> list[tuple[str, float, str, int, float]]:  # type: ignore[empty-body]
    """Changes residents of ``district`` want to the plugin's policies, asked once a day:
    (policy, value, reason, proposer, strength; >= 1 is strong enough to table)."""


@hookspec
def townsfolk_summary(town: Town) -> dict[str, Any]:  # type: ignore[empty-body]
    """The plugin's part of a headless run's summary (``sim --json``'s ``plugins.<name>``)."""
