"""Reflect: when recent memories matter enough (importance past 100), step back.

Two calls: the three most salient questions about the last 100 memories, then
five insights that cite the memories they rest on. Insights become memories of
their own (kind "reflection"), with their evidence.
"""

from __future__ import annotations

from typing import Any

from engine.cognition import prompts
from engine.cognition.context import MindContext
from engine.cognition.mind import Mind
from engine.cognition.thinker import REFLECT
from engine.contracts.events import ReflectionMade
from engine.contracts.thinking import ThoughtKind

THRESHOLD = 100.0  # Park et al. used 150 over a denser stream; each conversation is one memory here, not two
RECENT = 100
EVIDENCE_PER_QUESTION = 10
MIN_MEMORIES = 5  # nothing to reflect on before that


def due(ctx: MindContext, mind: Mind) -> bool:
    busy = ctx.thinker.pending_for(mind.agent, ThoughtKind.REFLECT_QUESTIONS) or ctx.thinker.pending_for(mind.agent, ThoughtKind.REFLECT_INSIGHTS)
    # count() last: it is the only part that may touch the disk, and it rarely gets that far.
    return mind.importance_since_reflection >= THRESHOLD and not busy and ctx.memory.count(mind.agent) >= MIN_MEMORIES


def ask_questions(ctx: MindContext, mind: Mind, tick: int) -> bool:
    if not ctx.may_ask(mind.agent, REFLECT, tick):
        return False
    recent = list(reversed(ctx.memory.recent(mind.agent, RECENT)))
    prompt = prompts.fill(prompts.REFLECT_QUESTIONS,
        persona=ctx.persona(mind.agent), name=ctx.people[mind.agent].first_name,
        memories=prompts.memories_block([m.text for m in recent]),
    )
    asked = ctx.ask(mind.agent, ThoughtKind.REFLECT_QUESTIONS, REFLECT, prompt, prompts.REFLECT_QUESTIONS_SCHEMA, {}, tick)
    if asked:
        mind.importance_since_reflection = 0.0
    return asked


def apply_questions(ctx: MindContext, mind: Mind, data: dict[str, Any], tick: int) -> None:
    evidence: dict[int, str] = {}
    for question in data["questions"]:
        for scored in ctx.memory.retrieve(mind.agent, question, tick, k=EVIDENCE_PER_QUESTION, weights=ctx.weights):
            evidence.setdefault(scored.memory.id, scored.memory.text)
    ids = list(evidence)[:100]
    if not ids or not ctx.may_ask(mind.agent, REFLECT, tick):
        return
    prompt = prompts.fill(prompts.REFLECT_INSIGHTS,
        persona=ctx.persona(mind.agent), name=ctx.people[mind.agent].first_name,
        questions=prompts.list_block(data["questions"]),
        memories=prompts.memories_block([evidence[i] for i in ids]),
    )
    ctx.ask(mind.agent, ThoughtKind.REFLECT_INSIGHTS, REFLECT, prompt, prompts.REFLECT_INSIGHTS_SCHEMA, {"ids": ids}, tick)


def apply_insights(ctx: MindContext, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
    ids = context["ids"]
    for insight in data["insights"]:
        cited = tuple(sorted({ids[i] for i in insight["evidence"] if 0 <= i < len(ids)}))
        memory_id = ctx.remember(mind.agent, "reflection", insight["text"], tick, evidence=cited)
        ctx.events.append(ReflectionMade(tick, mind.agent, memory_id, insight["text"], cited))
    mind.reflections += 1
