"""Market day: every Saturday morning the plaza fills with stalls.

Stallholders (a few residents, the same each week) bring goods; whoever comes buys from the
cheapest stall that has what they want and that they can afford. After the market each stall
sets next week's price from how it sold: sold out, dearer and more brought; left over, cheaper
and less. The price index (100 at the first market) and the units sold are the plugin's
metrics. ``event "A market day on the plaza"`` holds an extra one at once.
"""

from __future__ import annotations

from typing import Any

from engine.plugins import ActivityKind, EventKind, MetricKind, Scenario, Town, hookimpl
from townsfolk_market_day import market, scenario

__version__ = "0.1.0"


@hookimpl
def townsfolk_activities() -> list[ActivityKind]:
    return [market.ACTIVITY]


@hookimpl
def townsfolk_event_kinds() -> list[EventKind]:
    return [market.EVENT]


@hookimpl
def townsfolk_metrics() -> list[MetricKind]:
    return list(market.METRICS)


@hookimpl
def townsfolk_scenarios() -> list[Scenario]:
    return [scenario.SCENARIO]


@hookimpl
def townsfolk_start(town: Town) -> None:
    market.start(town)


@hookimpl
def townsfolk_tick(town: Town, tick: int) -> list[Any]:
    market.tick(town, tick)
    return []


@hookimpl
def townsfolk_agenda(town: Town, person: int, tick: int) -> tuple[int, int, int] | None:
    return market.agenda(town, person, tick)


@hookimpl
def townsfolk_incident(town: Town, incident: Any, tick: int) -> list[Any]:
    if incident.kind == market.EVENT.key:
        market.begin_extra(town, tick)
    return []


@hookimpl
def townsfolk_measure(town: Town) -> dict[str, float]:
    return market.measure(town)


@hookimpl
def townsfolk_summary(town: Town) -> dict[str, Any]:
    return market.summary(town)
