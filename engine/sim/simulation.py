"""One simulated world and its tick.

A tick: needs change, walkers walk, arrivals settle in, whoever is due decides
(in ascending id order, one RNG, so the same seed gives the same day), then
chance meetings. Only this object writes world state.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.agents.encounters import Encounters
from engine.agents.needs import leisure_fun_boost, update_needs
from engine.agents.population import Population
from engine.agents.rule_brain import Intent, RuleBrain
from engine.cognition import Cognition
from engine.contracts.enums import Activity
from engine.contracts.events import ActivityStarted, Arrived, ConversationHeld, Event
from engine.outside import OutsideBrain
from engine.plugins import PluginHost, Registry
from engine.sim import state_codec
from engine.sim.metrics import Metrics
from engine.society.society import Society
from engine.state.bulk import collector_paused
from engine.state.city import Building
from engine.state.clock import Clock
from engine.state.person import Person
from engine.state.pieces import join_parted
from engine.state.world import HISTORY_DAYS_KEPT, World
from engine.world.pathfinding import NoPathError, PathFinder
from engine.world.props import park_fun_factor

RETRY_MINUTES = 30
TRAVEL, WORK, EAT, SHOP = int(Activity.TRAVEL), int(Activity.WORK), int(Activity.EAT), int(Activity.SHOP)
NEVER = np.iinfo(np.int64).max


class Simulation:
    def __init__(self, world: World, seed: int | None = None, record_history: bool = True,
                 plugins: Registry | None = None):
        """``plugins``: where to find the plugins the world uses (``world.meta["plugins"]``); None: those installed."""
        self.world = world
        self.record_history = record_history
        self.city = world.city
        self.people = world.people
        self.ties = world.relationships
        self.clock = Clock(world.tick_seconds, world.start_minute)
        self.tick = world.tick
        self.paths = PathFinder(self.city.walkable_mask())
        self.pop = Population(len(self.people), self.city.width)
        self.society = Society(self)
        self.brain = RuleBrain(self.city, self.people, self.clock, self.ties, society=self.society)
        self.encounters = Encounters(self.city, self.people, self.clock, self.ties)
        self.metrics = Metrics()
        self.pending_cognition_state: dict[str, Any] | None = None  # restored once cognition is attached
        self.occupancy = np.zeros(len(self.city.buildings), dtype=np.int32)
        self._entrance_cell = [self.paths.cell(*b.entrance) for b in self.city.buildings]
        self.fun_factor = park_fun_factor(self.city)  # per building: parks with a fountain, flowers or a bench
        self.cognition: Cognition | None = None  # minds, when people think (see ``think_with``)
        self.outside = OutsideBrain(self)  # people driven by an outside program or the player
        self.rng = random.Random()
        self.nprng = np.random.Generator(np.random.PCG64())
        # Encodes the state in its parts, redoing only those that changed since it last did (the time
        # machine's checkpoints and a save's ``freeze`` share it, so a save right after a checkpoint packs
        # almost nothing again).
        self.encoder = state_codec.PartedEncoder()
        writer = self.encounters.writer  # small talk hears what people need, plan and know
        writer.needs = self._lowest_need
        writer.shared = self.society.shared_topics
        writer.plan = self._plan_later
        self.plugins = PluginHost(self, plugins)
        self._plugin_agenda: Callable[[int, int], tuple[int, int, int] | None] | None = None
        if self.plugins.record:
            self._join_plugins()
        if world.sim_state:
            self.set_state(state_codec.decode(world.sim_state))
        else:
            self._move_everyone_home()
            self.society.found(world.seed)
            self.brain.routine.new_day(self.clock.day(self.tick))
        if seed is not None or not world.sim_state:
            self.reseed(world.seed if seed is None else seed)
        if not world.sim_state and self.plugins:
            self.plugins.start(self.plugins.active)

    def _join_plugins(self) -> None:
        """Connect the running plugins at the points the core calls (each only when some plugin listens)."""
        host = self.plugins
        self._plugin_agenda = host.agenda if host.has("townsfolk_agenda") else None
        self.society.plugin_incident = host.incident if host else None
        governance = self.society.governance
        governance.plugin_policies = tuple(p.key for name in host.active
                                           for p in host.registry.records[name].contributions.policies)
        governance.plugin_grievances = host.grievances if host.has("townsfolk_grievances") else None
        self.metrics.plugin_columns = tuple(m.key for m in host.metrics)
        self.metrics.plugin_values = host.measure if host.metrics else None

    def think_with(self, cognition: Cognition, state: dict[str, Any] | None = None) -> None:
        """Minds join the simulation, or replace the ones it had (another model was chosen); ``state``:
        where they take up (the minds they replace, or those a saved world held), None: fresh minds."""
        self.cognition = cognition
        if state is not None:
            cognition.set_state(state)

    def city_changed(self) -> None:
        """The map was edited: rebuild what was derived from it (paths, per-building tables)."""
        self.paths = PathFinder(self.city.walkable_mask())
        self._entrance_cell = [self.paths.cell(*b.entrance) for b in self.city.buildings]
        self.fun_factor = park_fun_factor(self.city)
        grown = len(self.city.buildings) - len(self.occupancy)
        if grown > 0:
            self.occupancy = np.concatenate([self.occupancy, np.zeros(grown, dtype=np.int32)])
        self.brain.city_changed()
        self.encounters.city_changed()
        self.society.city_changed()

    def building_moved(self, building: int) -> None:
        """Occupants move with it; whoever is walking there gets a new path."""
        pop = self.pop
        b = self.city.buildings[building]
        for person in np.flatnonzero(pop.location == building).tolist():
            self._place_inside(person, b)
        for person in np.flatnonzero(pop.moving & (pop.destination == building)).tolist():
            self._reroute(person, building)

    def building_removed(self, building: int) -> None:
        """Everyone inside steps out of the door; whoever was heading there thinks again."""
        pop = self.pop
        b = self.city.buildings[building]
        door = (b.entrance[0] + 0.5, b.entrance[1] + 0.5)
        for person in np.flatnonzero(pop.location == building).tolist():
            pop.location[person] = -1
            pop.xy[person] = door
            pop.until[person] = self.tick + 1
        self.occupancy[building] = 0
        for person in np.flatnonzero(pop.moving & (pop.destination == building)).tolist():
            pop.moving[person] = False
            pop.destination[person] = -1
            pop.until[person] = self.tick + 1

    def _reroute(self, person: int, building: int) -> None:
        try:
            cells = self.paths.path(self._cell_at(person), self._entrance_cell[building])
        except NoPathError:
            self.pop.moving[person] = False
            self.pop.until[person] = self.tick + 1
            return
        activity, until = int(self.pop.next_activity[person]), int(self.pop.next_until[person])
        self.pop.start_path(person, cells)
        self.pop.destination[person] = building
        self.pop.next_activity[person], self.pop.next_until[person] = activity, until

    def person_added(self, person: Person) -> None:
        """A newcomer (god mode): room in the arrays, a schedule, and a place to start."""
        self.pop.grow(1)
        self.brain.schedules.append(self.brain.schedule_for(person))
        self._move_home(person)
        self.society.person_added(person.id)

    def person_returned(self, person: Person, fresh: bool = False) -> None:
        """Back from removal (undo, or a replay): at home, deciding again. ``fresh``: a spawn made again
        in their place (a replay or a redo), arriving with the spawn's money rather than their old purse."""
        before = int(self.pop.money[person.id])
        self.pop.chat_cooldown[person.id] = self.tick
        self.pop.moving[person.id] = False
        self._move_home(person, with_money=fresh)
        self.society.person_returned(person.id, before if fresh else None)

    def teleport(self, person: int, building: int, xy: tuple[float, float]) -> None:
        """Into ``building`` (-1: outdoors at ``xy``); they think again next tick."""
        pop = self.pop
        here = int(pop.location[person])
        if here >= 0:
            self.occupancy[here] -= 1
        pop.moving[person] = False
        pop.destination[person] = -1
        if building >= 0:
            pop.location[person] = building
            self.occupancy[building] += 1
            self._place_inside(person, self.city.buildings[building])
        else:
            pop.location[person] = -1
            pop.xy[person] = xy
        pop.until[person] = self.tick + 1

    def person_removed(self, person: Person) -> None:
        pop = self.pop
        here = int(pop.location[person.id])
        if here >= 0:
            self.occupancy[here] -= 1
        pop.location[person.id] = -1
        pop.destination[person.id] = -1
        pop.moving[person.id] = False
        pop.until[person.id] = NEVER  # never decides again
        pop.chat_cooldown[person.id] = NEVER
        pop.xy[person.id] = (-10.0, -10.0)  # off the map
        if self.cognition is not None:
            self.cognition.forget(person.id, self.tick)
        self.society.person_removed(person.id)

    def reseed(self, seed: int) -> None:
        self.rng.seed(seed)
        self.nprng = np.random.Generator(np.random.PCG64(seed))

    # -- the tick ----------------------------------------------------------------------

    def step(self) -> list[Event]:
        self.tick += 1
        tick, pop = self.tick, self.pop
        minutes = self.clock.minutes_per_tick
        nice_parks = self.fun_factor.size and self.fun_factor.max() > 1
        boost = leisure_fun_boost(pop.activity, pop.location, self.fun_factor) if nice_parks else None
        update_needs(pop.needs, pop.activity, minutes, boost)
        if self.clock.day(tick) != self.clock.day(tick - 1):
            self.brain.routine.new_day(self.clock.day(tick))  # whom people would visit today
            window_start = tick - self.clock.ticks_for(HISTORY_DAYS_KEPT * 24 * 60)
            self.metrics.thin(window_start)  # part of the state: the same whether live or replayed
            if self.record_history:  # a long run keeps a window of outcomes, not every one since day 1
                self.world.compact_history(window_start)
        mind = self.cognition
        events: list[Event] = mind.begin_tick(tick) if mind else []
        events.extend(self.society.begin_tick(tick, self.rng))
        if self.plugins:
            events.extend(self.plugins.tick(tick))
        plugin_agenda = self._plugin_agenda
        outside = self.outside
        events.extend(outside.begin_tick(tick))
        driven = outside.claims
        for person in pop.walk(minutes).tolist():
            events.extend(self._arrive(person, tick))
            if mind:
                mind.arrived(person, int(pop.location[person]), tick)
        due = np.flatnonzero((pop.until <= tick) & ~pop.moving)
        for person in due.tolist():
            if person in driven:
                if outside.holds(person, tick):
                    continue  # waits where they are for their answer
                self._leave_activity(person, tick)
                chosen = outside.decide(person, tick) or self.brain.decide(person, tick, pop, self.rng, self.occupancy)
                events.extend(self._apply(person, chosen, tick))
                continue
            self._leave_activity(person, tick)
            planned = self.society.agenda(person, tick)
            if planned is None and plugin_agenda is not None:
                planned = plugin_agenda(person, tick)
            intent = Intent(*planned) if planned else mind.decide(person, tick) if mind else None
            if intent is None:
                intent = self.brain.decide(person, tick, pop, self.rng, self.occupancy)
            if not planned:
                activity, building = self.society.keep_in(person, intent.activity, intent.building, tick)
                if activity != intent.activity or building != intent.building:  # almost always kept as it is
                    intent = Intent(activity, building, intent.until)
            events.extend(self._apply(person, intent, tick))
        events.extend(self.encounters.step(tick, pop, self.rng, self.nprng, mind.encounter if mind else None))
        events.extend(self.society.after_talk(events, tick, self.rng))
        events.extend(self.society.end_tick(tick))
        if driven:
            outside.end_tick(events)
        thoughts = []
        if mind:
            mind.end_tick(tick, events)
            thoughts = mind.drain_thoughts()
            for record in thoughts:
                self.society.economy.charge_thought(record.agent, record.prompt_tokens + record.completion_tokens, tick)
        self.metrics.record(tick, pop, sum(1 for e in events if isinstance(e, ConversationHeld)), self.society.metrics)
        self.world.tick = tick
        if self.record_history:  # off while replaying a recorded line: it is already in the history
            self.world.record(events, thoughts, tick)
        return events

    def _apply(self, person: int, intent: Intent, tick: int) -> list[Event]:
        """The single resolver: turns an intent into state, serially, so no locks."""
        pop = self.pop
        until = max(intent.until, tick + 1)
        here = int(pop.location[person])
        if intent.building == here:
            return [self._begin(person, intent.activity, here, until, tick)]
        start = self._entrance_cell[here] if here >= 0 else self._cell_at(person)
        try:
            cells = self.paths.path(start, self._entrance_cell[intent.building])
        except NoPathError:
            pop.until[person] = tick + self.clock.ticks_for(RETRY_MINUTES)
            return []
        if here >= 0:
            self.occupancy[here] -= 1
        pop.start_path(person, cells)
        pop.destination[person] = intent.building
        pop.next_activity[person] = intent.activity
        pop.next_until[person] = until
        pop.activity[person] = TRAVEL
        pop.until[person] = NEVER  # arrival decides, not the clock
        return [ActivityStarted(tick, person, TRAVEL, -1, -1)]

    def _arrive(self, person: int, tick: int) -> list[Event]:
        pop = self.pop
        building = int(pop.destination[person])
        pop.location[person] = building
        pop.destination[person] = -1
        self.occupancy[building] += 1
        self._place_inside(person, self.city.buildings[building])
        activity = int(pop.next_activity[person])
        until = max(int(pop.next_until[person]), tick + 1)
        return [Arrived(tick, person, building), self._begin(person, activity, building, until, tick)]

    def _begin(self, person: int, activity: int, building: int, until: int, tick: int) -> Event:
        pop = self.pop
        pop.activity[person] = activity
        pop.until[person] = until
        pop.since[person] = tick
        if activity == EAT and building != self.people[person].home:
            self.society.economy.buy(person, building, tick)
        elif activity == SHOP:
            self.society.economy.buy(person, building, tick, units=self.rng.randint(1, 3))
        prices = self.plugins.prices  # what a visit costs at a building of a plugin's kind (usually none)
        if prices and building in prices:
            self.plugins.visit(person, building, tick)
        return ActivityStarted(tick, person, activity, building, until)

    def _leave_activity(self, person: int, tick: int) -> None:
        """Pay for a finished shift (through the ledger: wage, and the district's tax)."""
        pop = self.pop
        workplace = self.people[person].workplace
        if pop.activity[person] == WORK and workplace >= 0:
            hours = (tick - int(pop.since[person])) * self.clock.tick_seconds / 3600
            self.society.economy.pay_shift(person, workplace, hours, tick)

    def _lowest_need(self, person: int) -> tuple[int, float]:
        row = self.pop.needs[person].tolist()  # plain floats: cheaper than numpy's argmin on four values
        lowest = row.index(min(row))  # the first of equals, as argmin
        return lowest, row[lowest]

    def _plan_later(self, person: int, tick: int) -> tuple[str, str] | None:
        """Where ``person`` means to go later today, and why (for small talk)."""
        outing = self.brain.routine.next_outing(person, self.clock.day(tick), self.clock.minute_of_day(tick))
        if outing is None:
            return None
        return self.city.buildings[outing.building].name, self.brain.routine.words(outing)[1]

    # -- placement ---------------------------------------------------------------------

    def _place_inside(self, person: int, b: Building) -> None:
        f = b.footprint
        k = (person * 2654435761) % (f.width * f.height)
        jitter = ((person * 40503) % 97) / 97 * 0.5 - 0.25
        xy = self.pop.xy  # element by element: a tuple into a row costs several times as much
        xy[person, 0] = f.x + k % f.width + 0.5 + jitter
        xy[person, 1] = f.y + k // f.width + 0.5 - jitter

    def _cell_at(self, person: int) -> int:
        x, y = (int(v) for v in self.pop.xy[person])
        return self.paths.cell(x, y)

    def _move_everyone_home(self) -> None:
        for p in self.people:
            self._move_home(p)

    def _move_home(self, p: Person, with_money: bool = True) -> None:
        """At home, awake or asleep; ``with_money``: their purse is the profile's (a newcomer's savings)."""
        pop = self.pop
        pop.location[p.id] = p.home
        pop.activity[p.id] = Activity.SLEEP if self.clock.minute_of_day(self.tick) < 6 * 60 else Activity.HOME
        if with_money:
            pop.money[p.id] = p.money
        pop.speed[p.id] = 11.0 if p.age >= 70 or p.age < 8 else 15.0
        pop.until[p.id] = self.tick + 1
        self.occupancy[p.home] += 1
        self._place_inside(p.id, self.city.buildings[p.home])

    # -- state -------------------------------------------------------------------------

    def get_state(self) -> dict[str, object]:
        return {
            "tick": self.tick,
            "population": self.pop.get_state(),
            "relationships": self.ties.get_state(),
            "rng": self.rng.getstate(),
            "nprng": self.nprng.bit_generator.state,
            "occupancy": self.occupancy.copy(),
            "metrics": self.metrics.get_state(),
            "cognition": self.cognition.get_state() if self.cognition else None,
            "society": self.society.get_state(),
            "routine": self.brain.routine.get_state(),
            **({"outside": self.outside.get_state()} if self.outside.active else {}),
            **({"plugins": self.plugins.get_state()} if self.plugins.record else {}),  # none: as before plugins
        }

    def set_state(self, state: dict[str, Any]) -> None:
        with collector_paused():  # tens of thousands of ties, notes and ledger rows made at once
            self._set_state(state)

    def _set_state(self, state: dict[str, Any]) -> None:
        self.tick = int(state["tick"])
        self.world.tick = self.tick
        known = self.pop.set_state(state["population"])
        self.ties.set_state(state["relationships"])
        version, internal, gauss = state["rng"]
        self.rng.setstate((version, tuple(internal), gauss))
        self.nprng.bit_generator.state = state["nprng"]
        self.occupancy = np.asarray(state["occupancy"], dtype=np.int32).copy()
        for person in self.people[known:]:  # imported or spawned after this state was saved
            self.pop.money[person.id] = 0  # not yet arrived at that moment: nothing in their purse
            if person.removed:
                self.person_removed(person)
            else:
                self._move_home(person)
        self.metrics.set_state(state["metrics"])
        if state.get("society") is not None:
            self.society.set_state(state["society"])
        else:  # saved before the town had an economy: found one on what people hold now
            self.society.found(self.world.seed)
        self.brain.routine.set_state(state.get("routine"), self.clock.day(self.tick))
        self.outside.set_state(state.get("outside"))
        if self.plugins.record:
            self.plugins.start(self.plugins.set_state(state.get("plugins")))
        self.pending_cognition_state = state.get("cognition")
        if self.cognition is not None and self.pending_cognition_state is not None:
            self.cognition.set_state(self.pending_cognition_state)

    def state_hash(self) -> str:
        return state_codec.digest(self.get_state())

    def freeze(self) -> None:
        """Store the exact state in the world, so a saved file resumes bit for bit.

        In the parted form: only what changed since the last checkpoint is packed again, and reading it back
        unpacks a piece at a time (the whole state unpacked at once was tens of MB for a moment, which a
        reopened long run kept)."""
        parts, _hash = self.encoder.encode_parts(self.get_state())
        self.world.sim_state = join_parted(*parts)
        for p in self.people:
            p.money = int(self.pop.money[p.id])
