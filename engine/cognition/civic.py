"""Civic thoughts: a councillor weighs a proposal, a resident chooses what to ask the council for.

The council does not wait for the model: votes are asked an hour before the
meeting and proposals at the morning round; whatever has not been answered by
then is decided by the rules (``engine.society.voting``), as for anyone without a mind.
"""

from __future__ import annotations

from typing import Any

from engine.cognition import prompts
from engine.cognition.context import MindContext
from engine.cognition.thinker import REFLECT
from engine.contracts.thinking import ThoughtKind

LETTERS = "ABCDE"


def ask_vote(ctx: MindContext, agent: int, about: dict[str, Any], tick: int) -> bool:
    """``about``: proposal (id), text, reason, proposer (a name), district (a name), current (plain words)."""
    if agent not in ctx.minds or not ctx.may_ask(agent, REFLECT, tick):
        return False
    name = ctx.people[agent].first_name
    prompt = prompts.fill(prompts.CIVIC_VOTE,
        persona=ctx.persona(agent), name=name, district=about["district"], proposal=about["text"],
        proposer=about["proposer"], reason=about["reason"], current=about["current"],
        memories=prompts.memories_block(ctx.recall(agent, about["text"], tick, k=6)),
    )
    return ctx.ask(agent, ThoughtKind.CIVIC_VOTE, REFLECT, prompt, prompts.CIVIC_VOTE_SCHEMA, {"proposal": about["proposal"]},
                   tick)


def ask_proposal(ctx: MindContext, agent: int, district: dict[str, Any], options: list[dict[str, Any]],
                 tick: int) -> bool:
    """``options``: up to five {policy, value, text, reason}; ``district``: {id, name}."""
    if agent not in ctx.minds or not options or not ctx.may_ask(agent, REFLECT, tick):
        return False
    options = options[: len(LETTERS)]
    letters = list(LETTERS[: len(options)])
    listed = "\n".join(f"{letter}. {prompts.quote(o['text'], 200)} ({prompts.quote(o['reason'], 200)})"
                       for letter, o in zip(letters, options, strict=True))
    prompt = prompts.fill(prompts.CIVIC_PROPOSAL,
        persona=ctx.persona(agent), name=ctx.people[agent].first_name, district=district["name"], options=listed,
        memories=prompts.memories_block(ctx.recall(agent, " ".join(o["text"] for o in options), tick, k=6)),
    )
    context = {"district": district["id"], "options": options, "letters": letters}
    return ctx.ask(agent, ThoughtKind.CIVIC_PROPOSAL, REFLECT, prompt, prompts.civic_proposal_schema(letters), context, tick)


def chosen(data: dict[str, Any] | None, context: dict[str, Any]) -> dict[str, Any] | None:
    """The option a proposal answer picked (None: "none", or no answer)."""
    if data is None or data.get("choice") not in context["letters"]:
        return None
    return context["options"][context["letters"].index(data["choice"])]
