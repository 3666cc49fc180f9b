"""The cognition layer the simulation calls at its hooks; it routes answers to components.

Hooks, all on the engine thread:
- ``begin_tick``: apply the answers that are ready (plans, lines, reflections).
- ``decide``: a planned next step for a thinking person, or None for the rule brain.
- ``arrived``: perceive the place and the people in it.
- ``encounter``: start a conversation on the model instead of small talk.
- ``end_tick``: remember the tick's small talk, trigger reflections, flush memory.
"""

from __future__ import annotations

from typing import Any

from engine.agents.rule_brain import Intent
from engine.cognition import conversation, perception, planning, reflection
from engine.cognition.context import MindContext
from engine.cognition.mind import Mind
from engine.cognition.thinker import LLMStatus
from engine.contracts.events import ConversationHeld, Event, LLMStatusChanged, PlanMade
from engine.llm.backend import ChatResult

FLUSH_EVERY = 10  # ticks between memory commits (each LanceDB commit is a new version)


class Cognition:
    def __init__(self, ctx: MindContext, minds: list[int]):
        self.ctx = ctx
        for agent in minds:
            ctx.minds[agent] = Mind(agent)
        self.talks: dict[int, conversation.Talk] = {}
        self.next_talk_id = 1
        self._appliers = {
            "plan_day": lambda mind, data, context, tick: planning.apply_day(self.ctx, mind, data, context, tick),
            "plan_hours": lambda mind, data, context, tick: planning.apply_hours(self.ctx, mind, data, context, tick),
            "actions": lambda mind, data, context, tick: planning.apply_actions(self.ctx, mind, data, context, tick),
            "reflect_questions": lambda mind, data, context, tick: reflection.apply_questions(self.ctx, mind, data, tick),
            "reflect_insights": lambda mind, data, context, tick: reflection.apply_insights(
                self.ctx, mind, data, context, tick),
            "react": self._apply_reaction,
            "importance": self._apply_importance,
        }

    # -- hooks -------------------------------------------------------------------------------

    def begin_tick(self, tick: int) -> list[Event]:
        ctx = self.ctx
        change = ctx.thinker.begin_tick(tick)
        if change is not None:
            ctx.events.append(LLMStatusChanged(tick, *change))
        for thought, outcome in ctx.thinker.ready(tick):
            data = outcome.data if isinstance(outcome, ChatResult) else None
            if thought.kind == "converse":
                conversation.apply_turn(ctx, self.talks, data, thought.context["talk"], tick)
                continue
            mind = ctx.minds.get(thought.agent)
            if mind is None or data is None:
                continue  # a failed thought: the rule brain has been deciding meanwhile
            self._appliers[thought.kind](mind, data, thought.context, tick)
            if thought.kind in ("plan_day", "plan_hours", "actions"):
                grain = {"plan_day": "day", "plan_hours": "hours", "actions": "actions"}[thought.kind]
                ctx.events.append(PlanMade(tick, mind.agent, grain, _summary(data)))
        events, ctx.events = ctx.events, []
        return events

    def decide(self, person: int, tick: int) -> Intent | None:
        mind = self.ctx.minds.get(person)
        if mind is None:
            return None
        if not self.ctx.thinker.available:
            self.ctx.thinker.refuse()  # counted as a fallback when a model is configured but down
            return None
        if conversation.in_talk(self.talks, person):  # stay put while the lines come in
            here = int(self.ctx.pop.location[person])
            return Intent(int(self.ctx.pop.activity[person]), here, tick + 5)
        if self.ctx.brain.is_urgent(person, tick, self.ctx.pop):
            return None
        return planning.next_intent(self.ctx, mind, tick)

    def arrived(self, person: int, building: int, tick: int) -> None:
        mind = self.ctx.minds.get(person)
        if mind is not None:
            perception.perceive(self.ctx, mind, building, tick)

    def encounter(self, a: int, b: int, place: int, tick: int) -> bool:
        ctx = self.ctx
        if a not in ctx.minds or b not in ctx.minds or not ctx.thinker.available:
            return False
        if conversation.in_talk(self.talks, a) or conversation.in_talk(self.talks, b):
            return False
        started = conversation.start(ctx, self.talks, self.next_talk_id, a, b, place, tick)
        if started:
            self.next_talk_id += 1
        return started

    def end_tick(self, tick: int, events: list[Event]) -> None:
        ctx = self.ctx
        for event in events:
            if isinstance(event, ConversationHeld) and event.tick == tick:
                self._remember_small_talk(event, tick)
        for mind in ctx.minds.values():
            if reflection.due(ctx, mind):
                reflection.ask_questions(ctx, mind, tick)
        if tick % FLUSH_EVERY == 0:  # unflushed memories are searched in RAM, so this only paces disk writes
            ctx.memory.flush()

    # -- appliers ----------------------------------------------------------------------------

    def _apply_reaction(self, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
        if perception.apply_reaction(self.ctx, mind, self.talks, self.next_talk_id, data, context, tick):
            self.next_talk_id += 1

    def _apply_importance(self, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
        memory_id = int(context["memory"])
        found = self.ctx.memory.get([memory_id])
        if found:
            mind.importance_since_reflection += float(data["rating"]) - found[0].importance
            self.ctx.memory.update(memory_id, importance=float(data["rating"]))

    def _remember_small_talk(self, event: ConversationHeld, tick: int) -> None:
        ctx = self.ctx
        place = ctx.city.buildings[event.building].name
        names = (ctx.people[event.a], ctx.people[event.b])
        said = " / ".join(f"{names[s].first_name}: {text}" for s, text in event.lines)
        for me, other in ((event.a, names[1]), (event.b, names[0])):
            if me in ctx.minds:
                ctx.remember(me, "conversation", f"Chatted with {other.name} at {place}. {said}", tick)

    # -- the user's attention, status, state -------------------------------------------------

    def watch(self, agent: int, watched: bool = True) -> None:
        if watched:
            self.ctx.watched.add(agent)
            self.ctx.minds.setdefault(agent, Mind(agent))
        else:
            self.ctx.watched.discard(agent)

    def status(self) -> LLMStatus:
        return self.ctx.thinker.status()

    def get_state(self) -> dict[str, Any]:
        return {
            "minds": [m.get_state() for _, m in sorted(self.ctx.minds.items())],
            "talks": [t.get_state() for _, t in sorted(self.talks.items())],
            "next_talk_id": self.next_talk_id,
            "next_memory_id": self.ctx.next_memory_id,
            "watched": sorted(self.ctx.watched),
            "thinker": self.ctx.thinker.get_state(),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self.ctx.minds = {m["agent"]: Mind.from_state(m) for m in state["minds"]}
        self.talks = {t[0]: conversation.Talk.from_state(t) for t in state["talks"]}
        self.next_talk_id = state["next_talk_id"]
        self.ctx.next_memory_id = state["next_memory_id"]
        self.ctx.watched = set(state["watched"])
        self.ctx.thinker.set_state(state["thinker"])

    def close(self) -> None:
        self.ctx.thinker.close()
        self.ctx.memory.flush()


def _summary(data: dict[str, Any]) -> str:
    rows = next(iter(data.values()))
    return "; ".join(row.get("note", "") for row in rows)[:300]
