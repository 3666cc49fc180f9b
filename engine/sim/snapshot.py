"""Build the immutable views the GUI reads (see ``engine.contracts.snapshots``)."""

from __future__ import annotations

import numpy as np

from engine.contracts.snapshots import (
    BuildingInfo,
    DistrictInfo,
    LLMStatusView,
    PersonInfo,
    PropInfo,
    RelationshipTable,
    StaticWorld,
    TimelineView,
    WorldSnapshot,
)
from engine.contracts.society import SocietyView
from engine.contracts.thinking import LLMHealth
from engine.sim.simulation import Simulation
from engine.state.relationships import Relationships
from engine.state.world import World


def build_static(world: World, version: int) -> StaticWorld:
    city = world.city
    districts = tuple(
        DistrictInfo(
            d.id,
            d.name,
            tuple((n.id, n.name) for n in city.neighbourhoods if n.district == d.id),
            (d.area.x, d.area.y, d.area.width, d.area.height),
        )
        for d in city.districts
    )
    buildings = tuple(
        BuildingInfo(
            b.id, b.name, int(b.type), b.footprint.x, b.footprint.y, b.footprint.width,
            b.footprint.height, b.entrance, b.capacity, b.opens, b.closes,
            city.lots[b.lot].neighbourhood if 0 <= b.lot < len(city.lots) else -1, b.removed,
        )
        for b in city.buildings
    )
    people = tuple(
        PersonInfo(p.id, p.name, p.age, p.occupation, p.bio, p.traits, p.home, p.workplace, p.removed,
                   p.extra.get("goals", ""), p.sex)
        for p in world.people
    )
    terrain = city.terrain.copy()
    terrain.flags.writeable = False
    dmap = city.district_map()
    dmap.flags.writeable = False
    props = tuple(PropInfo(p.id, p.kind, p.x, p.y, p.removed) for p in city.props)
    return StaticWorld(version, city.name, terrain, dmap, districts, buildings, people, props)


def build_relationships(ties: Relationships) -> RelationshipTable:
    pairs, reals, counts = ties.columns()
    arrays = [pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int32), reals[:, 0].astype(np.float32),
              reals[:, 1].astype(np.float32), counts[:, 0].astype(np.int32), counts[:, 2].astype(bool),
              reals[:, 2].astype(np.float32), counts[:, 1].copy()]
    for array in arrays:
        array.flags.writeable = False
    return RelationshipTable(ties.version, *arrays)


def build_snapshot(
    sim: Simulation, static: StaticWorld, ties: RelationshipTable, running: bool = False, tps: float = 0.0,
    llm: LLMStatusView | None = None, timeline: TimelineView | None = None, society: SocietyView | None = None,
    unread: tuple[str, ...] = (),
) -> WorldSnapshot:
    """The world as readers see it now. ``ties`` and ``society`` may be views made a little earlier: the
    engine thread rebuilds those at most every so often while it runs (they cost ms at 10,000 people), and
    not at all while its reader shows them nowhere (``unread`` names those)."""
    pop = sim.pop
    return WorldSnapshot(
        tick=sim.tick,
        day=sim.clock.day(sim.tick),
        minute_of_day=sim.clock.minute_of_day(sim.tick),
        tick_seconds=sim.clock.tick_seconds,
        static=static,
        sim_minute=sim.clock.total_minutes(sim.tick),
        positions=pop.xy.copy(),
        activity=pop.activity.copy(),
        location=pop.location.copy(),
        destination=pop.destination.copy(),
        needs=pop.needs.copy(),
        money=pop.money.copy(),
        until=pop.until.copy(),
        relationships=ties,
        metrics=dict(sim.metrics.latest),
        metric_columns=sim.metrics.columns,
        metric_samples=sim.metrics.sample_array(),
        running=running,
        ticks_per_second=tps,
        llm=llm or LLMStatusView("rule", LLMHealth.OFF, "rule brain"),
        timeline=timeline,
        society=society if society is not None else sim.society.view(sim.tick),
        incidents=sim.society.incidents.views(),
        unread=unread,
    )
