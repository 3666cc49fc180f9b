"""Edits of the town's government: table or withdraw a proposal, or change a policy by decree."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from engine.contracts import edits as e
from engine.edits.context import EditContext, EditError
from engine.society.policies import LABELS, text

if TYPE_CHECKING:
    from engine.society.governance import Governance

Result = tuple[str, e.Edit | None, e.Edit]  # summary, inverse (None: cannot be undone), the edit as applied


def _governance(ctx: EditContext) -> Governance:
    society = getattr(ctx.sim, "society", None)
    if society is None:
        raise EditError("this world has no councils (the society is not running)")
    return society.governance


def propose(ctx: EditContext, edit: e.Edit) -> Result:
    """Returns the edit as applied with its proposal id, so a replay tables the same proposal."""
    assert isinstance(edit, e.Propose)
    governance = _governance(ctx)
    try:
        pid = governance.propose(edit.district, edit.policy, edit.value, -1, edit.reason, ctx.tick, edit.proposal_id)
    except ValueError as err:
        raise EditError(str(err)) from None
    made = governance.announcement(pid)
    ctx.events.append(made)
    return f"proposed: {made.text}", e.WithdrawProposal(proposal_id=pid), dataclasses.replace(edit, proposal_id=pid)


def withdraw(ctx: EditContext, edit: e.Edit) -> Result:
    assert isinstance(edit, e.WithdrawProposal)
    try:
        _governance(ctx).withdraw(edit.proposal_id, ctx.tick)
    except ValueError as err:
        raise EditError(str(err)) from None
    return f"proposal {edit.proposal_id} withdrawn", None, edit


def set_policy(ctx: EditContext, edit: e.Edit) -> Result:
    assert isinstance(edit, e.SetPolicy)
    try:
        old, changed = _governance(ctx).set_policy(edit.district, edit.policy, edit.value, ctx.tick)
    except ValueError as err:
        raise EditError(str(err)) from None
    ctx.events.append(changed)
    summary = f"{LABELS[edit.policy]} by decree: {text(edit.policy, old)} -> {changed.text}"
    return summary, e.SetPolicy(district=edit.district, policy=edit.policy, value=old), edit


def seed_fact(ctx: EditContext, edit: e.Edit) -> Result:
    """Someone knows something and will pass it on; a time and place make it an event."""
    assert isinstance(edit, e.SeedFact)
    person = ctx.person(edit.agent)
    grapevine = ctx.sim.society.grapevine
    try:
        fact = grapevine.seed(person.id, edit.text, ctx.tick, fact_id=edit.fact_id)
    except ValueError as err:
        raise EditError(str(err)) from None
    seeded = grapevine.seeded_event(fact)
    ctx.events.append(seeded)
    if grapevine.hear_hook is not None:  # as the grapevine does: None means nobody keeps memories
        grapevine.hear_hook(person.id, f"I said: {seeded.text}", ctx.tick)
    what = "an event" if seeded.kind == "event" else "word"
    return (f"{person.name} starts spreading {what}: {seeded.text}", e.ForgetFact(fact_id=fact),
            dataclasses.replace(edit, fact_id=fact))


def forget_fact(ctx: EditContext, edit: e.Edit) -> Result:
    assert isinstance(edit, e.ForgetFact)
    try:
        ctx.sim.society.grapevine.forget(edit.fact_id)
    except ValueError as err:
        raise EditError(str(err)) from None
    return "the rumour is forgotten", None, edit


def thought_economy(ctx: EditContext, edit: e.Edit) -> Result:
    """Thinking costs money (or is free again); undone by switching back to how it was."""
    assert isinstance(edit, e.SetThoughtEconomy)
    if not 0 <= edit.price <= 100_000:
        raise EditError("the price per 1,000 tokens is between $0 and $1,000")
    economy = ctx.sim.society.economy
    before = e.SetThoughtEconomy(enabled=economy.thought_economy, price=economy.thought_price)
    economy.thought_economy, economy.thought_price = edit.enabled, edit.price
    economy.version += 1
    summary = (f"thinking now costs ${edit.price / 100:.2f} per 1,000 tokens" if edit.enabled
               else "thinking is free again")
    return summary, before, edit
