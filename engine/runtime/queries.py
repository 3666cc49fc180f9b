"""Answers to the GUI's read commands (mind, memories, thoughts), built on the engine thread."""

from __future__ import annotations

from engine.cognition.cognition import Cognition
from engine.cognition.mind import PlanStep
from engine.contracts.commands import QueryMemories, QueryMind, QueryThoughts
from engine.contracts.events import (
    MemoriesResult,
    MemoryView,
    MindReport,
    PlanStepView,
    ThoughtsResult,
    ThoughtView,
)
from engine.contracts.snapshots import BranchView, CheckpointView, LLMStatusView, TimelineView
from engine.memory.types import Memory
from engine.timeline.model import Timeline
from engine.world.model import World


def _steps(steps: list[PlanStep]) -> tuple[PlanStepView, ...]:
    return tuple(PlanStepView(s.when, s.activity, s.place, s.note) for s in steps)


def _view(m: Memory, score: float = 0.0) -> MemoryView:
    return MemoryView(m.id, m.tick, m.kind, m.text, m.importance, m.last_access, tuple(m.evidence), m.pinned, score)


def mind_report(cognition: Cognition | None, command: QueryMind, tick: int) -> MindReport:
    mind = cognition.ctx.minds.get(command.agent) if cognition else None
    if mind is None:
        return MindReport(tick, command.id, command.agent, False, "", (), (), (), -1, 0, 0.0)
    return MindReport(
        tick, command.id, command.agent, True, mind.doing, _steps(mind.strokes), _steps(mind.hours),
        _steps(mind.actions[mind.next_action:]), mind.actions_hour, mind.reflections,
        round(mind.importance_since_reflection, 1),
    )


def memories(cognition: Cognition | None, command: QueryMemories, tick: int) -> MemoriesResult:
    if cognition is None:
        return MemoriesResult(tick, command.id, command.agent, command.text, command.semantic, 0, ())
    store = cognition.ctx.memory
    limit = max(1, min(command.limit, 500))
    if command.text and command.semantic:
        # Browsing must not change what a person recalls next: no last-access update.
        scored = store.retrieve(command.agent, command.text, tick, k=limit, update_access=False)
        views = tuple(_view(s.memory, s.score) for s in scored)
    elif command.text:
        views = tuple(_view(m) for m in store.search_text(command.agent, command.text, limit))
    else:
        views = tuple(_view(m) for m in store.all_for(command.agent, limit, command.offset))
    if command.kind:
        views = tuple(v for v in views if v.kind == command.kind)
    return MemoriesResult(tick, command.id, command.agent, command.text, command.semantic,
                          store.count(command.agent), views)


def thoughts(world: World, command: QueryThoughts, tick: int) -> ThoughtsResult:
    picked = []
    for record in reversed(world.thoughts):
        if record.agent == command.agent:
            picked.append(ThoughtView(record.tick, record.kind, record.prompt, record.response, record.status,
                                      record.prompt_tokens, record.completion_tokens, record.latency_ms,
                                      record.backend, record.error))
            if len(picked) >= command.limit:
                break
    return ThoughtsResult(tick, command.id, command.agent, tuple(picked))


def llm_status(cognition: Cognition | None, brain: str) -> LLMStatusView:
    if cognition is None:
        return LLMStatusView(brain, "off", "rule brain")
    status = cognition.status()
    s = status.stats
    return LLMStatusView(brain, status.state, status.message, status.queued, s["calls"], s["tokens"], s["failures"],
                         s["fallbacks"], s["cache_hits"], len(cognition.ctx.minds))


def timeline_view(timeline: Timeline) -> TimelineView:
    branches = tuple(BranchView(b.id, b.name, b.parent, b.fork_tick, b.head_tick)
                     for b in sorted(timeline.branches.values(), key=lambda b: b.id))
    checkpoints = tuple(CheckpointView(c.id, c.branch, c.tick, c.kind, c.name) for c in timeline.line_checkpoints())
    return TimelineView(timeline.version, timeline.current, timeline.head, branches, checkpoints)
