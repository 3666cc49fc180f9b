"""Fire brigade: a fire station, a crew who answer fires, and a council policy that pays for them.

Build one with ``build fire_station at X,Y`` (or start from the ``fire_brigade`` scenario). The
district council's *fire brigade funding* (default $600 a day) sets the crew: one firefighter
for each $300, paid from the district's treasury at midnight. When a fire breaks out the crew
are called out, asleep or not; once the first of them reaches it the fire is out within ten
minutes and the damage (and the owner's repair bill) is less. After a fire, residents ask
their council for more funding.
"""

from __future__ import annotations

from typing import Any

from engine.plugins import BuildingKind, MetricKind, PolicyKind, Scenario, Town, hookimpl
from townsfolk_fire_brigade import brigade, scenario

__version__ = "0.1.0"


@hookimpl
def townsfolk_buildings() -> list[BuildingKind]:
    return [brigade.STATION]


@hookimpl
def townsfolk_policies() -> list[PolicyKind]:
    return [brigade.FUNDING]


@hookimpl
def townsfolk_metrics() -> list[MetricKind]:
    return list(brigade.METRICS)


@hookimpl
def townsfolk_scenarios() -> list[Scenario]:
    return [scenario.SCENARIO]


@hookimpl
def townsfolk_start(town: Town) -> None:
    brigade.start(town)


@hookimpl
def townsfolk_tick(town: Town, tick: int) -> list[Any]:
    brigade.tick(town, tick)
    return []


@hookimpl
def townsfolk_agenda(town: Town, person: int, tick: int) -> tuple[int, int, int] | None:
    return brigade.agenda(town, person, tick)


@hookimpl
def townsfolk_incident(town: Town, incident: Any, tick: int) -> list[Any]:
    if incident.kind == "fire" and incident.phase == "burning":
        brigade.call_out(town, incident, tick)
    return []


@hookimpl
def townsfolk_grievances(town: Town, district: int) -> list[tuple[str, float, str, int, float]]:
    return brigade.grievances(town, district)


@hookimpl
def townsfolk_measure(town: Town) -> dict[str, float]:
    return brigade.measure(town)


@hookimpl
def townsfolk_summary(town: Town) -> dict[str, Any]:
    return brigade.summary(town)
