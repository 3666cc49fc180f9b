"""The town as a society: the one object the simulation asks about money, councils and talk.

It owns the ledger and economy, the councils, and the grapevine, and answers the
simulation's hooks:

* ``begin_tick`` — the clock's business: each sim hour, midnight's accounts,
  council meetings and elections, people setting off for an announced event;
* ``agenda`` — an event someone means to go to, or a curfew, before any brain decides;
* ``after_talk`` — what passed between two people who just talked;
* ``end_tick`` — who came to the events on now.

Everything random comes from the simulation's own generator, so a replay of the
same seed and edits gives the same society.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Protocol, TypedDict

import networkx as nx

from engine.agents.population import Population
from engine.agents.talk import Topic
from engine.cognition import Cognition, proposal_choice
from engine.contracts.enums import Activity
from engine.contracts.events import ConversationHeld, Event, FactHeard, PropertySold
from engine.contracts.society import (
    GovernanceView,
    LedgerResult,
    PairReport,
    QueryLedger,
    QueryPair,
    SocietyView,
    TransactionView,
)
from engine.contracts.thinking import ThoughtKind
from engine.society import ledger as acct
from engine.society.economy import Economy
from engine.society.governance import Governance
from engine.society.grapevine import Grapevine
from engine.society.incidents import Incidents
from engine.society.ledger import Ledger
from engine.society.places import residents_by_district
from engine.state.city import Building, City
from engine.state.clock import MINUTES_PER_DAY, Clock
from engine.state.person import Person
from engine.state.relationships import Relationships

BOOKS_KEPT_DAYS = 2  # the ledger window: older rows are folded into opening balances at midnight
VIEW_EVERY = 30  # ticks between rebuilt economy views (sooner when councils or talk changed)
SLEEP, EAT = int(Activity.SLEEP), int(Activity.EAT)
SHARED_WITNESSES = 40  # of a crowd, the first this many count as having been through it together
CURFEW_ROUNDS = 30  # sim minutes between sending curfew-breakers home
TREASURY_PER_RESIDENT = 20_000  # cents a district's treasury starts with, per resident


class SocietySummary(TypedDict):
    """The society's part of a headless run's summary (JSON-ready numbers by name)."""

    economy: dict[str, Any]
    governance: dict[str, Any]
    social: dict[str, Any]


class Host(Protocol):
    """What the society reads of the simulation it lives in (``engine.sim.simulation.Simulation``)."""

    city: City
    people: list[Person]
    pop: Population
    clock: Clock
    ties: Relationships
    tick: int
    cognition: Cognition | None


class Society:
    def __init__(self, sim: Host):
        self.sim = sim
        city, people, clock = sim.city, sim.people, sim.clock
        self.ledger = Ledger(sim.pop.money)
        self.grapevine = Grapevine(city, people, sim.ties, clock, hear_hook=self._remember_hearing)
        self.governance = Governance(city, people, sim.ties, clock, self.grapevine,
                                     lambda district: self.ledger.balance(acct.treasury(district)),
                                     purse=lambda pid: int(self.ledger.money[pid]),
                                     business_owners=lambda: self.economy.business_owners(),
                                     deliberation=self)  # councillors and residents with minds are asked first
        self.economy = Economy(city, people, self.ledger, self.governance.policy)
        self.incidents = Incidents(self, hear_hook=self._remember_hearing)
        self._civic_events: list[Event] = []  # what minds' answers tabled, published with the next tick
        self._view: SocietyView | None = None
        self._view_key: tuple[int, ...] = ()
        self._view_tick = -VIEW_EVERY
        self._policy_cache: dict[str, dict[int, float]] = {}
        self._policy_cache_version = -1
        self._curfew_anywhere: tuple[int, bool] = (-1, False)  # (councils' version, any district under curfew)
        # Set by the simulation's plugins when a plugin listens: an injected event began (see Incidents.begin).
        self.plugin_incident: Callable[[Any, int], list[Event]] | None = None

    def found(self, seed: int) -> None:
        """A world with no society yet: open the books, and who owns what (from the world's seed,
        not the running dice, so founding does not change the day that follows)."""
        self.rebind()
        for district, residents in residents_by_district(self.sim.city, self.sim.people).items():
            self.ledger.balances[acct.treasury(district)] = TREASURY_PER_RESIDENT * len(residents)
        self.ledger.open_books()
        self.economy.assign_owners(random.Random(seed * 7919 + 17))

    # -- the simulation's hooks ------------------------------------------------------------

    def begin_tick(self, tick: int, rng: random.Random) -> list[Event]:
        sim = self.sim
        clock = sim.clock
        events: list[Event] = []
        minutes = clock.total_minutes(tick)
        if minutes // 60 != clock.total_minutes(tick - 1) // 60:
            self.economy.hour_passed(minutes // 60)
            if clock.minute_of_day(tick) < 60:
                events.extend(self._midnight(tick, rng))
        events.extend(self._civic_events)
        self._civic_events = []
        events.extend(self.incidents.on_tick(tick))
        events.extend(self.governance.on_tick(tick, rng))
        for person in self.grapevine.starting(tick):
            self._interrupt(person, tick)  # drop what they are doing: the party is about to start
        if minutes % CURFEW_ROUNDS == 0:
            self._curfew_rounds(tick)
        return events

    def _interrupt(self, person: int, tick: int) -> None:
        """Make ``person`` decide again now (unless asleep or on the way somewhere)."""
        pop = self.sim.pop
        if self.sim.people[person].removed:
            return  # gone from town: they decide nothing any more
        if not pop.moving[person] and pop.activity[person] != SLEEP and pop.until[person] > tick:
            pop.until[person] = tick

    def _curfew_rounds(self, tick: int) -> None:
        """During a curfew, whoever is out is sent home (checked every half hour)."""
        minute = self.sim.clock.minute_of_day(tick)
        city, pop = self.sim.city, self.sim.pop
        districts = [d.id for d in city.districts if self._any_curfew() and self._in_curfew(d.id, minute)]
        if not districts:
            return
        for p in self.sim.people:
            if not p.removed and pop.location[p.id] != p.home and self._home_district(p.id) in districts:
                self._interrupt(p.id, tick)

    def _in_curfew(self, district: int, minute: int) -> bool:
        curfew = self._district_policy("curfew").get(district, -1)
        return curfew >= 0 and self._past(curfew, minute)

    def _any_curfew(self) -> bool:
        """Asked for every decision, so kept until the councils change something."""
        version, anywhere = self._curfew_anywhere
        if version != self.governance.version:
            anywhere = any(value >= 0 for value in self._district_policy("curfew").values())
            self._curfew_anywhere = (self.governance.version, anywhere)
        return anywhere

    def _home_district(self, person: int) -> int:
        return self.economy.district(self.sim.people[person].home)

    def _district_policy(self, name: str) -> dict[int, float]:
        """District -> value of one policy, re-read only when the councils changed something (asked per decision)."""
        version = self.governance.version
        if self._policy_cache_version != version:
            self._policy_cache = {}
            self._policy_cache_version = version
        found = self._policy_cache.get(name)
        if found is None:
            found = self._policy_cache[name] = {d.id: self.governance.policy(d.id, name) for d in self.sim.city.districts}
        return found

    def _midnight(self, tick: int, rng: random.Random) -> list[Event]:
        self.incidents.midnight(tick)
        sales = self.economy.midnight(tick, rng)
        kept = self.sim.clock.ticks_for(BOOKS_KEPT_DAYS * 24 * 60)
        self.ledger.close_books(max(0, tick - kept))
        return [PropertySold(tick, building, seller, buyer, price) for building, seller, buyer, price in sales]

    def agenda(self, person: int, tick: int) -> tuple[int, int, int] | None:
        """(activity, building, until) that comes before any brain: an event they mean to go to,
        or home because of a curfew. None: let the brain decide."""
        if self.incidents.plans:  # a fire to flee or watch, a festival, a storm to shelter from
            told = self.incidents.agenda(person, tick)
            if told is not None:
                return told
        if self.grapevine.going:
            event = self.grapevine.agenda(person, tick)
            if event is not None:
                return int(Activity.SOCIAL), event[0], event[1]
        if not self._any_curfew():
            return None
        p = self.sim.people[person]
        if self._in_curfew(self._home_district(person), self.sim.clock.minute_of_day(tick)) \
                and self.sim.pop.location[person] != p.home:
            return int(Activity.HOME), p.home, tick + self.sim.clock.ticks_for(45)
        return None

    def keep_in(self, person: int, activity: int, building: int, tick: int) -> tuple[int, int]:
        """A brain's choice under a curfew: nowhere but home (a meal out becomes a meal in); never into a
        building shut by fire or damage, nor to the park in a storm."""
        if self.incidents.busy:
            instead = self.incidents.redirect(person, activity, building)
            if instead is not None:
                activity, building = instead
        if not self._any_curfew():
            return activity, building
        p = self.sim.people[person]
        if building == p.home or not self._in_curfew(self._home_district(person),
                                                     self.sim.clock.minute_of_day(tick)):
            return activity, building
        return (activity if activity in (EAT, SLEEP) else int(Activity.HOME)), p.home

    @staticmethod
    def _past(curfew: float, minute: int) -> bool:
        """Is ``minute`` inside the curfew (from ``curfew`` until 05:00)?"""
        return minute >= curfew or minute < 5 * 60 if curfew >= 5 * 60 else curfew <= minute < 5 * 60

    def after_talk(self, events: list[Event], tick: int, rng: random.Random) -> list[Event]:
        """Conversations this tick pass on what people know; the words join the talk and the pair's history."""
        out: list[Event] = []
        names = self.sim.city.buildings
        for index, event in enumerate(events):
            if not isinstance(event, ConversationHeld) or event.tick != tick:
                continue
            cognition = self.sim.cognition
            heard: list[Event]
            lines: list[tuple[int, str]]
            if cognition is not None and cognition.talked_on_model(event.a, event.b):
                heard, lines = list(self._told_in_own_words(cognition, event, tick, rng)), []
            else:
                heard, lines = self.grapevine.on_talk(event.a, event.b, tick, rng)
            if cognition is not None:
                for fact in heard:
                    if isinstance(fact, FactHeard):
                        self._ask_going(cognition, fact, tick)
            if self.incidents.items:
                self.incidents.on_talk(event.a, event.b, tick, rng)
            if lines:
                event = event.adding(tuple(lines))
                events[index] = event
            out.extend(heard)
            first = event.opening
            self.sim.ties.note(event.a, event.b, tick, f"talked at {names[event.building].name}: \u201c{first}\u201d")
        return out

    def _told_in_own_words(self, cognition: Cognition, event: ConversationHeld, tick: int,
                           rng: random.Random) -> list[FactHeard]:
        """A talk on the model passes on what its lines carry, by meaning, and nothing else."""
        heard: list[FactHeard] = []
        for side, line in event.lines:
            teller, listener = (event.a, event.b) if side == 0 else (event.b, event.a)
            facts = [(f.id, f.text) for f in self.grapevine.untold(teller, listener, tick)]
            for fact_id in cognition.carried_facts(line, facts):
                heard.append(self.grapevine.pass_on(fact_id, teller, listener, tick, rng))
        return heard

    def _ask_going(self, cognition: Cognition, heard: FactHeard, tick: int) -> None:
        """A mind told of an event makes up its own mind whether to go (the rules' answer stands meanwhile)."""
        fact = self.grapevine.facts[heard.fact]
        if fact.kind == "event" and cognition.mind(heard.listener) is not None:
            cognition.consult_attend(heard.listener, {"id": fact.id, "text": fact.text, "teller": heard.teller,
                                                      "building": fact.building, "start": fact.start}, tick)

    def attend_answer(self, agent: int, data: dict[str, Any] | None, context: dict[str, Any], tick: int) -> list[Event]:
        """A mind's answer about going to an event; None (failed or refused) keeps the rules' decision."""
        if data is not None:
            self.grapevine.decide_going(int(context["fact"]), agent, bool(data["go"]))
        return []

    def shared_topics(self, a: int, b: int, tick: int) -> list[Topic]:
        """What ``a`` may bring up with ``b``: news both heard, and what happened in town that either knows."""
        topics = [Topic("fact_both", "fact", {"fact": f.text}, weight=2.0)
                  for f in self.grapevine.live_shared(a, b, tick, newest=2)]
        if self.incidents.items:
            topics.extend(self.incidents.topics(a, b, tick))
        return topics

    def end_tick(self, tick: int) -> list[Event]:
        return self.grapevine.watch_events(tick, self.sim.pop.location)

    def shared_event(self, witnesses: tuple[int, ...], text: str, tick: int) -> None:
        """People who went through something together and already know each other grow closer."""
        ties = self.sim.ties
        for i, a in enumerate(witnesses[:SHARED_WITNESSES]):
            for b in witnesses[i + 1:SHARED_WITNESSES]:
                tie = ties.get(a, b)
                if tie is not None:
                    tie.shared += 1
                    tie.familiarity = min(1.0, tie.familiarity + 0.02)
                    ties.note(a, b, tick, f"both there when: {text}")
        ties.version += 1

    def _remember_hearing(self, person: int, text: str, tick: int) -> None:
        if self.sim.cognition is not None:
            self.sim.cognition.hear(person, text, tick)

    # -- minds on the model in civic life (the governance's Deliberation) --------------------

    def ask_vote(self, member: int, about: dict[str, Any], tick: int) -> bool:
        cognition = self.sim.cognition
        return cognition is not None and cognition.consult_vote(member, about, tick)

    def ask_proposal(self, agent: int, district: dict[str, Any], options: list[dict[str, Any]], tick: int) -> bool:
        cognition = self.sim.cognition
        return cognition is not None and cognition.consult_proposal(agent, district, options, tick)

    def civic_answer(self, kind: ThoughtKind, agent: int, data: dict[str, Any] | None, context: dict[str, Any],
                     tick: int) -> None:
        """A mind answered (``data`` None: the thought failed, and the rules stand in for it)."""
        if kind == ThoughtKind.CIVIC_VOTE:
            if data is not None:
                self.governance.record_vote(int(context["proposal"]), agent, data["vote"] == "yes")
            return
        option = proposal_choice(data, context) if data is not None else context["options"][0]
        if option is not None:
            reason = str(data["reason"]) if data is not None else ""
            self._civic_events.extend(
                self.governance.propose_from_mind(agent, int(context["district"]), option, reason, tick))

    # -- what the rule brain asks ----------------------------------------------------------

    def open_now(self, building: Building, minute: int) -> bool:
        """Open, counting the district's opening-hours policy for cafes and shops (later or earlier closing),
        and shut while burnt or damaged."""
        if self.incidents.closed and building.id in self.incidents.closed:
            return False
        if building.id not in self.economy.businesses:
            return building.is_open(minute)
        extra = int(self._district_policy("opening_hours").get(self.economy.district(building.id), 0))
        return open_with_extra(building.opens, building.closes, extra, minute)

    def draw_customers(self, kind: int, candidates: list[int]) -> list[int]:
        return self.incidents.draw(kind, candidates) if self.incidents.busy else candidates

    def heard_of(self, person: int) -> tuple[list[str], list[str]]:
        happened = [i.text for i in reversed(self.incidents.items) if self.incidents.knows(person, i.id)]
        facts = [f.text for f in reversed(self.grapevine.facts) if self.grapevine.knows(f.id, person)]
        return happened, facts

    def burned(self, building: int) -> bool:
        return any(i.building == building and i.kind == "fire" for i in self.incidents.items)

    def can_serve(self, building: int) -> bool:
        return self.economy.can_serve(building)

    def park_appeal(self, person: int) -> float:
        """How much likelier a walk in the park is where the district funds its parks (1: unfunded)."""
        district = self._home_district(person)
        return 1.0 + min(1.0, self._district_policy("park_funding").get(district, 0.0) / 20_000)

    # -- changes to the cast ---------------------------------------------------------------

    def rebind(self) -> None:
        """The population's arrays were replaced (grown or restored)."""
        self.ledger.bind(self.sim.pop.money)

    def person_added(self, person: int) -> None:
        self.economy.cast_changed()
        self.rebind()
        self.ledger.opened(acct.person(person), int(self.sim.pop.money[person]))

    def person_removed(self, person: int) -> None:
        self.economy.cast_changed()
        self.governance.person_removed(person)
        self.grapevine.person_removed(person)

    def person_returned(self, person: int, replaced_balance: int | None = None) -> None:
        """Back in town. ``replaced_balance``: a spawn made again in their place, whose purse replaced
        that balance; the books follow (a new account if the old one never existed, else a grant)."""
        self.economy.cast_changed()
        if replaced_balance is None:
            return
        money = int(self.sim.pop.money[person])
        code = acct.person(person)
        untouched = replaced_balance == 0 and code not in self.ledger.opening and not self.ledger.touches(code)
        if untouched:  # as on a first arrival (a replay from before they came)
            self.ledger.opened(code, money)
        else:  # the account lives on: the difference comes from outside, as any gift does
            self.sim.pop.money[person] = replaced_balance
            self.grant(person, money - replaced_balance, self.sim.tick)

    def city_changed(self) -> None:
        self.economy.city_changed()

    def grant(self, person: int, cents: int, tick: int) -> None:
        """God mode changed someone's money: the difference comes from (or goes to) the world outside."""
        if cents > 0:
            self.ledger.post(tick, "grant", acct.OUTSIDE_CODE, acct.person(person), cents)
        elif cents < 0:
            self.ledger.post(tick, "grant", acct.person(person), acct.OUTSIDE_CODE, -cents)

    # -- views -----------------------------------------------------------------------------

    def view(self, tick: int) -> SocietyView:
        governance: GovernanceView = self.governance.view()  # first: it notices treasury changes itself
        key = (self.governance.version, self.grapevine.version, self.economy.version, len(self.sim.people))
        if self._view is None or key != self._view_key or tick - self._view_tick >= VIEW_EVERY:
            # The version moves on every rebuild, not only from tick to tick: an edit while paused (the
            # thought economy switched on) rebuilds the view within one tick, and the economy dock
            # redraws only when the version it shows moved.
            version = tick if self._view is None else max(tick, self._view.economy.version + 1)
            economy = self.economy.view(version)
            alive = sum(1 for p in self.sim.people if not p.removed)
            self._view = SocietyView(economy, governance, self.grapevine.views(), self.sim.ties.density(alive))
            self._view_key, self._view_tick = key, tick
        return self._view

    def ledger_page(self, query: QueryLedger, tick: int) -> LedgerResult:
        wanted = set()
        if query.person >= 0:
            wanted.add(acct.person(query.person))
        if query.building >= 0:
            wanted.add(acct.building(query.building))
        if query.district >= 0:
            wanted.add(acct.treasury(query.district))
        matching = [
            (index, row) for index, row in self.ledger.rows()
            if (not query.kind or self.ledger.kind_of(row) == query.kind)
            and (not wanted or row[2] in wanted or row[3] in wanted)
        ]
        page = matching[query.offset: query.offset + max(1, query.limit)]
        rows = tuple(
            TransactionView(index, tick_, self.ledger.kind_of(row), acct.account(payer), acct.account(payee), amount,
                            self.account_name(payer), self.account_name(payee))
            for index, row in page
            for tick_, _kind, payer, payee, amount in (row,)
        )
        return LedgerResult(tick, query.id, rows, len(matching), self.ledger.window_start_tick)

    def account_name(self, code: int) -> str:
        account = acct.account(code)
        if account.kind == acct.PERSON:
            return self.sim.people[account.id].name
        if account.kind == acct.BUILDING:
            return self.sim.city.buildings[account.id].name
        if account.kind == acct.TREASURY:
            return f"{self.sim.city.districts[account.id].name} treasury"
        return "outside the town"

    def pair(self, query: QueryPair, tick: int) -> PairReport:
        people = self.sim.people
        for who in (query.a, query.b):
            if not 0 <= who < len(people):
                raise ValueError(f"there is no person {who}")
        tie = self.sim.ties.get(query.a, query.b)
        if tie is None:
            return PairReport(tick, query.id, query.a, query.b, "stranger", 0.0, 0.0, 0.0, 0, -1, 0, (),
                              tuple(self.grapevine.shared_facts(query.a, query.b)))
        return PairReport(tick, query.id, query.a, query.b, tie.label, round(tie.affinity, 3),
                          round(tie.familiarity, 3), round(tie.trust, 3), tie.meetings, tie.last_tick, tie.shared,
                          tuple(self.sim.ties.history(query.a, query.b)),
                          tuple(self.grapevine.shared_facts(query.a, query.b)))

    def summary(self) -> SocietySummary:
        alive = [p.id for p in self.sim.people if not p.removed]
        return {
            "economy": self.economy.summary(),
            "governance": self.governance.summary(),
            "social": social_summary(self.sim.ties, alive),
        }

    def metrics(self) -> dict[str, float]:
        """The society's curves for the timeline (sampled with the others)."""
        treasury = sum(cents for _d, cents in self.economy.treasuries())
        return {"gdp": self.economy.gdp() / 100, "gini": round(self.economy.gini(), 4), "treasury": treasury / 100}

    # -- state -----------------------------------------------------------------------------

    def get_state(self) -> dict[str, object]:
        return {
            "ledger": self.ledger.get_state(),
            "economy": self.economy.get_state(),
            "grapevine": self.grapevine.get_state(),
            "governance": self.governance.get_state(),
            "incidents": self.incidents.get_state(),
            "people": len(self.sim.people),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self.rebind()
        self.economy.cast_changed()
        self.ledger.set_state(state["ledger"])
        self.economy.set_state(state["economy"])
        self.grapevine.set_state(state["grapevine"])
        self.governance.set_state(state["governance"])
        self.incidents.set_state(state.get("incidents"))
        for person in range(int(state["people"]), len(self.sim.people)):
            if not self.sim.people[person].removed:  # arrived after the save (and still here)
                self.ledger.opened(acct.person(person), int(self.sim.pop.money[person]))
        self._view = None


def social_summary(ties: Relationships, people: list[int]) -> dict[str, Any]:
    """Density (share of pairs who know each other) and communities of the acquaintance network."""
    graph = nx.Graph()
    graph.add_nodes_from(people)
    alive = set(people)
    for (a, b), tie in ties.items():
        if tie.familiarity >= 0.1 and a in alive and b in alive:
            graph.add_edge(a, b, weight=max(0.05, tie.affinity + 1.0))
    communities = nx.community.louvain_communities(graph, weight="weight", seed=0) if graph.number_of_edges() else []
    sizes = sorted((len(c) for c in communities if len(c) > 1), reverse=True)
    return {
        "density": round(ties.density(len(people)), 4),
        "ties": graph.number_of_edges(),
        "communities": len(sizes),
        "community_sizes": sizes[:10],
        "friends": sum(1 for _k, t in ties.items() if t.label in ("friend", "close friend")),
        "rivals": sum(1 for _k, t in ties.items() if t.label == "rival"),
    }


def open_with_extra(opens: int, closes: int, extra: int, minute: int) -> bool:
    """Opening hours ``opens``-``closes`` (minutes of day; closes <= opens: across midnight; 0-1440: always)
    with closing moved by ``extra`` minutes (later if positive, earlier if negative)."""
    span = (closes - opens) % MINUTES_PER_DAY or MINUTES_PER_DAY
    if span == MINUTES_PER_DAY and extra >= 0:
        return True  # open all day, and later is no later
    span = max(0, min(MINUTES_PER_DAY, span + extra))
    return (minute - opens) % MINUTES_PER_DAY < span
