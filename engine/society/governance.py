"""District councils: elections, proposals, council votes and the policies they set.

Everything happens at fixed moments of the sim day (proposals at 09:00, campaigns
and elections at 12:00, the council meeting at 18:00), so ``on_tick`` compares
the tick with the next moment due and returns at once otherwise. Campaigns,
proposals and outcomes are seeded on the grapevine, so what people heard (and
from whom) sways how they vote.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from engine.contracts.events import ElectionHeld, Event, PolicyChanged, ProposalMade, VoteHeld
from engine.contracts.society import (
    POLICIES,
    CouncilView,
    ElectionView,
    GovernanceView,
    PolicyView,
    ProposalView,
)
from engine.society import policies, voting
from engine.society.places import residents_by_district
from engine.state.city import City, District
from engine.state.clock import MINUTES_PER_DAY, Clock
from engine.state.person import Person
from engine.state.relationships import Relationships

PROPOSALS_AT = 9 * 60
ELECTIONS_AT = 12 * 60
MEETING_AT = 18 * 60
CONSULT_AT = MEETING_AT - 60  # councillors with minds are asked for their votes an hour before the meeting
TERM_DAYS = voting.TERM_DAYS  # councils sit for a week
CAMPAIGN_DAYS = 2  # candidates stand this long before the vote, so word of them can spread
DEBATE_MINUTES = 6 * 60  # a proposal waits this long before the council votes on it
RETRY_DAYS = 3  # a proposal voted down is not brought back by residents for this long
SEATS, BIG_SEATS, BIG_DISTRICT = 3, 5, 150
VIEW_CAP = 50
OPEN, PASSED, FAILED, WITHDRAWN = "open", "passed", "failed", "withdrawn"
NEVER = 2**62


class Hearsay(Protocol):
    """What governance needs from word of mouth (the grapevine implements it)."""

    def seed(self, origin: int, text: str, tick: int, kind: str = "news") -> int: ...

    def knows(self, fact: int, person: int) -> bool: ...

    def heard_from(self, fact: int, person: int) -> int: ...


class Deliberation(Protocol):
    """People who think on the model: asked ahead, they answer later (or never: then the rules decide)."""

    def ask_vote(self, member: int, about: dict[str, Any], tick: int) -> bool: ...

    def ask_proposal(self, agent: int, district: dict[str, Any], options: list[dict[str, Any]], tick: int) -> bool: ...


@dataclass
class Council:
    seats: int = SEATS
    members: list[int] = field(default_factory=list)
    runners_up: list[int] = field(default_factory=list)  # from the last election, best first
    campaigns: list[list[int]] = field(default_factory=list)  # [candidate, fact] for the coming election


@dataclass
class Proposal:
    id: int
    district: int
    policy: str
    value: float
    text: str
    reason: str
    proposer: int  # -1: the player
    made_tick: int
    fact: int  # the grapevine fact that carries it (-1: none)
    state: str = OPEN
    decided_tick: int = -1
    yes: list[int] = field(default_factory=list)
    no: list[int] = field(default_factory=list)

    def row(self) -> list[object]:
        return [self.id, self.district, self.policy, self.value, self.text, self.reason, self.proposer,
                self.made_tick, self.fact, self.state, self.decided_tick, list(self.yes), list(self.no)]

    @classmethod
    def from_row(cls, row: list[Any]) -> Proposal:  # a saved row: decoded JSON/msgpack
        (pid, district, policy, value, text, reason, proposer, made, fact, state, decided, yes, no) = row
        return cls(int(pid), int(district), str(policy), float(value), str(text), str(reason), int(proposer),
                   int(made), int(fact), str(state), int(decided), [int(v) for v in yes], [int(v) for v in no])

    def view(self) -> ProposalView:
        return ProposalView(self.id, self.district, self.policy, self.value, self.text, self.reason, self.proposer,
                            self.made_tick, self.state, self.decided_tick, tuple(self.yes), tuple(self.no))


class Governance:
    def __init__(self, city: City, people: list[Person], ties: Relationships, clock: Clock,
                 hearsay: Hearsay, treasury: Callable[[int], int],
                 purse: Callable[[int], int] | None = None, business_owners: Callable[[], set[int]] | None = None,
                 deliberation: Deliberation | None = None) -> None:
        """``deliberation``: minds on the model, when there are any (asked before the rules decide)."""
        self.purse = purse or (lambda pid: people[pid].money)  # a person's balance now (the ledger's, when there is one)
        self.business_owners = business_owners or set  # asked once per pass: scanning every business per person is O(n^2)
        self.city = city
        self.people = people
        self.ties = ties
        self.clock = clock
        self.hearsay = hearsay
        self.treasury = treasury
        self.version = 0
        self._policies: dict[int, dict[str, float]] = {}  # values set so far; the rest are defaults
        self._councils: dict[int, Council] = {}
        self._proposals: dict[int, Proposal] = {}  # by id, ascending
        self._elections: list[ElectionView] = []  # oldest first
        self._next_id = 0
        self._votes_cast = 0  # ballots in elections plus councillors' votes on proposals
        self._started = False
        self._next_election = NEVER
        self._next_campaign = NEVER
        self._next_proposals = NEVER
        self._next_meeting = NEVER
        self._next_due = 0
        self._districts_seen = -1  # districts when councils were last checked; -1: never
        self._view: GovernanceView | None = None
        self._view_treasuries: tuple[tuple[int, int], ...] = ()
        self.deliberation = deliberation
        self._next_consult = NEVER
        self._minds_votes: dict[tuple[int, int], bool] = {}  # (proposal, councillor) -> yes, as their mind answered
        self.plugin_policies: tuple[str, ...] = ()  # policies the town's plugins add (shown with the core's)
        self.plugin_grievances: Callable[[int], list[tuple[str, float, str, int, float]]] | None = None

    # -- policies ------------------------------------------------------------------------------

    def policy(self, district: int, name: str) -> float:
        """The value in force in ``district`` (-1: the defaults)."""
        found = self._policies.get(district)
        if found is not None and name in found:
            return found[name]
        return policies.default(name)

    def curfew(self, district: int) -> int:
        return int(self.policy(district, "curfew"))

    def set_policy(self, district: int, policy: str, value: float, tick: int) -> tuple[float, PolicyChanged]:
        self._check_district(district)
        value = policies.normalise(policy, value)
        old = self.policy(district, policy)
        self._policies.setdefault(district, {})[policy] = value
        self.version += 1
        return old, PolicyChanged(tick, district, policy, old, value, policies.text(policy, value))

    # -- the daily round -------------------------------------------------------------------------

    def on_tick(self, tick: int, rng: random.Random) -> list[Event]:
        if tick < self._next_due and len(self.city.districts) == self._districts_seen:
            return []
        events: list[Event] = []
        if not self._started:
            self._start(tick)
        if len(self.city.districts) != self._districts_seen:  # a district without a council elects one now
            events.extend(self._first_elections(tick, rng))
            self._districts_seen = len(self.city.districts)
        if tick >= self._next_campaign:
            self._open_campaigns(tick, rng)
            self._next_campaign = NEVER  # the next one is set when this election is held
        if tick >= self._next_election:
            events.extend(self._elect_all(tick, rng))
        if tick >= self._next_proposals:
            events.extend(self._proposals_by_residents(tick, rng))
            self._next_proposals = self.clock.tick_at_minute(tick, PROPOSALS_AT)
        if tick >= self._next_consult:
            self._consult_councillors(tick)
            self._next_consult = self.clock.tick_at_minute(tick, CONSULT_AT)
        if tick >= self._next_meeting:
            events.extend(self._council_meetings(tick, rng))
            self._next_meeting = self.clock.tick_at_minute(tick, MEETING_AT)
        self._next_due = min(self._next_election, self._next_campaign, self._next_proposals, self._next_meeting,
                             self._next_consult)
        return events

    def _start(self, tick: int) -> None:
        self._started = True
        # ``tick - 1``: a world that starts exactly at 09:00 or 18:00 keeps that day's round
        self._next_proposals = self.clock.tick_at_minute(tick - 1, PROPOSALS_AT)
        self._next_meeting = self.clock.tick_at_minute(tick - 1, MEETING_AT)
        self._next_consult = self.clock.tick_at_minute(tick - 1, CONSULT_AT)

    def _tick_of(self, day: int, minute: int) -> int:
        """The first tick at or after ``minute`` on sim day ``day`` (day 1 is the first)."""
        total = (day - 1) * MINUTES_PER_DAY + minute
        return max(0, -(-((total - self.clock.start_minute) * 60) // self.clock.tick_seconds))

    def _schedule_after(self, tick: int) -> None:
        day = self.clock.day(tick)
        self._next_election = self._tick_of(day + TERM_DAYS, ELECTIONS_AT)
        self._next_campaign = self._tick_of(day + TERM_DAYS - CAMPAIGN_DAYS, ELECTIONS_AT)

    # -- elections -------------------------------------------------------------------------------

    def _adults_by_district(self) -> dict[int, list[Person]]:
        return {district: [self.people[p] for p in ids if self.people[p].age >= voting.ADULT_AGE]
                for district, ids in residents_by_district(self.city, self.people).items()}

    def _first_elections(self, tick: int, rng: random.Random) -> list[Event]:
        adults = self._adults_by_district()
        events: list[Event] = [self._elect(d.id, adults.get(d.id, []), tick, rng)
                               for d in self.city.districts if d.id not in self._councils]
        if self._next_election == NEVER:
            self._schedule_after(tick)
        return events

    def _elect_all(self, tick: int, rng: random.Random) -> list[Event]:
        adults = self._adults_by_district()
        events: list[Event] = [self._elect(d.id, adults.get(d.id, []), tick, rng) for d in self.city.districts]
        self._schedule_after(tick)
        return events

    def _open_campaigns(self, tick: int, rng: random.Random) -> None:
        adults = self._adults_by_district()
        for district in self.city.districts:
            council = self._councils.setdefault(district.id, Council())
            council.campaigns = self._nominate(district.id, adults.get(district.id, []), [], tick, rng)
        self.version += 1

    def _nominate(self, district: int, adults: list[Person], standing: list[int], tick: int,
                  rng: random.Random) -> list[list[int]]:
        """Adds candidates (most ambitious first) until there are seats + 2; each announces it on the grapevine."""
        wanted = self._seats_for(len(adults)) + 2
        keen = sorted((-voting.ambition(p, rng), p.id) for p in adults if p.id not in standing)
        campaigns: list[list[int]] = []
        name = self._district_name(district)
        for _, pid in keen[: max(0, wanted - len(standing))]:
            fact = self.hearsay.seed(pid, f"{self.people[pid].name} is running for the {name} council", tick,
                                     kind="campaign")
            campaigns.append([pid, fact])
        return campaigns

    @staticmethod
    def _seats_for(adults: int) -> int:
        return BIG_SEATS if adults > BIG_DISTRICT else SEATS

    def _elect(self, district: int, adults: list[Person], tick: int, rng: random.Random) -> ElectionHeld:
        council = self._councils.setdefault(district, Council())
        council.seats = self._seats_for(len(adults))
        residents = {p.id for p in adults}
        # candidates who left, died or moved away since they stood drop out; late nominations fill the gap
        running = [c for c in council.campaigns if c[0] in residents]
        running += self._nominate(district, adults, [c[0] for c in running], tick, rng)
        campaigns = [voting.Campaign(self.people[pid], fact) for pid, fact in running]
        tally = {pid: 0 for pid, _ in running}
        voted = 0
        for voter in adults:
            if not voting.turns_out(voter, rng):
                continue
            voted += 1
            for pid in voting.ballot(voter, campaigns, council.seats, self._affinity, self.hearsay.knows,
                                     self.hearsay.heard_from, rng):
                tally[pid] += 1
        ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
        council.members = [pid for pid, _ in ranked[: council.seats]]
        council.runners_up = [pid for pid, _ in ranked[council.seats:]]
        council.campaigns = []
        turnout = voted / len(adults) if adults else 0.0
        self._votes_cast += voted
        self._elections.append(ElectionView(tick, district, tuple(council.members), tuple(ranked), turnout))
        self.version += 1
        return ElectionHeld(tick, district, tuple(council.members), tuple(ranked), turnout)

    def person_removed(self, person: int) -> None:
        for council in self._councils.values():
            council.campaigns = [c for c in council.campaigns if c[0] != person]
            if person in council.runners_up:
                council.runners_up.remove(person)
            if person in council.members:
                seat = council.members.index(person)
                council.members.pop(seat)
                while council.runners_up:
                    runner = council.runners_up.pop(0)
                    if 0 <= runner < len(self.people) and not self.people[runner].removed:
                        council.members.insert(seat, runner)
                        break
        self.version += 1

    # -- proposals -------------------------------------------------------------------------------

    def propose(self, district: int, policy: str, value: float, proposer: int, reason: str, tick: int,
                proposal_id: int = -1) -> int:
        self._check_district(district)
        value = policies.normalise(policy, value)
        old = self.policy(district, policy)
        name = self._district_name(district)
        if value == old:
            raise ValueError(f"{name} already has {policies.text(policy, value)}")
        pending = self._open_on(district, policy)
        if pending is not None:
            raise ValueError(f"{policies.LABELS[policy]} in {name} is already on the agenda "
                             f"(proposal {pending.id}: {pending.text})")
        if proposer != -1 and not (0 <= proposer < len(self.people) and not self.people[proposer].removed):
            raise ValueError(f"there is no person {proposer} to make the proposal")
        if proposal_id >= 0:
            taken = self._proposals.get(proposal_id)
            if taken is not None and taken.state != WITHDRAWN:
                raise ValueError(f"proposal {proposal_id} already exists")
        else:
            proposal_id = self._next_id
        self._next_id = max(self._next_id, proposal_id + 1)
        text = policies.proposal_text(policy, old, value)
        fact = self._announce(district, proposer, text, tick)
        self._proposals[proposal_id] = Proposal(proposal_id, district, policy, value, text, reason.strip(), proposer,
                                                tick, fact)
        self._proposals = dict(sorted(self._proposals.items()))
        self.version += 1
        return proposal_id

    def _announce(self, district: int, proposer: int, text: str, tick: int) -> int:
        """Seeds the proposal on the grapevine: from its proposer, or, for the player's, from the first councillor."""
        name = self._district_name(district)
        agenda = f"{text[0].lower()}{text[1:]}"
        if proposer >= 0:
            return self.hearsay.seed(proposer, f"{self.people[proposer].name} asks the {name} council to {agenda}",
                                     tick, kind="proposal")
        members = [m for m in self.members(district) if not self.people[m].removed]
        if not members:
            return -1  # no council yet to table it: word spreads once it is decided
        return self.hearsay.seed(members[0], f"The {name} council is asked to {agenda}", tick, kind="proposal")

    def announcement(self, proposal_id: int) -> ProposalMade:
        """The event that says a proposal was tabled (for callers of ``propose``)."""
        p = self._proposals[proposal_id]
        return ProposalMade(p.made_tick, p.id, p.district, p.policy, p.value, p.proposer, p.text)

    def withdraw(self, proposal_id: int, tick: int) -> None:
        proposal = self._proposals.get(proposal_id)
        if proposal is None:
            raise ValueError(f"there is no proposal {proposal_id}")
        if proposal.state != OPEN:
            raise ValueError(f"proposal {proposal_id} is not open any more (it was {proposal.state})")
        proposal.state = WITHDRAWN
        proposal.decided_tick = tick
        self.version += 1

    def _open_on(self, district: int, policy: str) -> Proposal | None:
        for proposal in self._proposals.values():
            if proposal.state == OPEN and proposal.district == district and proposal.policy == policy:
                return proposal
        return None

    def _recently_failed(self, district: int, policy: str, tick: int) -> bool:
        since = tick - self.clock.ticks_for(RETRY_DAYS * MINUTES_PER_DAY)
        return any(p.state == FAILED and p.district == district and p.policy == policy and p.decided_tick >= since
                   for p in self._proposals.values())

    def _proposals_by_residents(self, tick: int, rng: random.Random) -> list[Event]:
        """At most one proposal per district a day: the strongest grievance that is not already being heard."""
        residents = residents_by_district(self.city, self.people)
        parent_ids = voting.parents(self.people, self.ties)
        events: list[Event] = []
        owners = self.business_owners()
        for district in self.city.districts:
            d = district.id
            wage = self.policy(d, "minimum_wage")
            adults = [voting.standing_of(self.people[p], self.city, wage, parent_ids, self.purse(p), p in owners)
                      for p in residents.get(d, []) if self.people[p].age >= voting.ADULT_AGE]
            found = policies.grievances(adults, partial(self.policy, d), self.treasury(d),
                                        district.name)
            if self.plugin_grievances is not None:  # what residents want of plugins' policies
                found += [policies.Grievance(*g) for g in self.plugin_grievances(d)]
            ranked = sorted(((g.strength + 0.1 * rng.random(), i, g) for i, g in enumerate(found)), reverse=True)
            for strength, _, grievance in ranked:
                if strength < 1.0:
                    break
                if (grievance.value == self.policy(d, grievance.policy)
                        or self._open_on(d, grievance.policy) is not None
                        or self._recently_failed(d, grievance.policy, tick)):
                    continue
                if self._ask_a_mind(district, grievance, ranked, tick):
                    break  # their answer tables it (or not); the rules wait for tomorrow
                pid = self.propose(d, grievance.policy, grievance.value, grievance.proposer, grievance.reason, tick)
                events.append(self.announcement(pid))
                break
        return events

    def _ask_a_mind(self, district: District, top: policies.Grievance, ranked: list[tuple[float, int, policies.Grievance]], tick: int) -> bool:
        """The aggrieved resident, if they think on the model, chooses what to ask for (from the live grievances)."""
        if self.deliberation is None:
            return False
        d = district.id
        options, seen = [], set()
        for _strength, _i, g in ranked:
            if g.policy in seen or g.value == self.policy(d, g.policy) or self._open_on(d, g.policy) is not None:
                continue
            seen.add(g.policy)
            options.append({"policy": g.policy, "value": g.value, "text": policies.proposal_text(g.policy, self.policy(d, g.policy), g.value),
                            "reason": g.reason})
        options.sort(key=lambda o: o["policy"] != top.policy)  # theirs first
        return self.deliberation.ask_proposal(top.proposer, {"id": d, "name": district.name}, options[:3], tick)

    def propose_from_mind(self, agent: int, district: int, option: dict[str, Any], reason: str,
                          tick: int) -> list[Event]:
        """A resident's mind chose ``option`` (or fell back to it): table it in their words."""
        if self._open_on(district, option["policy"]) is not None or option["value"] == self.policy(district,
                                                                                                   option["policy"]):
            return []
        try:
            pid = self.propose(district, option["policy"], float(option["value"]), agent, reason or option["reason"],
                               tick)
        except ValueError:
            return []
        return [self.announcement(pid)]

    def _consult_councillors(self, tick: int) -> None:
        """An hour before the meeting: councillors with minds are asked about what comes up tonight."""
        if self.deliberation is None:
            return
        meeting = self.clock.tick_at_minute(tick, MEETING_AT)
        ripe = meeting - self.clock.ticks_for(DEBATE_MINUTES)
        for proposal in self._proposals.values():
            if proposal.state != OPEN or proposal.made_tick > ripe:
                continue
            council = self._councils.get(proposal.district)
            proposer = self.people[proposal.proposer].name if proposal.proposer >= 0 else "the town's founder"
            about = {"proposal": proposal.id, "text": proposal.text, "reason": proposal.reason, "proposer": proposer,
                     "district": self._district_name(proposal.district),
                     "current": policies.text(proposal.policy, self.policy(proposal.district, proposal.policy))}
            for member in council.members if council else []:
                if not self.people[member].removed:
                    self.deliberation.ask_vote(member, about, tick)

    def record_vote(self, proposal: int, member: int, yes: bool) -> None:
        """A councillor's mind answered: this is how they will vote at the meeting."""
        if proposal in self._proposals and self._proposals[proposal].state == OPEN:
            self._minds_votes[(proposal, member)] = yes

    # -- council meetings --------------------------------------------------------------------------

    def _council_meetings(self, tick: int, rng: random.Random) -> list[Event]:
        ripe = tick - self.clock.ticks_for(DEBATE_MINUTES)
        due = [p for p in self._proposals.values() if p.state == OPEN and p.made_tick <= ripe]
        if not due:
            return []
        events: list[Event] = []
        parent_ids = voting.parents(self.people, self.ties)
        for proposal in due:
            council = self._councils.get(proposal.district)
            members = [m for m in council.members if not self.people[m].removed] if council else []
            if not members:
                continue  # nobody to vote yet: it waits for a council
            events.extend(self._vote(proposal, members, parent_ids, tick, rng))
        return events

    def _vote(self, proposal: Proposal, members: list[int], parent_ids: set[int], tick: int,
              rng: random.Random) -> list[Event]:
        d = proposal.district
        old = self.policy(d, proposal.policy)
        treasury = self.treasury(d)
        proposer = proposal.proposer
        neighbours = set(residents_by_district(self.city, self.people).get(d, []))
        owners = self.business_owners()
        for member in members:
            standing = voting.standing_of(self.people[member], self.city, self.policy(d, "minimum_wage"), parent_ids,
                                          self.purse(member), member in owners)
            tellers = []
            if proposal.fact >= 0 and self.hearsay.knows(proposal.fact, member):
                tellers.append(self.hearsay.heard_from(proposal.fact, member))
            backs = voting.council_vote(standing, proposal.policy, old, proposal.value, treasury, proposer,
                                        proposer in neighbours, tellers, self._affinity, rng)
            backs = self._minds_votes.pop((proposal.id, member), backs)  # a mind's answer, when it came in time
            (proposal.yes if backs else proposal.no).append(member)
        passed = len(proposal.yes) > len(proposal.no)
        proposal.state = PASSED if passed else FAILED
        proposal.decided_tick = tick
        self._votes_cast += len(members)
        self.version += 1
        events: list[Event] = [VoteHeld(tick, proposal.id, d, passed, tuple(proposal.yes), tuple(proposal.no))]
        if passed:
            events.append(self.set_policy(d, proposal.policy, proposal.value, tick)[1])
        name = self._district_name(d)
        score = f"{len(proposal.yes)}-{len(proposal.no)}"
        agenda = f"{proposal.text[0].lower()}{proposal.text[1:]}"
        news = (f"The {name} council voted {score} to {agenda}" if passed
                else f"The {name} council voted down a proposal to {agenda} ({score})")
        self.hearsay.seed(members[0], news, tick, kind="news")
        return events

    # -- reading -----------------------------------------------------------------------------------

    def view(self) -> GovernanceView:
        treasuries = tuple((d.id, self.treasury(d.id)) for d in self.city.districts)
        if treasuries != self._view_treasuries:  # money moved: the councils' view shows it
            self._view_treasuries = treasuries
            self.version += 1
        if self._view is None or self._view.version != self.version:
            self._view = self._build_view(dict(treasuries))
        return self._view

    def _build_view(self, treasuries: dict[int, int]) -> GovernanceView:
        councils = []
        for district in self.city.districts:
            council = self._councils.get(district.id, Council())
            councils.append(CouncilView(
                district.id, district.name, tuple(council.members), council.seats,
                self._next_election if self._next_election != NEVER else -1,
                tuple(PolicyView(name, value, policies.text(name, value))
                      for name in (*POLICIES, *self.plugin_policies) for value in [self.policy(district.id, name)]),
                treasuries.get(district.id, 0),
            ))
        newest = sorted(self._proposals.values(), key=lambda p: (p.state != OPEN, -p.id))
        return GovernanceView(
            self.version, tuple(councils), tuple(p.view() for p in newest[:VIEW_CAP]),
            tuple(reversed(self._elections[-VIEW_CAP:])),
        )

    def members(self, district: int) -> list[int]:
        council = self._councils.get(district)
        return list(council.members) if council else []

    def summary(self) -> dict[str, object]:
        states = [p.state for p in self._proposals.values()]
        return {
            "proposals": len(states),
            "passed": states.count(PASSED),
            "failed": states.count(FAILED),
            "votes": self._votes_cast,
            "elections": len(self._elections),
            "policies": {d.name: {name: policies.text(name, self.policy(d.id, name))
                                  for name in (*POLICIES, *self.plugin_policies)}
                         for d in self.city.districts},
        }

    # -- state -------------------------------------------------------------------------------------

    def get_state(self) -> dict[str, object]:
        return {
            "started": self._started,
            "next_id": self._next_id,
            "votes_cast": self._votes_cast,
            "schedule": [self._next_election, self._next_campaign, self._next_proposals, self._next_meeting,
                         self._next_consult],
            "minds_votes": [[p, m, yes] for (p, m), yes in sorted(self._minds_votes.items())],
            "policies": [[d, name, value] for d, values in sorted(self._policies.items())
                         for name, value in sorted(values.items())],
            "councils": [[d, c.seats, list(c.members), list(c.runners_up), [list(x) for x in c.campaigns]]
                         for d, c in sorted(self._councils.items())],
            "proposals": [p.row() for p in self._proposals.values()],
            "elections": [[e.tick, e.district, list(e.winners), [list(t) for t in e.tally], e.turnout]
                          for e in self._elections],
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self._started = bool(state["started"])
        self._next_id = int(state["next_id"])
        self._votes_cast = int(state["votes_cast"])
        schedule = [int(t) for t in state["schedule"]]
        self._next_election, self._next_campaign, self._next_proposals, self._next_meeting = schedule[:4]
        self._next_consult = schedule[4] if len(schedule) > 4 else self.clock.tick_at_minute(self._next_meeting - 1,
                                                                                               CONSULT_AT)
        self._minds_votes = {(int(p), int(m)): bool(y) for p, m, y in state.get("minds_votes", [])}
        self._next_due = 0  # recomputed on the next tick
        self._districts_seen = -1
        self._policies = {}
        for d, name, value in state["policies"]:
            self._policies.setdefault(int(d), {})[str(name)] = float(value)
        self._councils = {
            int(d): Council(int(seats), [int(m) for m in members], [int(r) for r in runners],
                            [[int(pid), int(fact)] for pid, fact in campaigns])
            for d, seats, members, runners, campaigns in state["councils"]
        }
        self._proposals = {p.id: p for p in (Proposal.from_row(row) for row in state["proposals"])}
        self._elections = [
            ElectionView(int(t), int(d), tuple(int(w) for w in winners),
                         tuple((int(c), int(v)) for c, v in tally), float(turnout))
            for t, d, winners, tally, turnout in state["elections"]
        ]
        self.version += 1

    # -- helpers -----------------------------------------------------------------------------------

    def _affinity(self, a: int, b: int) -> float:
        tie = self.ties.get(a, b)
        return tie.affinity if tie is not None else 0.0

    def _check_district(self, district: int) -> None:
        if not any(d.id == district for d in self.city.districts):
            known = ", ".join(f"{d.id} ({d.name})" for d in self.city.districts)
            raise ValueError(f"there is no district {district} (there are: {known})")

    def _district_name(self, district: int) -> str:
        for d in self.city.districts:
            if d.id == district:
                return d.name
        return f"district {district}"
