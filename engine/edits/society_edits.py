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
    return society.governance  # type: ignore[no-any-return]


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
