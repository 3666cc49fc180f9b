"""Planning at two grains: the rest of the day hour by hour, then 5-15 minute steps.

The day is asked for in one call on waking (what a day in broad strokes and then
its hours took two calls for), and again only when a person changes their plans;
the steps as each planned hour begins. Every step is one of the things the person
may do (``MindContext.choices_for``), at an hour still to come, so the schema
itself rules out sleeping at the pub or planning for an hour already gone; what
the schema cannot (the order) is checked before the plan is used. Until an answer
arrives, or when it is refused, the rule brain decides.
"""

from __future__ import annotations

from typing import Any

from engine.agents.rule_brain import Intent
from engine.cognition import checks, prompts
from engine.cognition.context import MindContext
from engine.cognition.mind import Mind, PlanStep
from engine.cognition.thinker import PLAN
from engine.contracts.enums import Activity
from engine.contracts.thinking import ThoughtKind

SLEEP = int(Activity.SLEEP)
# Steps whose hour needs no finer plan: the place and the activity say it all (free time is what gets broken down).
ROUTINE = frozenset(int(a) for a in (Activity.SLEEP, Activity.HOME, Activity.WORK, Activity.STUDY, Activity.EAT, Activity.SHOP))
RETRY_MINUTES = 60  # after a plan could not be had, how long the rule brain plans before asking again
PLAN_KINDS = frozenset({ThoughtKind.PLAN_DAY, ThoughtKind.PLAN_HOURS, ThoughtKind.ACTIONS})


def next_intent(ctx: MindContext, mind: Mind, tick: int) -> Intent | None:
    """The planned next step, or None to let the rule brain decide (asking for a plan if missing)."""
    day = ctx.clock.day(tick)
    hour = ctx.clock.minute_of_day(tick) // 60
    thinker = ctx.thinker
    if tick < mind.retry_at:
        return None
    if mind.plan_day != day:
        if not thinker.pending_for(mind.agent, ThoughtKind.PLAN_DAY):
            ask_day(ctx, mind, tick)
        return None
    if not mind.hours:
        if not thinker.pending_for(mind.agent, ThoughtKind.PLAN_HOURS):
            ask_hours(ctx, mind, tick)
        return None
    if mind.actions_hour == hour and mind.next_action < len(mind.actions):
        step = mind.actions[mind.next_action]
        mind.next_action += 1
        return _intent(ctx, mind, step, tick, tick + ctx.clock.ticks_for(step.when))
    item = mind.hour_item(hour)
    if item is None:
        return None
    begins = item.when == hour and item.activity not in ROUTINE  # a step worth breaking down starts now
    if begins and mind.actions_hour != hour and not thinker.pending_for(mind.agent, ThoughtKind.ACTIONS):
        ask_actions(ctx, mind, item, tick)
    end_of_hour = ctx.clock.tick_at_minute(tick, (hour + 1) % 24 * 60)
    return _intent(ctx, mind, item, tick, end_of_hour)


def _intent(ctx: MindContext, mind: Mind, step: PlanStep, tick: int, until: int) -> Intent | None:
    building = ctx.city.buildings[step.place]
    if step.activity == SLEEP or not building.is_open(ctx.clock.minute_of_day(tick)):
        return None  # sleep stays with the rules (bedtime, at home); closed doors too
    mind.doing = step.note
    return Intent(step.activity, step.place, until)


def _choices(ctx: MindContext, agent: int) -> tuple[dict[str, list[int]], list[str]]:
    choices = {phrase: list(pair) for phrase, pair in ctx.choices_for(agent).items()}
    return choices, list(choices)


def _ask_plan(ctx: MindContext, mind: Mind, kind: ThoughtKind, template: str, tick: int) -> None:
    if not ctx.may_ask(mind.agent, PLAN, tick):
        ctx.thinker.refuse(ctx.why_not(mind.agent, PLAN, tick))
        return
    person = ctx.people[mind.agent]
    choices, names = _choices(ctx, mind.agent)
    from_hour = ctx.clock.minute_of_day(tick) // 60
    memories = ctx.recall(mind.agent, f"{person.name}'s plans and commitments today", tick, k=4)
    prompt = prompts.fill(template,
        persona=ctx.persona(mind.agent), weekday=ctx.weekday(tick), day=ctx.clock.day(tick),
        clock=ctx.clock_text(tick), name=person.first_name, memories=prompts.memories_block(memories),
        from_hour=from_hour, choices=prompts.choice_list(names),
    )
    ctx.ask(mind.agent, kind, PLAN, prompt, prompts.plan_schema(from_hour, names),
            {"choices": choices, "day": ctx.clock.day(tick), "from_hour": from_hour}, tick)


def ask_day(ctx: MindContext, mind: Mind, tick: int) -> None:
    _ask_plan(ctx, mind, ThoughtKind.PLAN_DAY, prompts.DAY_PLAN, tick)


def ask_hours(ctx: MindContext, mind: Mind, tick: int) -> None:
    """The rest of the day again (after deciding to change plans)."""
    _ask_plan(ctx, mind, ThoughtKind.PLAN_HOURS, prompts.REPLAN, tick)


def ask_actions(ctx: MindContext, mind: Mind, item: PlanStep, tick: int) -> None:
    if not ctx.may_ask(mind.agent, PLAN, tick):
        ctx.thinker.refuse(ctx.why_not(mind.agent, PLAN, tick))
        return
    person = ctx.people[mind.agent]
    choices, names = _choices(ctx, mind.agent)
    memories = ctx.recall(mind.agent, item.note, tick, k=3)
    prompt = prompts.fill(prompts.ACTIONS,
        persona=ctx.persona(mind.agent), clock=ctx.clock_text(tick), name=person.first_name,
        hour_item=item.note, memories=prompts.memories_block(memories), choices=prompts.choice_list(names),
    )
    hour = ctx.clock.minute_of_day(tick) // 60
    ctx.ask(mind.agent, ThoughtKind.ACTIONS, PLAN, prompt, prompts.actions_schema(names),
            {"choices": choices, "hour": hour, "from_hour": -1}, tick)


def steps_of(kind: ThoughtKind, data: dict[str, Any]) -> list[tuple[int, str]]:
    """A plan answer's (time, choice) steps, as given (an hour that is not a number reads as -1)."""
    if kind == ThoughtKind.ACTIONS:
        return [(int(row["minutes"]), str(row["do"])) for row in data["steps"]]
    return [(int(hour) if str(hour).isdigit() else -1, str(do)) for hour, do in data["plan"].items()]


def problem(kind: ThoughtKind, data: dict[str, Any], context: dict[str, Any]) -> str:
    """Why a plan answer may not be followed, or "" (see ``checks.steps_problem``)."""
    return checks.steps_problem(steps_of(kind, data), context["choices"], int(context["from_hour"]))


def _plan_steps(kind: ThoughtKind, data: dict[str, Any], context: dict[str, Any]) -> list[PlanStep]:
    choices = context["choices"]
    return [PlanStep(when, int(choices[do][0]), int(choices[do][1]), do) for when, do in steps_of(kind, data)]


def failed(ctx: MindContext, mind: Mind, tick: int) -> None:
    """No usable plan came: the rule brain plans for a while before the model is asked again."""
    mind.retry_at = tick + ctx.clock.ticks_for(RETRY_MINUTES)


def apply_day(ctx: MindContext, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
    mind.plan_day = context["day"]
    mind.hours = _plan_steps(ThoughtKind.PLAN_DAY, data, context)
    mind.strokes = list(mind.hours)
    mind.actions, mind.actions_hour = [], -1
    summary = "; ".join(f"{s.when:02d}:00 {s.note}" for s in mind.hours)
    ctx.remember(mind.agent, "plan", f"My plan for today: {summary}", tick)


def apply_hours(ctx: MindContext, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
    mind.plan_day = context["day"]
    mind.hours = _plan_steps(ThoughtKind.PLAN_HOURS, data, context)
    mind.strokes = list(mind.hours)


def apply_actions(ctx: MindContext, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
    mind.actions = _plan_steps(ThoughtKind.ACTIONS, data, context)
    mind.actions_hour = context["hour"]
    mind.next_action = 0
