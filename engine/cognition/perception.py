"""Perceive: what a thinking person notices on arriving somewhere, and how they react.

Noticing someone they feel strongly about (for the first time today) may prompt
a reaction: carry on, re-plan, or go and talk.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.cognition import conversation, prompts
from engine.cognition.context import MindContext
from engine.cognition.mind import Mind
from engine.cognition.thinker import REACT
from engine.contracts.enums import Activity
from engine.contracts.thinking import ThoughtKind

MAX_NOTICED = 4
STRONG_FEELINGS = 0.35  # |affinity| that makes someone worth reacting to


def perceive(ctx: MindContext, mind: Mind, building: int, tick: int) -> None:
    me = mind.agent
    pop = ctx.pop
    place = ctx.city.buildings[building].name
    here = np.flatnonzero(pop.location == building)
    others = [int(p) for p in here if p != me]
    known = ctx.ties.known_by(me)
    noticed = [p for p in others if p in known][:MAX_NOTICED]
    seen = ", ".join(f"{ctx.people[p].name} ({Activity(int(pop.activity[p])).verb})" for p in noticed)
    strangers = len(others) - len(noticed)
    crowd = f" and {strangers} other{'s' if strangers != 1 else ''}" if strangers else ""
    text = f"Arrived at {place}." + (f" Saw {seen}{crowd}." if seen else (f" {strangers} people were there." if strangers else ""))
    ctx.remember(me, "observation", text, tick)
    day = ctx.clock.day(tick)
    for other in noticed:
        tie = ctx.ties.get(me, other)
        if tie is None or abs(tie.affinity) < STRONG_FEELINGS or mind.seen.get(other) == day:
            continue
        mind.seen[other] = day
        _ask_reaction(ctx, mind, other, building, tick)
        break


def _ask_reaction(ctx: MindContext, mind: Mind, other: int, building: int, tick: int) -> None:
    if not ctx.may_ask(mind.agent, REACT, tick):
        ctx.thinker.refuse(ctx.why_not(mind.agent, REACT, tick))  # carries on, as the rule brain would
        return
    me, them = ctx.people[mind.agent], ctx.people[other]
    doing = Activity(int(ctx.pop.next_activity[mind.agent])).verb
    prompt = prompts.fill(prompts.REACT,
        persona=ctx.persona(mind.agent), clock=ctx.clock_text(tick), name=me.first_name,
        place=ctx.city.buildings[building].name, doing=f"go on {doing}" if doing else "carry on",
        observation=f"{them.name} is here, {Activity(int(ctx.pop.activity[other])).verb}.",
        memories=prompts.memories_block(ctx.recall(mind.agent, them.name, tick, k=3)), other=them.first_name,
    )
    ctx.ask(mind.agent, ThoughtKind.REACT, REACT, prompt, prompts.REACT_SCHEMA, {"other": other, "place": building}, tick)


def apply_reaction(
    ctx: MindContext, mind: Mind, talks: dict[int, conversation.Talk], next_talk_id: int,
    data: dict[str, Any], context: dict[str, Any], tick: int,
) -> bool:
    """Returns True when it started a conversation (the caller then bumps its talk id)."""
    other, place = int(context["other"]), int(context["place"])
    reaction = data["reaction"]
    ctx.remember(mind.agent, "plan", f"Saw {ctx.people[other].name} and decided to {reaction.replace('_', ' ')}.", tick)
    if reaction == "replan":
        mind.hours, mind.actions, mind.actions_hour = [], [], -1
        ctx.pop.until[mind.agent] = tick + 1
        return False
    if reaction != "talk":
        return False
    both_here = ctx.pop.location[mind.agent] == place and ctx.pop.location[other] == place
    free = not conversation.in_talk(talks, mind.agent) and not conversation.in_talk(talks, other)
    if both_here and free and other in ctx.minds:
        return conversation.start(ctx, talks, next_talk_id, mind.agent, other, place, tick)
    return False
