"""What an injected event does to the town: fires, festivals, storms and new shops.

The player's words ("A fire breaks out at the Copper Kettle") are matched against
the keywords in ``words/incidents.toml``; a match becomes an *incident* with
phases and consequences, the same on the rule brain and on the model:

* **fire**: the building burns for a while and closes; everyone inside runs out,
  neighbours gather to watch or help; then it is repaired over days, each
  midnight's share of the cost paid by its owner through the ledger ("repair");
* **festival**: a crowd comes, lifting their mood, and spends at the stalls;
* **storm**: whoever is outdoors or in a park shelters, outdoor plans are
  dropped, and a building may be damaged (and repaired, as after a fire);
* **new shop**: it holds a grand opening with opening prices; curious people
  look in, and customers go there rather than to its rivals.

People who were there or heard of it bring it up in small talk for days, and
pass it on. What people are told to do comes through the society's ``agenda``,
before any brain. Random picks use a generator seeded from the incident, so
the running dice of the day are not disturbed and a replay does the same.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.agents.dice import Dice
from engine.agents.grammar import Grammar, load_rules, words_file
from engine.agents.population import FUN, SOCIAL
from engine.agents.talk import Topic
from engine.contracts.enums import Activity, BuildingType
from engine.contracts.events import Event, IncidentChanged
from engine.contracts.snapshots import IncidentView
from engine.society import ledger as acct
from engine.society import spots
from engine.state.clock import WEEKDAYS

if TYPE_CHECKING:
    from engine.society.society import Society

WORDS = Grammar(load_rules(words_file(__file__, "incidents")))
KINDS = ("shop", "fire", "festival", "storm")  # the order keywords are tried in
HOME, SOCIAL_ACT, SHOP_ACT, SLEEP = int(Activity.HOME), int(Activity.SOCIAL), int(Activity.SHOP), int(Activity.SLEEP)
WORK, STUDY, LEISURE = int(Activity.WORK), int(Activity.STUDY), int(Activity.LEISURE)
OUTDOORS = {BuildingType.PARK}
HOMES = {BuildingType.HOME, BuildingType.APARTMENT}

FIRE_BURNS_MINUTES = 90
REPAIR_DAYS = {"fire": 2, "damage": 1}
REPAIR_COST = {"fire": 250_000, "damage": 60_000}  # cents, before the neighbours' help
FESTIVAL_MINUTES = 240
STORM_MINUTES = 180
OPENING_DAYS = 2
OPENING_DISCOUNT = 0.75  # opening prices
TALKED_ABOUT_DAYS = 4  # people bring it up in small talk this long after it began
FLEE_MINUTES = 40
WATCH_MINUTES = (40, 90)
FESTIVAL_LIFT = 0.01  # social and fun, per sim minute at the festival
PASS_ON = 0.85  # chance one who knows tells one who does not when they talk


def kind_of(text: str) -> str:
    """fire | festival | storm | shop, or "event" for anything else."""
    lowered = text.lower()
    for kind in KINDS:
        if any(word in lowered for word in WORDS.rules[f"keywords_{kind}"]):
            return kind
    return "event"


@dataclass
class Incident:
    id: int
    kind: str
    text: str
    building: int  # -1: an area
    x: int
    y: int
    radius: float
    start: int
    phase: str
    phase_end: int  # tick this phase ends; -1: it is over
    payer: int = -1  # ledger account that pays for repairs
    repair_total: int = 0  # cents
    paid: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.phase_end >= 0

    def as_list(self) -> list[object]:
        return [self.id, self.kind, self.text, self.building, self.x, self.y, self.radius, self.start, self.phase,
                self.phase_end, self.payer, self.repair_total, self.paid, sorted(self.counts.items())]

    @classmethod
    def from_list(cls, row: list[Any]) -> Incident:
        *head, counts = row
        return cls(int(head[0]), str(head[1]), str(head[2]), int(head[3]), int(head[4]), int(head[5]), float(head[6]),
                   int(head[7]), str(head[8]), int(head[9]), int(head[10]), int(head[11]), int(head[12]),
                   {str(k): int(v) for k, v in counts})


class Incidents:
    def __init__(self, society: Society, hear_hook: Callable[[int, str, int], None] | None = None):
        """``hear_hook``: puts what a person saw or heard into a mind's memory, when they have one."""
        self.society = society
        self.sim = society.sim  # the town it happens in: people, where they are, the map and the clock
        self.items: list[Incident] = []
        self.known: dict[int, set[int]] = {}  # incident -> people who saw or heard of it
        self.plans: dict[int, tuple[int, int, int]] = {}  # person -> (activity, building, until) they were told
        self.closed: set[int] = set()  # buildings shut by fire or damage
        self.came: dict[int, set[int]] = {}  # festival / opening -> who came
        self.version = 0
        self.hear_hook = hear_hook

    # -- starting one ----------------------------------------------------------------------

    def begin(self, text: str, x: int, y: int, radius: float, witnesses: tuple[int, ...], tick: int) -> list[Event]:
        events = self._start(text, x, y, radius, witnesses, tick)
        if self.society.plugin_incident is not None:  # plugins hear of it (and may claim words the core does not know)
            events = [*events, *self.society.plugin_incident(self.items[-1], tick)]
        return events

    def _start(self, text: str, x: int, y: int, radius: float, witnesses: tuple[int, ...], tick: int) -> list[Event]:
        kind = kind_of(text)
        sim = self.sim
        target = spots.building_near(sim.city, x, y, radius, kind)
        ident = len(self.items)
        incident = Incident(ident, kind, text.strip(), target, int(x), int(y), float(radius), tick, "", -1)
        self.items.append(incident)
        self.known[ident] = set(witnesses)
        self.version += 1
        rng = Dice(tick, ident)
        if kind == "fire" and target >= 0:
            return [self._fire(incident, rng, tick)]
        if kind == "festival" and target >= 0:
            return [self._festival(incident, rng, tick)]
        if kind == "storm":
            return self._storm(incident, rng, tick)
        if kind == "shop" and target >= 0:
            return [self._opening(incident, rng, tick)]
        incident.kind = "event"  # nothing to burn or open: remembered and talked about all the same
        return []

    def _fire(self, incident: Incident, rng: Dice, tick: int) -> Event:
        sim, pop = self.sim, self.sim.pop
        b = incident.building
        incident.phase, incident.phase_end = "burning", tick + sim.clock.ticks_for(FIRE_BURNS_MINUTES)
        self.closed.add(b)
        refuge = spots.refuge(sim.city, b)
        inside = np.flatnonzero(pop.location == b).tolist()
        for person in inside:  # everyone out, the sleeping too
            home = sim.people[person].home
            self._tell(person, SOCIAL_ACT if home == b else HOME, refuge if home == b else home,
                       tick + sim.clock.ticks_for(FLEE_MINUTES), tick, force=True)
            self._remember(person, "memory_fled", incident, tick)
        for person in np.flatnonzero(pop.moving & (pop.destination == b)).tolist():
            pop.moving[person] = False  # heading there: think again
            pop.destination[person] = -1
            pop.until[person] = tick + 1
        gathered = helped = 0
        fled = set(inside)
        for person in sorted(self.known[incident.id] - fled):
            p = sim.people[person]
            if pop.activity[person] == SLEEP or p.age < 10 or pop.moving[person] or rng.random() > 0.45 + 0.4 * p.traits[2]:
                continue
            helps = 16 <= p.age <= 70 and p.traits[3] > 0.55
            self._tell(person, SOCIAL_ACT, refuge, tick + sim.clock.ticks_for(rng.randint(*WATCH_MINUTES)), tick)
            self._remember(person, "memory_helped" if helps else "memory_watched", incident, tick)
            gathered += 1
            helped += helps
        self.known[incident.id] |= fled
        owner = self.society.economy.properties.get(b)
        incident.payer = (self.society.economy._owner_account(owner.owner, b) if owner is not None
                          else acct.treasury(self.society.economy.district(b)))
        incident.repair_total = int(REPAIR_COST["fire"] * max(0.6, 1.0 - 0.03 * helped))
        incident.counts = {"fled": len(inside), "gathered": gathered, "helped": helped}
        return self._story(incident, tick, fled=len(inside), gathered=gathered, helped=helped)

    def _festival(self, incident: Incident, rng: Dice, tick: int) -> Event:
        sim, pop = self.sim, self.sim.pop
        b = incident.building
        incident.phase, incident.phase_end = "on", tick + sim.clock.ticks_for(FESTIVAL_MINUTES)
        entrance = sim.city.buildings[b].entrance
        distance = np.abs(pop.xy[:, 0] - entrance[0]) + np.abs(pop.xy[:, 1] - entrance[1])
        coming = 0
        for p in sim.people:
            if p.removed or pop.activity[p.id] == SLEEP:
                continue
            near = distance[p.id] <= incident.radius * 3
            chance = (0.3 + 0.6 * p.traits[2] - 0.2 * p.traits[4]) if near else 0.1 * p.traits[2]
            if rng.random() < chance:
                busy = pop.activity[p.id] in (WORK, STUDY)  # they come after work (their next decision)
                self._tell(p.id, SOCIAL_ACT, b, incident.phase_end, tick, force=False, now=not busy)
                self.known[incident.id].add(p.id)
                coming += 1
        self.came[incident.id] = set()
        incident.counts = {"coming": coming, "came": 0, "spent": 0}
        incident.payer = spots.stall(sim.city, self.society.economy.businesses, b)  # the food stalls' takings
        return self._story(incident, tick, coming=coming)

    def _storm(self, incident: Incident, rng: Dice, tick: int) -> list[Event]:
        sim, pop, city = self.sim, self.sim.pop, self.sim.city
        incident.building = -1
        incident.phase, incident.phase_end = "raging", tick + sim.clock.ticks_for(STORM_MINUTES)
        inside = self._in_area(incident)
        sheltered = dropped = 0
        for person in inside:
            here = int(pop.location[person])
            heading = int(pop.destination[person]) if pop.moving[person] else -1
            out = (here >= 0 and city.buildings[here].type in OUTDOORS) or (
                heading >= 0 and city.buildings[heading].type in OUTDOORS)
            if not out:
                continue
            if heading >= 0:
                pop.moving[person] = False
                pop.destination[person] = -1
                dropped += 1
            self._tell(person, HOME, sim.people[person].home, incident.phase_end, tick, force=True)
            self._remember(person, "memory_storm", incident, tick)
            sheltered += 1
        self.known[incident.id] |= set(inside)
        incident.counts = {"sheltered": sheltered, "dropped": dropped}
        events: list[Event] = [self._story(incident, tick, sheltered=sheltered, dropped=dropped)]
        standing = [b.id for b in city.buildings if not b.removed and b.type not in OUTDOORS
                    and (b.entrance[0] - incident.x) ** 2 + (b.entrance[1] - incident.y) ** 2 <= incident.radius ** 2]
        if standing and rng.random() < 0.6:  # the wind takes a roof
            victim = standing[rng.randrange(len(standing))]
            damage = Incident(len(self.items), "damage", incident.text, victim, incident.x, incident.y, 0.0, tick,
                              "", -1)
            self.items.append(damage)
            self.known[damage.id] = set(self.known[incident.id])
            events.append(self._damaged(damage, tick))
        return events

    def _opening(self, incident: Incident, rng: Dice, tick: int) -> Event:
        sim, pop = self.sim, self.sim.pop
        b = incident.building
        economy = self.society.economy
        incident.phase = "opening"
        incident.phase_end = tick + sim.clock.ticks_for(OPENING_DAYS * 24 * 60)
        shop = economy.businesses.get(b)
        if shop is not None:
            shop.price = max(1, int(shop.price * OPENING_DISCOUNT))
            shop.stock = max(shop.stock, shop.capacity * 8)  # stocked up for the crowd
            economy.version += 1
        entrance = sim.city.buildings[b].entrance
        curious = 0
        for p in sim.people:
            if p.removed or pop.activity[p.id] == SLEEP:
                continue
            near = abs(pop.xy[p.id, 0] - entrance[0]) + abs(pop.xy[p.id, 1] - entrance[1]) <= incident.radius * 3
            if near and rng.random() < 0.3 + 0.4 * p.traits[0]:
                busy = pop.activity[p.id] in (WORK, STUDY)
                self._tell(p.id, SHOP_ACT, b, tick + sim.clock.ticks_for(rng.randint(20, 40)), tick, now=not busy)
                self.known[incident.id].add(p.id)
                curious += 1
        self.came[incident.id] = set()
        incident.counts = {"curious": curious, "customers": 0, "lost": 0}
        return self._story(incident, tick, curious=curious)

    def _damaged(self, incident: Incident, tick: int) -> Event:
        """Closed for repairs, paid for by the owner a share each midnight."""
        sim = self.sim
        b = incident.building
        kind = "fire" if incident.kind == "fire" else "damage"
        incident.phase = "damaged"
        incident.phase_end = tick + sim.clock.ticks_for(REPAIR_DAYS[kind] * 24 * 60)
        self.closed.add(b)
        if incident.payer < 0:
            owner = self.society.economy.properties.get(b)
            incident.payer = (self.society.economy._owner_account(owner.owner, b) if owner is not None
                              else acct.treasury(self.society.economy.district(b)))
            incident.repair_total = REPAIR_COST[kind]
        for person in np.flatnonzero(sim.pop.location == b).tolist():  # a damaged building is emptied too
            self._tell(person, HOME, sim.people[person].home, tick + sim.clock.ticks_for(FLEE_MINUTES), tick, force=True)
        return self._story(incident, tick, phase="damaged")

    # -- the clock -------------------------------------------------------------------------

    def on_tick(self, tick: int) -> list[Event]:
        """Phases that end now move on; festival-goers enjoy themselves and spend."""
        events: list[Event] = []
        for incident in self.items:
            if not incident.active:
                continue
            if incident.kind == "festival":
                self._festival_tick(incident, tick)
            elif incident.kind == "shop":
                self._opening_tick(incident)
            if incident.phase_end == tick:
                events.extend(self._next_phase(incident, tick))
        return events

    def _next_phase(self, incident: Incident, tick: int) -> list[Event]:
        self.version += 1
        if incident.phase == "burning":
            return [self._damaged(incident, tick)]
        if incident.phase == "damaged":
            self._pay(incident, tick, incident.repair_total - incident.paid)
            self.closed.discard(incident.building)
            incident.phase, incident.phase_end = "repaired", -1
            return [self._story(incident, tick)]
        if incident.kind == "shop":
            shop = self.society.economy.businesses.get(incident.building)
            if shop is not None:
                shop.price = max(1, round(shop.price / OPENING_DISCOUNT))
        incident.phase, incident.phase_end = "over", -1
        return [self._story(incident, tick)]

    def call_off(self, ident: int, tick: int) -> None:
        """The happening is taken back (its injection undone): it ends as if it never was. A building it
        shut opens again, whoever it sent somewhere thinks again, nobody brings it up, opening prices go,
        and repairs already paid are refunded to the payer."""
        if not 0 <= ident < len(self.items):
            raise ValueError(f"there is no happening {ident}")
        incident = self.items[ident]
        if incident.kind == "shop" and incident.active:
            shop = self.society.economy.businesses.get(incident.building)
            if shop is not None:
                shop.price = max(1, round(shop.price / OPENING_DISCOUNT))
        incident.phase, incident.phase_end = "called off", -1
        self.closed = {i.building for i in self.items if i.active and i.phase in ("burning", "damaged")}
        pop = self.sim.pop
        for person in sorted(self.known.get(ident, set()) | self.came.get(ident, set())):
            if self.plans.pop(person, None) is not None and not pop.moving[person]:
                pop.until[person] = min(int(pop.until[person]), tick + 1)  # back to their own day
        self.known[ident] = set()
        self.came.pop(ident, None)
        if incident.paid > 0 and incident.payer >= 0:
            self.society.ledger.post(tick, "repair", acct.OUTSIDE_CODE, incident.payer, incident.paid)
            incident.paid = 0
            self.society.economy.version += 1
        self.version += 1

    def midnight(self, tick: int) -> None:
        """A day's share of each repair is paid."""
        for incident in self.items:
            if incident.active and incident.phase == "damaged":
                days = REPAIR_DAYS["fire" if incident.kind == "fire" else "damage"]
                self._pay(incident, tick, min(incident.repair_total - incident.paid, incident.repair_total // days))

    def _pay(self, incident: Incident, tick: int, cents: int) -> None:
        if cents > 0 and incident.payer >= 0:
            self.society.ledger.post(tick, "repair", incident.payer, acct.OUTSIDE_CODE, cents)
            incident.paid += cents
            self.society.economy.version += 1

    def _festival_tick(self, incident: Incident, tick: int) -> None:
        pop = self.sim.pop
        here = np.flatnonzero(pop.location == incident.building)
        if here.size == 0:
            return
        lift = FESTIVAL_LIFT * self.sim.clock.minutes_per_tick
        pop.needs[here, SOCIAL] = np.minimum(1.0, pop.needs[here, SOCIAL] + lift)
        pop.needs[here, FUN] = np.minimum(1.0, pop.needs[here, FUN] + lift)
        came = self.came[incident.id]
        for person in here.tolist():
            if person not in came:
                came.add(person)
                self.known[incident.id].add(person)
                incident.counts["came"] += 1
                if incident.payer >= 0:  # a bite at the stalls
                    incident.counts["spent"] += self.society.economy.buy(person, incident.payer, tick)
                self._remember(person, "memory_festival", incident, tick)

    def _opening_tick(self, incident: Incident) -> None:
        pop = self.sim.pop
        came = self.came[incident.id]
        for person in np.flatnonzero(pop.location == incident.building).tolist():
            if person not in came:
                came.add(person)
                self.known[incident.id].add(person)
                incident.counts["customers"] += 1

    # -- what people are told, and where they may not go -----------------------------------

    def _tell(self, person: int, activity: int, building: int, until: int, tick: int, force: bool = False,
              now: bool = True) -> None:
        self.plans[person] = (activity, building, until)
        pop = self.sim.pop
        if now and not pop.moving[person] and (force or pop.activity[person] != SLEEP):
            pop.until[person] = min(int(pop.until[person]), tick)

    def agenda(self, person: int, tick: int) -> tuple[int, int, int] | None:
        plan = self.plans.get(person)
        if plan is None:
            return None
        if plan[2] <= tick or plan[1] in self.closed:
            del self.plans[person]
            return None
        return plan

    def redirect(self, person: int, activity: int, building: int) -> tuple[int, int] | None:
        """Where someone goes instead of a closed building or, in a storm, a park."""
        if building in self.closed:
            home = self.sim.people[person].home
            if home not in self.closed:
                return HOME, home
            return activity if activity == SLEEP else SOCIAL_ACT, self._shelter(person)
        for incident in self.items:
            if incident.kind == "storm" and incident.active and activity == LEISURE:
                b = self.sim.city.buildings[building]
                if b.type in OUTDOORS and (b.entrance[0] - incident.x) ** 2 + (b.entrance[1] - incident.y) ** 2 \
                        <= incident.radius ** 2:
                    incident.counts["dropped"] += 1
                    return HOME, self.sim.people[person].home
        return None

    def _shelter(self, person: int) -> int:
        """Where someone whose home is shut stays meanwhile: family or a close friend living elsewhere,
        else the place people gather."""
        sim = self.sim
        home = sim.people[person].home
        ties = sim.ties
        known = ties.known_by(person)
        family = sorted(o for o in known if ties.known_tie(person, o).family)
        for other in family + ties.closest(person, 3):
            elsewhere = sim.people[other].home
            if elsewhere != home and elsewhere not in self.closed and not sim.people[other].removed:
                return elsewhere
        return spots.refuge(sim.city, home)

    def draw(self, kind: int, candidates: list[int]) -> list[int]:
        """A shop in its grand opening is tried first by whoever has it among their nearby choices."""
        for incident in self.items:
            if incident.kind == "shop" and incident.active and incident.building in candidates \
                    and int(self.sim.city.buildings[incident.building].type) == kind:
                if candidates[0] != incident.building:
                    incident.counts["lost"] += 1  # a rival's customer
                return [incident.building] + [c for c in candidates if c != incident.building]
        return candidates

    @property
    def busy(self) -> bool:
        """Anything that may change where people go (checked before the per-person work)."""
        if self.plans or self.closed:
            return True
        # asked at every decision: no generator at all while the town has had no incidents
        return bool(self.items) and any(incident.phase_end >= 0 for incident in self.items)

    # -- talk ------------------------------------------------------------------------------

    def topics(self, a: int, b: int, tick: int) -> list[Topic]:
        topics: list[Topic] = []
        recent = self.sim.clock.ticks_for(TALKED_ABOUT_DAYS * 24 * 60)
        for incident in reversed(self.items):
            if tick - incident.start > recent or len(topics) >= 2:
                break
            known = self.known.get(incident.id, set())
            if a not in known:
                continue
            both = b in known
            kind = {"damage": "storm"}.get(incident.kind, incident.kind)
            if both and kind == "fire" and incident.phase in ("damaged", "repaired"):
                group = "fire_after"
            else:
                group = f"{kind}_{'both' if both else 'tell'}"
            topics.append(Topic(group, "event" if both else "news", self._facts(incident), weight=3.0))
        return topics

    def on_talk(self, a: int, b: int, tick: int, rng: random.Random) -> None:
        """Whoever knows tells whoever does not (the incidents still talked about)."""
        recent = self.sim.clock.ticks_for(TALKED_ABOUT_DAYS * 24 * 60)
        for incident in self.items:
            if tick - incident.start > recent:
                continue
            known = self.known[incident.id]
            if (a in known) == (b in known):
                continue
            teller, listener = (a, b) if a in known else (b, a)
            if rng.random() < PASS_ON:
                known.add(listener)
                self._remember(listener, "memory_heard", incident, tick, teller=self.sim.people[teller].name)

    def knows(self, person: int, incident: int) -> bool:
        return person in self.known.get(incident, ())

    # -- words -----------------------------------------------------------------------------

    def _facts(self, incident: Incident) -> dict[str, str]:
        sim = self.sim
        place = sim.city.buildings[incident.building].name if incident.building >= 0 else self._area(incident)
        text = incident.text[:1].lower() + incident.text[1:]
        owner = acct.account(incident.payer) if incident.payer >= 0 else None
        owner_name = sim.people[owner.id].first_name if owner is not None and owner.kind == acct.PERSON else "the council"
        return {"event_place": place, "event_text": text, "event_owner": owner_name,
                "event_day": WEEKDAYS[sim.clock.weekday(incident.start)],
                "kind_word": WORDS.rules[f"kind_word_{incident.kind}"][0] if incident.kind != "event" else "news",
                "place": place}

    def _area(self, incident: Incident) -> str:
        city = self.sim.city
        if incident.radius >= 30:
            return "the town"
        district = spots.district_at(city, incident.x, incident.y)
        return city.districts[district].name if district >= 0 else "the town"

    def _story(self, incident: Incident, tick: int, phase: str | None = None, **counts: int) -> IncidentChanged:
        phase = phase or incident.phase
        facts = self._facts(incident)
        facts["area"] = self._area(incident)
        facts.update({k: str(v) for k, v in counts.items()})
        facts.update({k: str(v) for k, v in incident.counts.items() if k not in counts})
        facts["spent"] = f"${incident.counts.get('spent', 0) / 100:,.2f}"
        facts["cost"] = f"${incident.paid / 100:,.2f}"
        facts["days"] = str(REPAIR_DAYS["fire" if incident.kind == "fire" else "damage"])
        facts["owner"] = self.society.account_name(incident.payer) if incident.payer >= 0 else "the town"
        facts["rivals"] = "rivals"
        kind = "storm" if incident.kind == "damage" else incident.kind
        text = WORDS.pick(f"story_{kind}_{phase}", Dice(incident.id), facts)
        return IncidentChanged(tick, incident.id, incident.kind, phase, incident.building, text)

    def _remember(self, person: int, group: str, incident: Incident, tick: int, **extra: str) -> None:
        if self.hear_hook is None:
            return
        facts = {**self._facts(incident), **extra}
        self.hear_hook(person, WORDS.pick(group, Dice(incident.id, person), facts), tick)

    def _in_area(self, incident: Incident) -> list[int]:
        pop = self.sim.pop
        distance = np.hypot(pop.xy[:, 0] - (incident.x + 0.5), pop.xy[:, 1] - (incident.y + 0.5))
        alive = np.array([not p.removed for p in self.sim.people], dtype=bool)
        return np.flatnonzero(alive & (distance <= incident.radius)).tolist()

    # -- views and state -------------------------------------------------------------------

    def views(self) -> tuple[IncidentView, ...]:
        return tuple(
            IncidentView(i.id, i.kind, i.phase, i.building, i.x, i.y, i.radius, i.start, i.phase_end, i.text)
            for i in self.items if i.active
        )

    def get_state(self) -> dict[str, object]:
        return {
            "items": [i.as_list() for i in self.items],
            "known": [[k, sorted(v)] for k, v in sorted(self.known.items())],
            "plans": [[p, *plan] for p, plan in sorted(self.plans.items())],
            "came": [[k, sorted(v)] for k, v in sorted(self.came.items())],
        }

    def set_state(self, state: dict[str, Any] | None) -> None:
        state = state or {"items": [], "known": [], "plans": [], "came": []}
        self.items = [Incident.from_list(row) for row in state["items"]]
        self.known = {int(k): {int(p) for p in v} for k, v in state["known"]}
        self.plans = {int(p): (int(a), int(b), int(u)) for p, a, b, u in state["plans"]}
        self.came = {int(k): {int(p) for p in v} for k, v in state["came"]}
        self.closed = {i.building for i in self.items if i.active and i.phase in ("burning", "damaged")}
        self.version += 1
