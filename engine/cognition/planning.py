"""Planning at three grains: the day in 5-8 strokes, then hours, then 5-15 minute actions.

Each grain is asked for only when it is needed (the day on waking, the hours
once the day is known, the actions as each hour begins), so a person costs
about 18 calls a day to plan. Until an answer arrives, the rule brain decides.
"""

from __future__ import annotations

from typing import Any

from engine.agents.rule_brain import Intent
from engine.cognition import prompts
from engine.cognition.context import ACTIVITY_BY_WORD, MindContext
from engine.cognition.mind import Mind, PlanStep
from engine.cognition.thinker import PLAN
from engine.contracts.enums import Activity
from engine.contracts.thinking import ThoughtKind

SLEEP = int(Activity.SLEEP)


def next_intent(ctx: MindContext, mind: Mind, tick: int) -> Intent | None:
    """The planned next step, or None to let the rule brain decide (asking for a plan if missing)."""
    day = ctx.clock.day(tick)
    hour = ctx.clock.minute_of_day(tick) // 60
    thinker = ctx.thinker
    if mind.plan_day != day:
        if not thinker.pending_for(mind.agent, ThoughtKind.PLAN_DAY):
            ask_day(ctx, mind, tick)
        return None
    if not mind.hours:
        if mind.strokes and not thinker.pending_for(mind.agent, ThoughtKind.PLAN_HOURS):
            ask_hours(ctx, mind, tick)
        return None
    if mind.actions_hour == hour and mind.next_action < len(mind.actions):
        step = mind.actions[mind.next_action]
        mind.next_action += 1
        return _intent(ctx, mind, step, tick, tick + ctx.clock.ticks_for(step.when))
    item = mind.hour_item(hour)
    if item is None:
        return None
    if mind.actions_hour != hour and not thinker.pending_for(mind.agent, ThoughtKind.ACTIONS):
        ask_actions(ctx, mind, item, tick)
    end_of_hour = ctx.clock.tick_at_minute(tick, (hour + 1) % 24 * 60)
    return _intent(ctx, mind, item, tick, end_of_hour)


def _intent(ctx: MindContext, mind: Mind, step: PlanStep, tick: int, until: int) -> Intent | None:
    building = ctx.city.buildings[step.place]
    if step.activity == SLEEP or not building.is_open(ctx.clock.minute_of_day(tick)):
        return None  # sleep stays with the rules (bedtime, at home); closed doors too
    mind.doing = step.note
    return Intent(step.activity, step.place, until)


def _places(ctx: MindContext, agent: int) -> tuple[dict[str, int], list[str]]:
    places = ctx.places_for(agent)
    return places, list(places)


def ask_day(ctx: MindContext, mind: Mind, tick: int) -> None:
    if not ctx.may_ask(mind.agent, PLAN, tick):
        ctx.thinker.refuse()
        return
    person = ctx.people[mind.agent]
    places, names = _places(ctx, mind.agent)
    memories = ctx.recall(mind.agent, f"{person.name}'s plans and commitments today", tick)
    prompt = prompts.fill(prompts.DAY_PLAN,
        persona=ctx.persona(mind.agent), weekday=ctx.weekday(tick), day=ctx.clock.day(tick),
        clock=ctx.clock_text(tick), name=person.first_name, memories=prompts.memories_block(memories),
        places=prompts.place_list(names),
    )
    ctx.ask(mind.agent, ThoughtKind.PLAN_DAY, PLAN, prompt, prompts.day_plan_schema(names),
            {"places": places, "day": ctx.clock.day(tick)}, tick)


def ask_hours(ctx: MindContext, mind: Mind, tick: int) -> None:
    if not ctx.may_ask(mind.agent, PLAN, tick):
        ctx.thinker.refuse()
        return
    person = ctx.people[mind.agent]
    places, names = _places(ctx, mind.agent)
    strokes = "\n".join(f"{s.when:02d}:00 {prompts.quote(s.note, 120)} ({prompts.quote(ctx.place_name(mind.agent, s.place), 80)})"
                        for s in mind.strokes)
    prompt = prompts.fill(prompts.HOURLY_PLAN,
        persona=ctx.persona(mind.agent), weekday=ctx.weekday(tick), clock=ctx.clock_text(tick),
        name=person.first_name, strokes=strokes, from_hour=ctx.clock.minute_of_day(tick) // 60,
        places=prompts.place_list(names),
    )
    ctx.ask(mind.agent, ThoughtKind.PLAN_HOURS, PLAN, prompt, prompts.hourly_plan_schema(names), {"places": places}, tick)


def ask_actions(ctx: MindContext, mind: Mind, item: PlanStep, tick: int) -> None:
    if not ctx.may_ask(mind.agent, PLAN, tick):
        ctx.thinker.refuse()
        return
    person = ctx.people[mind.agent]
    places, names = _places(ctx, mind.agent)
    memories = ctx.recall(mind.agent, item.note, tick, k=5)
    prompt = prompts.fill(prompts.ACTIONS,
        persona=ctx.persona(mind.agent), clock=ctx.clock_text(tick), name=person.first_name,
        hour_item=f"{item.note} at {ctx.place_name(mind.agent, item.place)}",
        memories=prompts.memories_block(memories), places=prompts.place_list(names),
    )
    hour = ctx.clock.minute_of_day(tick) // 60
    ctx.ask(mind.agent, ThoughtKind.ACTIONS, PLAN, prompt, prompts.actions_schema(names), {"places": places, "hour": hour}, tick)


def _steps(rows: list[dict[str, Any]], key: str, places: dict[str, int]) -> list[PlanStep]:
    steps = []
    for row in rows:
        building = places.get(row["place"])
        if building is None:
            continue  # the schema's enum should prevent this; a stale place list must not crash
        steps.append(PlanStep(int(row[key]), int(ACTIVITY_BY_WORD[row["activity"]]), building, row["note"]))
    return steps


def apply_day(ctx: MindContext, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
    mind.plan_day = context["day"]
    mind.strokes = sorted(_steps(data["strokes"], "hour", context["places"]), key=lambda s: s.when)
    mind.hours, mind.actions, mind.actions_hour = [], [], -1
    summary = "; ".join(f"{s.when:02d}:00 {s.note}" for s in mind.strokes)
    ctx.remember(mind.agent, "plan", f"My plan for today: {summary}", tick)


def apply_hours(ctx: MindContext, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
    mind.hours = sorted(_steps(data["hours"], "hour", context["places"]), key=lambda s: s.when)


def apply_actions(ctx: MindContext, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
    mind.actions = _steps(data["actions"], "minutes", context["places"])
    mind.actions_hour = context["hour"]
    mind.next_action = 0
