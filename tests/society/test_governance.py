"""District councils: elections, proposals by residents, council votes, policies, state, god-mode edits."""

from __future__ import annotations

import copy
import dataclasses
import random
from types import SimpleNamespace

import pytest

from engine import api
from engine.contracts import edits as e
from engine.contracts.enums import BuildingType
from engine.contracts.events import ElectionHeld, PolicyChanged, ProposalMade, VoteHeld
from engine.edits import apply as edit_apply
from engine.edits.context import EditError
from engine.sim import state_codec
from engine.society.governance import Governance
from engine.society.places import residents_by_district
from engine.state.clock import Clock
from engine.state.person import Person
from engine.state.world import World

DAY = 24 * 60  # ticks: these worlds tick once a minute


class FakeHearsay:
    """Word of mouth as a dict: fact -> {person who knows it: who told them (-1: they started it)}."""

    def __init__(self) -> None:
        self.heard: dict[int, dict[int, int]] = {}
        self.seeded: list[tuple[int, int, str, str]] = []  # (tick, origin, kind, text)

    def seed(self, origin: int, text: str, tick: int, kind: str = "news") -> int:
        self.seeded.append((tick, origin, kind, text))
        fact = len(self.seeded) - 1
        self.heard[fact] = {origin: -1}
        return fact

    def knows(self, fact: int, person: int) -> bool:
        return person in self.heard.get(fact, {})

    def heard_from(self, fact: int, person: int) -> int:
        return self.heard.get(fact, {}).get(person, -1)

    def facts(self, kind: str) -> list[int]:
        return [i for i, (_, _, k, _) in enumerate(self.seeded) if k == kind]


def governance(world: World, treasury: int = 100_000, hearsay: FakeHearsay | None = None) -> Governance:
    return Governance(world.city, world.people, world.relationships, Clock(world.tick_seconds, world.start_minute),
                      hearsay or FakeHearsay(), lambda district: treasury)


def run(gov: Governance, ticks: range, rng: random.Random) -> list:
    events = []
    for tick in ticks:
        events.extend(gov.on_tick(tick, rng))
    return events


def adults_of(world: World, district: int) -> list[int]:
    return [p for p in residents_by_district(world.city, world.people)[district] if world.people[p].age >= 18]


def tick_at(world: World, day: int, minute: int) -> int:
    return (day - 1) * DAY + minute - world.start_minute


# -- councils and elections -----------------------------------------------------------------------


def test_councils_have_the_right_seats_and_only_adult_residents() -> None:
    world = api.new_world(800, seed=3, template="city")
    gov = governance(world)
    elections = [x for x in gov.on_tick(1, random.Random(1)) if isinstance(x, ElectionHeld)]
    assert len(elections) == len(world.city.districts) == 4
    seats_seen = set()
    for council in gov.view().councils:
        adults = adults_of(world, council.district)
        seats = 5 if len(adults) > 150 else 3
        seats_seen.add(seats)
        assert council.seats == seats and len(council.members) == seats
        assert set(council.members) <= set(adults)
        assert council.name == world.city.districts[council.district].name
    assert seats_seen == {3, 5}  # this town has a big district and small ones


def test_elections_follow_the_schedule_and_repeat_for_a_seed() -> None:
    def history(seed: int) -> tuple[list, FakeHearsay]:
        world = api.new_world(60, seed=2, template="village")
        hearsay = FakeHearsay()
        gov = governance(world, hearsay=hearsay)
        return run(gov, range(1, 16 * DAY), random.Random(seed)), hearsay

    events, hearsay = history(7)
    world = api.new_world(60, seed=2, template="village")
    elections = [x for x in events if isinstance(x, ElectionHeld)]
    assert [x.tick for x in elections] == [1, tick_at(world, 8, 12 * 60), tick_at(world, 15, 12 * 60)]
    assert all(len(x.winners) == 3 and 0 < x.turnout <= 1 for x in elections)
    assert sum(votes for _, votes in elections[1].tally) >= 3
    campaign_ticks = sorted({tick for tick, _, kind, _ in hearsay.seeded if kind == "campaign"})
    # the first election nominates at once; later ones two days ahead, so word can spread
    assert campaign_ticks == [1, tick_at(world, 6, 12 * 60), tick_at(world, 13, 12 * 60)]
    assert all("is running for the Oakside council" in text for _, _, kind, text in hearsay.seeded
               if kind == "campaign")
    again, _ = history(7)
    assert again == events
    assert history(8)[0] != events


def test_a_campaign_heard_from_a_friend_wins_that_voters_vote() -> None:
    """Same town, same dice: voters heard one candidate's campaign from a friend, or from a stranger."""
    world = api.new_world(60, seed=2, template="village")
    hearsay = FakeHearsay()
    gov = governance(world, hearsay=hearsay)
    rng = random.Random(3)
    run(gov, range(1, tick_at(world, 6, 12 * 60) + 1), rng)  # candidates for the second election have stood
    campaigns = hearsay.facts("campaign")[-5:]
    candidates = {hearsay.seeded[f][1] for f in campaigns}
    underdog_fact = campaigns[-1]
    underdog = hearsay.seeded[underdog_fact][1]
    voters = adults_of(world, 0)
    friend, stranger = [p for p in voters if p not in candidates][:2]
    for voter in voters:  # everyone likes the friend and has no feelings about the stranger
        if voter != friend:
            world.relationships.tie(voter, friend).affinity = 0.6
        if voter != stranger:
            world.relationships.tie(voter, stranger).affinity = 0.0
    saved, dice = gov.get_state(), rng.getstate()

    def underdog_votes(teller: int) -> int:
        told = copy.deepcopy(hearsay)
        for voter in voters:  # everyone heard every campaign; only who told them of the underdog's differs
            for fact in campaigns:
                told.heard[fact].setdefault(voter, teller if fact == underdog_fact else stranger)
        again = governance(world, hearsay=told)
        again.set_state(copy.deepcopy(saved))
        rng.setstate(dice)
        election = next(x for x in run(again, range(tick_at(world, 6, 12 * 60) + 1, 9 * DAY), rng)
                        if isinstance(x, ElectionHeld))
        return dict(election.tally)[underdog]

    from_friend, from_stranger = underdog_votes(friend), underdog_votes(stranger)
    assert from_friend > from_stranger


# -- proposals by residents -------------------------------------------------------------------------


def test_a_district_in_debt_proposes_a_tax_rise_at_nine() -> None:
    world = api.new_world(40, seed=5, template="village")
    hearsay = FakeHearsay()
    gov = governance(world, treasury=-50_000, hearsay=hearsay)
    events = run(gov, range(1, DAY), random.Random(1))
    made = [x for x in events if isinstance(x, ProposalMade)]
    assert made and made[0].tick == tick_at(world, 1, 9 * 60)
    assert (made[0].policy, made[0].value, made[0].text) == ("tax_rate", 0.12, "Raise income tax to 12%")
    proposal = next(p for p in gov.view().proposals if p.id == made[0].proposal)
    assert "treasury is $500.00 in debt" in proposal.reason
    # the proposer started the word of mouth about it
    assert (made[0].tick, made[0].proposer, "proposal") in [s[:3] for s in hearsay.seeded]


def test_people_who_earn_little_ask_for_a_minimum_wage() -> None:
    world = api.new_world(40, seed=5, template="village")
    gov = governance(world)
    first = [x for x in run(gov, range(1, DAY), random.Random(1)) if isinstance(x, ProposalMade)]
    assert all(x.policy != "minimum_wage" for x in first)  # nobody is short of money yet
    for person in world.people:
        person.money = 5_000  # $50 each: hard times
    poor = governance(world)
    made = [x for x in run(poor, range(1, DAY), random.Random(1)) if isinstance(x, ProposalMade)]
    assert [x.policy for x in made] == ["minimum_wage"]
    assert made[0].value == 1600 and made[0].text == "Bring in the minimum wage of $16.00/h"
    assert world.people[made[0].proposer].age >= 18


# -- council votes ------------------------------------------------------------------------------------


def _seat(gov: Governance, district: int, members: list[int]) -> None:
    state = gov.get_state()
    for council in state["councils"]:
        if council[0] == district:
            council[2] = list(members)
    gov.set_state(state)


def _make(person: Person, occupation: str, workplace: int, money: int) -> None:
    person.occupation, person.workplace, person.money = occupation, workplace, money
    person.traits = (0.5, 0.5, 0.5, 0.5, 0.5)


@pytest.mark.parametrize(("who", "passes"), [("low earners", True), ("business owners", False)])
def test_the_council_votes_its_interests_on_a_minimum_wage(who: str, passes: bool) -> None:
    world = api.new_world(40, seed=5, template="village")
    cafe = world.city.buildings_of(BuildingType.CAFE)[0].id
    gov = governance(world)
    rng = random.Random(4)
    run(gov, range(1, 2), rng)  # the first election
    members = adults_of(world, 0)[:3]
    for pid in members:
        if who == "low earners":
            _make(world.people[pid], "waiter", cafe, 9_000)
        else:
            _make(world.people[pid], "cafe owner", cafe, 900_000)
    _seat(gov, 0, members)
    pid = gov.propose(0, "minimum_wage", 1600, -1, "a fair day's pay", tick=2)
    events = run(gov, range(2, DAY), rng)
    vote = next(x for x in events if isinstance(x, VoteHeld) and x.proposal == pid)
    assert vote.tick == tick_at(world, 1, 18 * 60)
    assert vote.passed is passes
    assert sorted(vote.yes if passes else vote.no) == sorted(members)
    changed = [x for x in events if isinstance(x, PolicyChanged) and x.policy == "minimum_wage"]
    if passes:
        assert gov.policy(0, "minimum_wage") == 1600
        assert changed[0].text == "minimum wage $16.00/h"
    else:
        assert gov.policy(0, "minimum_wage") == 0 and not changed
    view = next(p for p in gov.view().proposals if p.id == pid)
    assert view.state == ("passed" if passes else "failed") and view.decided_tick == vote.tick


def test_a_proposal_waits_six_hours_and_a_passed_curfew_is_in_force() -> None:
    world = api.new_world(40, seed=5, template="village")
    gov = governance(world)
    rng = random.Random(2)
    run(gov, range(1, 2), rng)
    members = adults_of(world, 0)[:3]
    for pid in members:
        world.people[pid].traits = (0.5, 0.5, 0.1, 0.5, 0.95)  # anxious homebodies
        world.people[pid].age = 70
    _seat(gov, 0, members)
    late = tick_at(world, 1, 15 * 60)  # three hours before the meeting: too fresh to vote on today
    pid = gov.propose(0, "curfew", 22 * 60, -1, "", tick=late)
    first_day = run(gov, range(late, DAY), rng)
    assert not any(isinstance(x, VoteHeld) and x.proposal == pid for x in first_day)
    second_day = run(gov, range(DAY, 2 * DAY), rng)
    vote = next(x for x in second_day if isinstance(x, VoteHeld) and x.proposal == pid)
    assert vote.passed and vote.tick == tick_at(world, 2, 18 * 60)
    assert gov.curfew(0) == 22 * 60 and gov.curfew(-1) == -1
    council = gov.view().councils[0]
    assert ("curfew", "curfew at 22:00") in [(p.name, p.text) for p in council.policies]


# -- validation ---------------------------------------------------------------------------------------


def test_invalid_proposals_are_refused_in_plain_words() -> None:
    world = api.new_world(40, seed=5, template="village")
    gov = governance(world)
    refusals = {
        "there is no policy called 'beer_tax'": (0, "beer_tax", 1.0, -1),
        "income tax must be between 0% and 50%": (0, "tax_rate", 0.9, -1),
        "a curfew must fall between 20:00 and 02:00": (0, "curfew", 15 * 60, -1),
        "there is no district 9": (9, "tax_rate", 0.2, -1),
        "Oakside already has income tax 10%": (0, "tax_rate", 0.1, -1),
        "there is no person 999": (0, "tax_rate", 0.2, 999),
    }
    for message, (district, policy, value, proposer) in refusals.items():
        with pytest.raises(ValueError, match=message):
            gov.propose(district, policy, value, proposer, "", tick=1)
    first = gov.propose(0, "tax_rate", 0.2, -1, "", tick=1)
    with pytest.raises(ValueError, match="already on the agenda"):
        gov.propose(0, "tax_rate", 0.3, -1, "", tick=1)
    gov.withdraw(first, tick=2)
    with pytest.raises(ValueError, match="not open any more"):
        gov.withdraw(first, tick=3)
    with pytest.raises(ValueError, match="there is no proposal 42"):
        gov.withdraw(42, tick=3)
    assert gov.summary()["proposals"] == 1


# -- state ----------------------------------------------------------------------------------------


def test_a_restored_governance_carries_on_exactly_the_same() -> None:
    world = api.new_world(60, seed=2, template="village")
    hearsay = FakeHearsay()
    gov = governance(world, treasury=-1, hearsay=hearsay)
    rng = random.Random(9)
    run(gov, range(1, 3 * DAY + 100), rng)
    assert gov.summary()["proposals"] >= 2
    blob = state_codec.encode({"governance": gov.get_state()})  # what a saved world stores
    dice = rng.getstate()
    twin = governance(world, treasury=-1, hearsay=copy.deepcopy(hearsay))
    twin.set_state(state_codec.decode(blob)["governance"])
    ahead = run(gov, range(3 * DAY + 100, 12 * DAY), rng)
    rng.setstate(dice)
    assert run(twin, range(3 * DAY + 100, 12 * DAY), rng) == ahead
    assert any(isinstance(x, ElectionHeld) for x in ahead)
    assert twin.get_state() == gov.get_state() and twin.summary() == gov.summary()
    assert twin.view().councils == gov.view().councils


def test_a_removed_councillor_is_replaced_by_the_runner_up() -> None:
    world = api.new_world(60, seed=2, template="village")
    gov = governance(world)
    election = next(x for x in gov.on_tick(1, random.Random(1)) if isinstance(x, ElectionHeld))
    runner_up = election.tally[3][0]
    gone = election.winners[1]
    world.people[gone].removed = True
    gov.person_removed(gone)
    assert gov.view().councils[0].members == (election.winners[0], runner_up, election.winners[2])


# -- god-mode edits -------------------------------------------------------------------------------


def _stand_in(world: World) -> SimpleNamespace:
    """What the edit handlers reach: ``sim.society.governance`` and the tick."""
    return SimpleNamespace(society=SimpleNamespace(governance=governance(world)), tick=5, people=world.people)


def test_propose_edit_fills_in_its_id_and_undoes_by_withdrawing() -> None:
    sim = _stand_in(api.new_world(40, seed=5, template="village"))
    gov: Governance = sim.society.governance
    (summary, inverse, applied), events = edit_apply.apply(sim, e.Propose(district=0, policy="park_funding",
                                                                          value=50_000, reason="greener streets"))
    assert summary == "proposed: Fund the parks with $500/day"
    assert isinstance(applied, e.Propose) and applied.proposal_id == 0
    assert isinstance(inverse, e.WithdrawProposal) and inverse.proposal_id == 0
    assert [type(x) for x in events] == [ProposalMade]
    assert gov.view().proposals[0].reason == "greener streets"
    (_, undo_of_undo, _), _ = edit_apply.apply(sim, inverse)
    assert undo_of_undo is None and gov.view().proposals[0].state == "withdrawn"
    edit_apply.apply(sim, applied)  # redo: the same proposal is tabled again under the same id
    assert [(p.id, p.state) for p in gov.view().proposals] == [(0, "open")]
    with pytest.raises(EditError, match="already on the agenda"):
        edit_apply.apply(sim, dataclasses.replace(applied, proposal_id=-1))
    with pytest.raises(EditError, match="park funding must be between \\$0/day and \\$2,000/day"):
        edit_apply.apply(sim, e.Propose(district=0, policy="park_funding", value=10**9))
    edit_apply.apply(sim, e.WithdrawProposal(proposal_id=0))
    with pytest.raises(EditError, match="is not open any more"):
        edit_apply.apply(sim, e.WithdrawProposal(proposal_id=0))
    with pytest.raises(EditError, match="there is no proposal 7"):
        edit_apply.apply(sim, e.WithdrawProposal(proposal_id=7))


def test_set_policy_edit_is_undone_by_setting_the_old_value() -> None:
    sim = _stand_in(api.new_world(40, seed=5, template="village"))
    gov: Governance = sim.society.governance
    (summary, inverse, _), events = edit_apply.apply(sim, e.SetPolicy(district=0, policy="curfew", value=23 * 60))
    assert gov.curfew(0) == 23 * 60
    assert summary == "the curfew by decree: no curfew -> curfew at 23:00"
    assert isinstance(inverse, e.SetPolicy) and (inverse.district, inverse.policy, inverse.value) == (0, "curfew", -1)
    assert events == [PolicyChanged(5, 0, "curfew", -1, 23 * 60, "curfew at 23:00")]
    edit_apply.apply(sim, inverse)
    assert gov.curfew(0) == -1
    with pytest.raises(EditError, match="opening hours must be between -180 minutes and 240 minutes"):
        edit_apply.apply(sim, e.SetPolicy(district=0, policy="opening_hours", value=600))
    with pytest.raises(EditError, match="there is no district 3"):
        edit_apply.apply(sim, e.SetPolicy(district=3, policy="tax_rate", value=0.2))
    with pytest.raises(EditError, match="no councils"):
        edit_apply.apply(SimpleNamespace(tick=1), e.SetPolicy())


def test_edits_reach_the_councils_of_a_real_simulation() -> None:
    from engine.sim.simulation import Simulation
    from engine.society.society import Society

    sim = Simulation(api.new_world(60, seed=2, template="village"), seed=1, record_history=False)
    if getattr(sim, "society", None) is None:  # the simulation does not build its society itself yet
        sim.society = Society(sim)  # type: ignore[attr-defined]
    gov = sim.society.governance  # type: ignore[attr-defined]
    (_, inverse, _), events = edit_apply.apply(sim, e.Propose(district=0, policy="opening_hours", value=60))
    assert [x.text for x in events if isinstance(x, ProposalMade)] == ["Let shops stay open 1 h later"]
    assert gov.view().proposals[0].state == "open"
    edit_apply.apply(sim, inverse)
    assert gov.view().proposals[0].state == "withdrawn"
    (_, undo, _), _ = edit_apply.apply(sim, e.SetPolicy(district=0, policy="tax_rate", value=0.15))
    assert gov.policy(0, "tax_rate") == 0.15
    edit_apply.apply(sim, undo)
    assert gov.policy(0, "tax_rate") == 0.10
