"""Answers to the GUI's read commands (mind, memories, thoughts), built on the engine thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.agents.rule_brain import RuleBrain
from engine.cognition import REFLECTION_THRESHOLD, Cognition, PlanStep
from engine.contracts.commands import QueryMemories, QueryMind, QueryThoughts
from engine.contracts.events import (
    MemoriesResult,
    MemoryView,
    MindReport,
    PlanStepView,
    PluginsReport,
    PluginView,
    ThoughtsResult,
    ThoughtView,
)
from engine.contracts.snapshots import BranchView, CheckpointView, LLMStatusView, TimelineView
from engine.contracts.thinking import LLMHealth, ThoughtKind
from engine.memory.types import Memory, MemoryStore
from engine.plugins import installed, recorded
from engine.state.timeline import Timeline
from engine.state.world import World


def _steps(steps: list[PlanStep]) -> tuple[PlanStepView, ...]:
    return tuple(PlanStepView(s.when, s.activity, s.place, s.note) for s in steps)


def _view(m: Memory, score: float = 0.0) -> MemoryView:
    return MemoryView(m.id, m.tick, m.kind, m.text, m.importance, m.last_access, tuple(m.evidence), m.pinned, score)


def mind_report(cognition: Cognition | None, command: QueryMind, tick: int, brain: RuleBrain | None = None
                ) -> MindReport:
    """A mind's plan, or (without a model's plan) the rule brain's plan for the day."""
    mind = cognition.mind(command.agent) if cognition else None
    routine = _rule_plan(brain, command.agent, tick) if brain is not None else ()
    if mind is None:
        return MindReport(tick, command.id, command.agent, False, "", routine, (), (), -1, 0, 0.0)
    return MindReport(
        tick, command.id, command.agent, True, mind.doing, _steps(mind.strokes) or routine, _steps(mind.hours),
        _steps(mind.actions[mind.next_action:]), mind.actions_hour, mind.reflections,
        round(mind.importance_since_reflection, 1), REFLECTION_THRESHOLD,
    )


def _rule_plan(brain: RuleBrain, agent: int, tick: int) -> tuple[PlanStepView, ...]:
    if not 0 <= agent < len(brain.people) or brain.people[agent].removed:
        return ()
    plan = brain.routine.day_plan(agent, brain.clock.day(tick))
    return tuple(PlanStepView(hour, activity, place, note) for hour, activity, place, note in plan)


PAGE = 500
MAX_MATCHES = 10_000


def memories(cognition: Cognition | None, command: QueryMemories, tick: int) -> MemoriesResult:
    """A page of one person's memories: newest first, or matching words, or ranked by meaning, or by id.

    ``total`` counts what matched (all of them, for browsing), so the inspector can page and say "N found".
    """
    if cognition is None:
        return MemoriesResult(tick, command.id, command.agent, command.text, command.semantic, 0, ())
    store = cognition.memory
    limit = max(1, min(command.limit, PAGE))
    offset = max(0, command.offset)
    wanted = (lambda m: m.kind == command.kind) if command.kind else (lambda m: True)
    if command.ids:
        found = [m for m in store.get(list(command.ids)) if m.agent == command.agent and wanted(m)]
        return MemoriesResult(tick, command.id, command.agent, "", False, len(found), tuple(_view(m) for m in found))
    if command.text and command.semantic:
        # Browsing must not change what a person recalls next: no last-access update.
        scored = [s for s in store.retrieve(command.agent, command.text, tick, k=offset + limit, update_access=False)
                  if wanted(s.memory)]
        views = tuple(_view(s.memory, s.score) for s in scored[offset:])
        return MemoriesResult(tick, command.id, command.agent, command.text, True, len(scored), views)
    if command.text:
        matches = [m for m in store.search_text(command.agent, command.text, MAX_MATCHES) if wanted(m)]
    elif command.kind:
        matches = [m for m in _all(store, command.agent) if wanted(m)]
    else:
        page = store.all_for(command.agent, limit, offset)
        return MemoriesResult(tick, command.id, command.agent, "", False, store.count(command.agent),
                              tuple(_view(m) for m in page))
    views = tuple(_view(m) for m in matches[offset : offset + limit])
    return MemoriesResult(tick, command.id, command.agent, command.text, False, len(matches), views)


def _all(store: MemoryStore, agent: int) -> Iterator[Memory]:
    """Every memory of ``agent``, newest first, a page at a time (up to MAX_MATCHES)."""
    offset = 0
    while offset < MAX_MATCHES:
        page = store.all_for(agent, PAGE, offset)
        if not page:
            return
        yield from page
        offset += len(page)


def thoughts(world: World, command: QueryThoughts, tick: int, brain: RuleBrain | None = None) -> ThoughtsResult:
    """The person's thoughts on the model, newest first; then how the rule brain worked out their day
    (no prompt was sent anywhere: its reasoning, written out)."""
    picked = []
    for record in reversed(world.thoughts):
        if record.agent == command.agent:
            picked.append(ThoughtView(record.tick, record.kind, record.prompt, record.response, record.status,
                                      record.prompt_tokens, record.completion_tokens, record.latency_ms,
                                      record.backend, record.error))
            if len(picked) >= command.limit:
                break
    people = brain.people if brain is not None else []
    if brain is not None and len(picked) < command.limit and 0 <= command.agent < len(people) \
            and not people[command.agent].removed:
        context, chosen = brain.routine.explain(command.agent, brain.clock.day(tick))
        picked.append(ThoughtView(tick, ThoughtKind.PLAN_DAY, context, chosen, "rule", 0, 0, 0.0, "rule brain", ""))
    return ThoughtsResult(tick, command.id, command.agent, tuple(picked))


def llm_status(cognition: Cognition | None, brain: str, model: str = "", hosts: tuple[str, ...] = ()) -> LLMStatusView:
    if cognition is None:
        return LLMStatusView(brain, LLMHealth.OFF, "rule brain")
    status = cognition.status()
    s = status.stats
    shown_model = model if brain != "rule" else ""
    return LLMStatusView(brain, status.state, status.message, status.queued, s["calls"], s["tokens"], s["failures"],
                         s["fallbacks"], s["cache_hits"], cognition.mind_count, shown_model, hosts)


def timeline_view(timeline: Timeline) -> TimelineView:
    branches = tuple(BranchView(b.id, b.name, b.parent, b.fork_tick, b.head_tick)
                     for b in sorted(timeline.branches.values(), key=lambda b: b.id))
    checkpoints = tuple(CheckpointView(c.id, c.branch, c.tick, c.kind, c.name) for c in timeline.line_checkpoints())
    return TimelineView(timeline.version, timeline.current, timeline.head, branches, checkpoints)


def plugins_report(sim: Any, command_id: int, tick: int) -> PluginsReport:
    """Every installed plugin, and any the world uses that is not installed: used, running, problems."""
    host = sim.plugins
    registry = host.registry if host.record else installed()
    chosen = recorded(sim.world.meta)
    views = []
    for name, record in registry.records.items():
        problem = record.error or host.off.get(name, "")
        views.append(PluginView(name, record.version, tuple(record.contributions.words()), True, name in chosen,
                                name in host.towns, problem))
    for name, entry in chosen.items():
        if name not in registry.records:
            views.append(PluginView(name, str(entry.get("version", "")), tuple(entry.get("adds") or ()), False, True,
                                    False, host.missing.get(name, "it is not installed")))
    return PluginsReport(tick, command_id, tuple(views))
