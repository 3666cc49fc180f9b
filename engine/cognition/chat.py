"""Talking to anyone: they answer in character from their memories, and remember the talk.

On the model the answer takes a moment (a watched, top-priority thought); on the
rule brain it is put together at once from what they are doing, how they feel
and what they remember.
"""

from __future__ import annotations

from typing import Any

from engine.agents.population import ENERGY, FUN, HUNGER, SOCIAL
from engine.cognition import prompts
from engine.cognition.context import MindContext
from engine.cognition.thinker import WATCHED
from engine.contracts.enums import Activity
from engine.contracts.events import ChatReply
from engine.contracts.thinking import ThoughtKind


def ask(ctx: MindContext, agent: int, text: str, history: tuple[tuple[str, str], ...], command_id: int,
        tick: int) -> None:
    person = ctx.people[agent]
    memories = ctx.recall(agent, text, tick, k=8)
    transcript = "\n".join(f"{who}: {words}" for who, words in (*history, ("Visitor", text)))
    if ctx.thinker.available and ctx.may_ask(agent, WATCHED, tick):
        prompt = prompts.CHAT.format(persona=ctx.persona(agent), clock=ctx.clock_text(tick), name=person.first_name,
                                     memories=prompts.memories_block(memories), transcript=transcript)
        context = {"command": command_id, "text": text}
        if ctx.ask(agent, ThoughtKind.CHAT, WATCHED, prompt, prompts.CHAT_SCHEMA, context, tick):
            return
    reply_with(ctx, agent, text, rule_reply(ctx, agent, text, memories), command_id, tick, "rule brain")


def apply_answer(ctx: MindContext, agent: int, data: dict[str, Any] | None, context: dict[str, Any], tick: int) -> None:
    text = context["text"]
    if data is None:  # the model failed: answer on the rule brain rather than not at all
        reply = rule_reply(ctx, agent, text, ctx.recall(agent, text, tick, k=8))
        reply_with(ctx, agent, text, reply, context["command"], tick, "rule brain")
        return
    reply_with(ctx, agent, text, data["reply"], context["command"], tick, "llm")


def reply_with(ctx: MindContext, agent: int, text: str, reply: str, command_id: int, tick: int, how: str) -> None:
    ctx.events.append(ChatReply(tick, command_id, agent, text, reply, how))
    ctx.remember(agent, "chat", f"A stranger's voice asked me: '{text}' I said: '{reply}'", tick)


def rule_reply(ctx: MindContext, agent: int, text: str, memories: list[str]) -> str:
    """A plain answer from state and memory: what they are doing, how they feel, what comes to mind."""
    person = ctx.people[agent]
    pop = ctx.pop
    here = int(pop.location[agent])
    place = ctx.city.buildings[here].name if here >= 0 else "out and about"
    doing = Activity(int(pop.activity[agent])).verb
    needs = pop.needs[agent]
    lowest = int(needs.argmin())
    feeling = {
        ENERGY: "I'm worn out, to be honest.",
        HUNGER: "I could really do with something to eat.",
        SOCIAL: "I've been a bit lonely lately.",
        FUN: "I could use a bit of fun.",
    }[lowest] if needs[lowest] < 0.4 else "I'm doing well, thanks for asking."
    lowered = text.lower()
    for other in ctx.people:
        if not other.removed and other.id != agent and other.first_name.lower() in lowered:
            tie = ctx.ties.get(agent, other.id)
            opinion = f"{other.first_name}? We're {tie.label}s." if tie else f"I don't really know {other.first_name}."
            if tie and tie.affinity < -0.2:
                opinion += " Let's just say we don't see eye to eye."
            elif tie and tie.affinity > 0.5:
                opinion += " I'm very fond of them."
            return opinion
    if any(w in lowered for w in ("doing", "up to", "where")):
        return f"I'm {doing} at {place}." if here >= 0 else f"I'm {doing} right now."
    if any(w in lowered for w in ("how are", "feel", "how's it")):
        return feeling
    recent = f" Lately I keep thinking about this: {memories[0]}" if memories else ""
    return f"I'm {person.first_name}, {person.occupation}. I'm {doing} at the moment. {feeling}{recent}"
