"""What a plugin sees of the town and may do in it: one ``Town`` per plugin per simulation.

Everything a plugin changes goes through here or through the core's own objects on the
engine thread, inside a hook, so it is part of the tick: checkpoints hold it (``state``),
time travel restores it and a replay does it again. Random numbers come from ``rng``, the
simulation's seeded generator, never from ``random`` itself.
"""

from __future__ import annotations

import json
import random
from typing import Any, Protocol

from engine.agents.population import Population
from engine.contracts.events import Event, PluginNews
from engine.contracts.society import TRANSACTION_KINDS
from engine.society import ledger as accounts
from engine.society.society import Society
from engine.state.city import City
from engine.state.clock import Clock
from engine.state.person import Person
from engine.state.world import World

BUILDINGS_META = "plugin_buildings"  # world.meta key: {building id: kind key} for buildings of a plugin's kind


class Host(Protocol):
    """What a Town reads of its simulation (``engine.sim.simulation.Simulation``)."""

    world: World
    city: City
    people: list[Person]
    pop: Population
    clock: Clock
    society: Society
    tick: int
    rng: random.Random
    occupancy: Any


class Town:
    def __init__(self, name: str, sim: Host, settings: dict[str, Any] | None = None):
        self.name = name
        self.sim = sim
        self.settings: dict[str, Any] = settings or {}  # what the world (or an experiment) chose for it
        self.state: dict[str, Any] = {}  # the plugin's own, saved with the world: plain values only
        self.news: list[Event] = []  # what it said this tick, published with the tick's events
        self._placed_text = ""
        self._placed: dict[str, str] = {}

    # -- reading ---------------------------------------------------------------------------

    @property
    def tick(self) -> int:
        return self.sim.tick

    @property
    def clock(self) -> Clock:
        return self.sim.clock

    @property
    def rng(self) -> random.Random:
        """The simulation's own seeded generator: the same draws live and in a replay."""
        return self.sim.rng

    @property
    def city(self) -> City:
        return self.sim.city

    @property
    def people(self) -> list[Person]:
        return self.sim.people

    @property
    def pop(self) -> Population:
        """Where people are and what they do (numpy arrays by person id)."""
        return self.sim.pop

    @property
    def society(self) -> Society:
        """The ledger, economy, councils, grapevine and incidents."""
        return self.sim.society

    def buildings_of(self, kind: str) -> list[int]:
        """Standing buildings of a plugin's building kind, by id."""
        text = self.sim.world.meta.get(BUILDINGS_META, "{}")
        if text != self._placed_text:  # parsed again only when a building of a plugin's kind was placed
            self._placed_text, self._placed = text, json.loads(text)
        placed = self._placed
        return sorted(int(b) for b, k in placed.items()
                      if k == kind and int(b) < len(self.city.buildings) and not self.city.buildings[int(b)].removed)

    def policy(self, district: int, key: str) -> float:
        return self.society.governance.policy(district, key)

    def district_of(self, building: int) -> int:
        return self.society.economy.district(building)

    def minute_of_day(self) -> int:
        return self.clock.minute_of_day(self.tick)

    def weekday(self) -> int:
        """0 Monday .. 6 Sunday."""
        return self.clock.weekday(self.tick)

    # -- acting ----------------------------------------------------------------------------

    def pay(self, payer: int, payee: int, cents: int, kind: str) -> None:
        """Money moves through the ledger like any other (accounts: ``person_account``, ``building_account``,
        ``treasury_account``, ``OUTSIDE``); ``kind`` is one of the ledger's (wage, goods, funding, grant, ...)."""
        if kind not in TRANSACTION_KINDS:
            raise ValueError(f"'{kind}' is not a kind of transaction (one of {', '.join(TRANSACTION_KINDS)})")
        if cents > 0:
            self.society.ledger.post(self.tick, kind, payer, payee, int(cents))

    def sell(self, buyer: int, seller: int, cents: int) -> bool:
        """``buyer`` (a person) pays ``seller`` (an account) for goods, if their purse holds it; counts in GDP."""
        if cents <= 0 or int(self.society.ledger.money[buyer]) < cents:
            return False
        self.society.ledger.post(self.tick, "goods", accounts.person(buyer), seller, int(cents))
        self.society.economy._count_sale(self.tick, int(cents))
        return True

    person_account = staticmethod(accounts.person)
    building_account = staticmethod(accounts.building)
    treasury_account = staticmethod(accounts.treasury)
    OUTSIDE = accounts.OUTSIDE_CODE

    def interrupt(self, person: int) -> None:
        """Make ``person`` decide again now (their agenda hook is asked), unless asleep or walking."""
        self.society._interrupt(person, self.tick)

    def call_out(self, person: int) -> None:
        """Make ``person`` decide again at once, even if asleep or on their way somewhere (on call)."""
        pop = self.pop
        if self.people[person].removed:
            return
        if pop.moving[person]:  # stop where they are and think again (as the core does when a destination burns)
            pop.moving[person] = False
            pop.destination[person] = -1
            pop.until[person] = self.tick + 1
        else:
            pop.until[person] = min(int(pop.until[person]), self.tick)

    def remember(self, person: int, text: str) -> None:
        """Put ``text`` in ``person``'s memory, if they have a mind (the way they hear of a fire): what minds on the
        model know of a plugin's doings, e.g. an ``ActivityKind``'s ``prompt`` when the plugin sends them to it."""
        self.society._remember_hearing(person, text, self.tick)

    def say(self, text: str, building: int = -1) -> None:
        """A line for the event log."""
        self.news.append(PluginNews(self.tick, self.name, text, building))
