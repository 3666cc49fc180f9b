"""Talking to anyone: they answer in character from their memories, and remember the talk.

On the model the answer takes a moment (the top-priority thought, which may stop a
background call to get the server at once); on the
rule brain it is put together at once, answering the question asked from what
they are doing, feel, plan, know and remember (``engine.cognition.rule_mind``).
"""

from __future__ import annotations

from typing import Any

from engine.cognition import prompts
from engine.cognition.context import MindContext
from engine.cognition.rule_mind import rule_reply
from engine.cognition.thinker import CHAT
from engine.contracts.events import ChatReply
from engine.contracts.thinking import ThoughtKind

PROMPT_MEMORIES = 4  # the memories the model reads for a chat: the best few, as a longer prompt keeps the asker waiting


def ask(ctx: MindContext, agent: int, text: str, history: tuple[tuple[str, str], ...], command_id: int,
        tick: int) -> None:
    person = ctx.people[agent]
    memories = ctx.recall(agent, text, tick, k=8)
    transcript = prompts.transcript_block((*history, ("Visitor", text)))
    if ctx.thinker.available and ctx.may_ask(agent, CHAT, tick):
        prompt = prompts.fill(prompts.CHAT, persona=ctx.persona(agent), clock=ctx.clock_text(tick), name=person.first_name,
                                     memories=prompts.memories_block(memories[:PROMPT_MEMORIES]),
                              transcript=transcript)
        context = {"command": command_id, "text": text}
        if ctx.ask(agent, ThoughtKind.CHAT, CHAT, prompt, prompts.CHAT_SCHEMA, context, tick):
            return
    elif ctx.thinker.available:
        ctx.thinker.refuse(ctx.why_not(agent, CHAT, tick))
    reply_with(ctx, agent, text, rule_reply(ctx, agent, text, memories, tick), command_id, tick, "rule brain")


def apply_answer(ctx: MindContext, agent: int, data: dict[str, Any] | None, context: dict[str, Any], tick: int) -> None:
    text = context["text"]
    if data is None:  # the model failed: answer on the rule brain rather than not at all
        reply = rule_reply(ctx, agent, text, ctx.recall(agent, text, tick, k=8), tick)
        reply_with(ctx, agent, text, reply, context["command"], tick, "rule brain")
        return
    reply_with(ctx, agent, text, data["reply"], context["command"], tick, "llm")


def reply_with(ctx: MindContext, agent: int, text: str, reply: str, command_id: int, tick: int, how: str) -> None:
    ctx.events.append(ChatReply(tick, command_id, agent, text, reply, how))
    ctx.remember(agent, "chat", f"A stranger's voice asked me: '{text}' I said: '{reply}'", tick)
