"""Minds on the model in civic life: councillors' votes and residents' proposals, thought, not ruled."""

from __future__ import annotations

from engine.contracts import edits as e
from engine.contracts.events import ProposalMade, VoteHeld
from engine.edits.apply import apply
from engine.llm.backend import ChatRequest
from engine.society import ledger as acct
from tests.cognition.test_cognition import DAY, run, thinking_village


def _prompt(request: ChatRequest) -> str:
    return request.messages[-1][1]


def test_councillors_with_minds_vote_as_they_think() -> None:
    sim, cognition = thinking_village()
    backend = cognition.ctx.thinker.backend
    # Every councillor's mind says no, whatever the rules would have them do.
    backend.script = lambda request: {"vote": "no", "reason": "Not with my money."} \
        if "council votes on this proposal" in _prompt(request) else None
    run(sim, 2)  # the first elections
    governance = sim.society.governance
    district = sim.city.districts[0].id
    for member in governance.members(district):
        cognition.watch(member)  # councillors get minds
    (_s, _inverse, applied), _events = apply(sim, e.Propose(district=district, policy="park_funding", value=5000,
                                                           reason="Our park needs benches"))
    events = run(sim, DAY)
    cognition.close()
    votes = [ev for ev in events if isinstance(ev, VoteHeld) and ev.proposal == applied.proposal_id]
    assert votes and not votes[0].passed and set(votes[0].no) == set(governance.members(district))
    asked = [r for r in sim.world.thoughts if r.kind == "civic_vote"]
    assert asked and all("Not with my money" in r.response for r in asked)


def test_a_resident_with_a_mind_chooses_the_proposal_and_gives_the_reason() -> None:
    sim, cognition = thinking_village()
    backend = cognition.ctx.thinker.backend
    backend.script = lambda request: {"choice": "A", "reason": "I have watched my neighbours struggle."} \
        if "put to the council" in _prompt(request) else None
    for person in sim.people:
        cognition.watch(person.id)  # everyone thinks: whoever is aggrieved has a mind
    for district in sim.city.districts:  # deep in debt: someone will want the tax raised
        sim.society.ledger.post(sim.tick, "grant", acct.treasury(district.id), acct.OUTSIDE_CODE, 10_000_000)
    events = run(sim, DAY)
    cognition.close()
    made = [ev for ev in events if isinstance(ev, ProposalMade) and ev.proposer >= 0]
    assert made, "nobody tabled anything"
    proposal = next(p for p in sim.society.governance.view().proposals if p.id == made[0].proposal)
    assert proposal.reason == "I have watched my neighbours struggle."
    assert any(r.kind == "civic_proposal" for r in sim.world.thoughts)


def test_thinking_costs_money_and_debt_stops_it() -> None:
    sim, cognition = thinking_village()
    apply(sim, e.SetThoughtEconomy(enabled=True, price=5_000))  # $50 per 1,000 tokens: ruinous on purpose
    run(sim, 6 * 60)
    ledger = sim.society.ledger
    charged = [row for _i, row in ledger.rows() if ledger.kind_of(row) == "thought"]
    assert charged and ledger.verify() == []
    broke = [p for p in cognition.ctx.minds if int(sim.pop.money[p]) < 0]
    assert broke, "somebody thought themselves into debt"
    calls_before = {p: sum(1 for r in sim.world.thoughts if r.agent == p) for p in broke}
    run(sim, 60)
    cognition.close()
    for person in broke:
        if int(sim.pop.money[person]) < 0:  # still in debt: not one more thought (routine only)
            assert sum(1 for r in sim.world.thoughts if r.agent == person) == calls_before[person]
