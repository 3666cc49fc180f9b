"""The cognition layer the simulation calls at its hooks; it routes answers to components.

Hooks, all on the engine thread:
- ``begin_tick``: check the answers that are ready and apply those that pass (plans, lines, reflections);
  a refused one is counted as a fallback with its reason, and the rule brain does that step.
- ``decide``: a planned next step for a thinking person, or None for the rule brain.
- ``arrived``: perceive the place and the people in it.
- ``encounter``: start a conversation on the model instead of small talk.
- ``end_tick``: remember the tick's small talk, trigger reflections, flush memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.agents.rule_brain import Intent
from engine.cognition import chat, checks, civic, conversation, hearsay, perception, planning, reflection, rule_mind
from engine.cognition.context import MindContext
from engine.cognition.mind import Mind
from engine.cognition.thinker import WATCHED, LLMStatus, Thought
from engine.contracts.events import ConversationHeld, Event, LLMStatusChanged, PlanMade
from engine.contracts.thinking import LLMHealth, ThoughtKind
from engine.llm.backend import ChatRequest, ChatResult
from engine.memory.types import MemoryStore
from engine.state.thoughts import ThoughtRecord

FLUSH_EVERY = 10  # ticks between memory commits (each LanceDB commit is a new version)

CIVIC_KINDS = frozenset({ThoughtKind.CIVIC_VOTE, ThoughtKind.CIVIC_PROPOSAL})
# A plan thought's kind -> the grain its PlanMade event reports.
PLAN_GRAINS = {ThoughtKind.PLAN_DAY: "day", ThoughtKind.PLAN_HOURS: "hours", ThoughtKind.ACTIONS: "actions"}

# Where answers to civic thoughts go (the society's councils): (kind, agent, data or None, context, tick).
CivicAnswer = Callable[[ThoughtKind, int, dict[str, Any] | None, dict[str, Any], int], None]
# Who reads the answer to a thought asked on the user's behalf: (agent, data or None, context, tick) -> events.
Answer = Callable[[int, dict[str, Any] | None, dict[str, Any], int], list[Event]]


def _anyone(agent: int) -> bool:
    return True


class Cognition:
    def __init__(
        self, ctx: MindContext, minds: list[int], *, may_think: Callable[[int], bool] | None = None,
        on_civic: CivicAnswer | None = None, answers: Mapping[ThoughtKind, Answer] | None = None,
    ):
        """``may_think``: whether someone may think on the model now (the thought economy says no to people
        in debt); ``on_civic``: the councils, who read civic answers; ``answers``: thought kind -> who reads
        the answers to thoughts asked with ``ask_for_user`` (the god console)."""
        self.ctx = ctx
        for agent in minds:
            ctx.minds[agent] = Mind(agent)
        self.talks: dict[int, conversation.Talk] = {}
        self.next_talk_id = 1
        self.may_think: Callable[[int], bool] = may_think if may_think is not None else _anyone
        ctx.may_think = self.may_think
        self.on_civic = on_civic
        self._answers: dict[ThoughtKind, Answer] = dict(answers or {})
        self._appliers = {
            ThoughtKind.PLAN_DAY: lambda mind, data, context, tick: planning.apply_day(self.ctx, mind, data, context, tick),
            ThoughtKind.PLAN_HOURS: lambda mind, data, context, tick: planning.apply_hours(self.ctx, mind, data, context, tick),
            ThoughtKind.ACTIONS: lambda mind, data, context, tick: planning.apply_actions(self.ctx, mind, data, context, tick),
            ThoughtKind.REFLECT_QUESTIONS: lambda mind, data, context, tick: reflection.apply_questions(self.ctx, mind, data, tick),
            ThoughtKind.REFLECT_INSIGHTS: lambda mind, data, context, tick: reflection.apply_insights(
                self.ctx, mind, data, context, tick),
            ThoughtKind.REACT: self._apply_reaction,
            ThoughtKind.IMPORTANCE: self._apply_importance,
        }

    # -- hooks -------------------------------------------------------------------------------

    def begin_tick(self, tick: int) -> list[Event]:
        ctx = self.ctx
        change = ctx.thinker.begin_tick(tick)
        if change is not None:
            ctx.events.append(LLMStatusChanged(tick, *change))
        for thought, outcome in ctx.thinker.ready(tick):
            data = outcome.data if isinstance(outcome, ChatResult) else None
            if data is not None:
                problem = self._problem(thought, data)
                if problem:
                    ctx.thinker.reject(thought, problem, tick)
                    data = None
                else:
                    ctx.thinker.cleared(thought.agent)
            if data is None and thought.kind in planning.PLAN_KINDS and thought.agent in ctx.minds:
                planning.failed(ctx, ctx.minds[thought.agent], tick)
            if thought.kind == ThoughtKind.CONVERSE:
                conversation.apply_turn(ctx, self.talks, data, thought.context["talk"], tick, self.may_think)
                continue
            if thought.kind == ThoughtKind.CHAT:
                chat.apply_answer(ctx, thought.agent, data, thought.context, tick)
                continue
            answer = self._answers.get(thought.kind)
            if answer is not None:  # asked on the user's behalf: the asker reads it
                ctx.events.extend(answer(thought.agent, data, thought.context, tick))
                continue
            if thought.kind in CIVIC_KINDS:  # failed ones too: the council falls back on its rules
                if self.on_civic is not None:
                    self.on_civic(thought.kind, thought.agent, data, thought.context, tick)
                continue
            mind = ctx.minds.get(thought.agent)
            if mind is None or data is None:
                continue  # a failed thought: the rule brain has been deciding meanwhile
            self._appliers[thought.kind](mind, data, thought.context, tick)
            grain = PLAN_GRAINS.get(thought.kind)
            if grain is not None:
                steps = planning.steps_of(thought.kind, data)
                ctx.events.append(PlanMade(tick, mind.agent, grain, "; ".join(do for _, do in steps)[:300]))
        events, ctx.events = ctx.events, []
        return events

    def _problem(self, thought: Thought, data: dict[str, Any]) -> str:
        """Why an answer may not touch the world, or "" (``engine.cognition.checks``)."""
        kind, context = thought.kind, thought.context
        prompt = thought.request.messages[-1][1]
        if kind in planning.PLAN_KINDS:
            return planning.problem(kind, data, context)
        if kind == ThoughtKind.CONVERSE:
            talk = self.talks.get(context["talk"])
            recent = [line for _, line in talk.lines] if talk else []
            return checks.speech_problem(data["line"], prompt, [*recent, *self.ctx.said.get(thought.agent, ())])
        if kind == ThoughtKind.CHAT:
            return checks.speech_problem(data["reply"], prompt)
        if kind == ThoughtKind.IMPORTANCE:
            return checks.rating_problem(data["rating"])
        if kind == ThoughtKind.REFLECT_QUESTIONS:
            return next((p for p in (checks.text_problem(q) for q in data["questions"]) if p), "")
        if kind == ThoughtKind.REFLECT_INSIGHTS:
            return next((p for p in (checks.text_problem(i["text"]) for i in data["insights"]) if p), "")
        if kind in CIVIC_KINDS:
            return checks.text_problem(data["reason"])
        return ""

    def decide(self, person: int, tick: int) -> Intent | None:
        mind = self.ctx.minds.get(person)
        if mind is None or not self.may_think(person):
            return None  # no mind, or thinking they cannot pay for: routine (the rule brain)
        if not self.ctx.thinker.available:
            self.ctx.thinker.refuse("model unavailable")  # counted as a fallback when a model is configured but down
            return None
        if conversation.in_talk(self.talks, person):  # stay put while the lines come in
            here = int(self.ctx.pop.location[person])
            return Intent(int(self.ctx.pop.activity[person]), here, tick + 5)
        if self.ctx.brain.is_urgent(person, tick, self.ctx.pop):
            return None
        return planning.next_intent(self.ctx, mind, tick)

    def arrived(self, person: int, building: int, tick: int) -> None:
        mind = self.ctx.minds.get(person)
        if mind is not None and self.may_think(person):
            perception.perceive(self.ctx, mind, building, tick)

    def encounter(self, a: int, b: int, place: int, tick: int) -> bool:
        ctx = self.ctx
        if a not in ctx.minds or b not in ctx.minds or not ctx.thinker.available:
            return False
        if not (self.may_think(a) and self.may_think(b)):
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
        ctx.remembered_talks.clear()
        thinking = ctx.thinker.available
        for mind in ctx.minds.values():
            if thinking and self.may_think(mind.agent):
                if reflection.due(ctx, mind):
                    reflection.ask_questions(ctx, mind, tick)
            elif rule_mind.due(ctx, mind):  # no model: a plainer look back, from the memories themselves
                rule_mind.reflect(ctx, mind, tick)
        if tick % FLUSH_EVERY == 0:  # unflushed memories are searched in RAM, so this only paces disk writes
            ctx.memory.flush()

    # -- appliers ----------------------------------------------------------------------------

    def _apply_reaction(self, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
        if perception.apply_reaction(self.ctx, mind, self.talks, self.next_talk_id, data, context, tick):
            self.next_talk_id += 1

    def _apply_importance(self, mind: Mind, data: dict[str, Any], context: dict[str, Any], tick: int) -> None:
        """One rating for a memory, or for the same conversation as each side keeps it (``memories``)."""
        rating = float(data["rating"])
        for agent, memory_id in context.get("memories", [[mind.agent, context.get("memory", -1)]]):
            found = self.ctx.memory.get([int(memory_id)])
            if not found:
                continue
            keeper = self.ctx.minds.get(int(agent))
            if keeper is not None:
                keeper.importance_since_reflection += rating - found[0].importance
            self.ctx.memory.update(int(memory_id), importance=rating)

    def hear(self, agent: int, text: str, tick: int) -> None:
        """Someone passed something on to ``agent``: a memory, if they have a mind to keep it in."""
        if agent in self.ctx.minds:
            self.ctx.remember(agent, "observation", text, tick)

    def _remember_small_talk(self, event: ConversationHeld, tick: int) -> None:
        ctx = self.ctx
        if (event.a, event.b) in ctx.remembered_talks:  # a talk on the model: each side already keeps its summary
            return
        if event.a not in ctx.minds and event.b not in ctx.minds:
            return  # nobody keeps it: left unworded
        place = ctx.city.buildings[event.building].name
        names = (ctx.people[event.a], ctx.people[event.b])
        said = " / ".join(f"{names[s].first_name}: {text}" for s, text in event.lines)
        for me, other in ((event.a, names[1]), (event.b, names[0])):
            if me in ctx.minds:
                ctx.remember(me, "conversation", f"Chatted with {other.name} at {place}. {said}", tick)

    # -- the user's attention, status, state -------------------------------------------------

    def talked_on_model(self, a: int, b: int) -> bool:
        """Was the conversation ``a`` and ``b`` just finished held on the model (their own words)?"""
        return (a, b) in self.ctx.remembered_talks

    def carried_facts(self, line: str, facts: list[tuple[int, str]]) -> list[int]:
        """Which of ``facts`` (id, text) ``line`` tells, by meaning."""
        return hearsay.carried(self.ctx, line, facts)

    def consult_attend(self, agent: int, fact: dict[str, Any], tick: int) -> bool:
        """Ask a mind told of an event whether they go (answered through the reader of ``ThoughtKind.ATTEND``)."""
        return self.ctx.thinker.available and hearsay.ask_attend(self.ctx, agent, fact, tick)

    def consult_vote(self, agent: int, about: dict[str, Any], tick: int) -> bool:
        """Ask a councillor with a mind how they will vote (answered later through ``on_civic``)."""
        return self.may_think(agent) and self.ctx.thinker.available and civic.ask_vote(self.ctx, agent, about, tick)

    def consult_proposal(self, agent: int, district: dict[str, Any], options: list[dict[str, Any]], tick: int) -> bool:
        """Ask a resident with a mind which grievance, if any, they take to the council."""
        return (self.may_think(agent) and self.ctx.thinker.available
                and civic.ask_proposal(self.ctx, agent, district, options, tick))

    def watch(self, agent: int, watched: bool = True) -> None:
        if watched:
            self.ctx.watched.add(agent)
            self.ctx.minds.setdefault(agent, Mind(agent))
        else:
            self.ctx.watched.discard(agent)

    def chat(self, agent: int, text: str, history: tuple[tuple[str, str], ...], command_id: int, tick: int) -> None:
        """Someone talks to ``agent``: the answer comes as a ``ChatReply`` event (now, or when thought)."""
        chat.ask(self.ctx, agent, text, history, command_id, tick)

    def ask_for_user(self, kind: ThoughtKind, request: ChatRequest, context: dict[str, Any], tick: int) -> bool:
        """A thought on the user's behalf, no one's mind (at the watched priority); False: refused now.
        Its answer goes to the reader registered for ``kind``."""
        hour = self.ctx.clock.total_minutes(tick) // 60
        return self.ctx.thinker.offer(-1, kind, WATCHED, request, context, tick, hour)

    def drain_events(self) -> list[Event]:
        events, self.ctx.events = self.ctx.events, []
        return events

    def forget(self, agent: int, tick: int) -> None:
        """The person left the world: no mind, no talks."""
        self.ctx.minds.pop(agent, None)
        self.ctx.watched.discard(agent)
        for talk in [t for t in self.talks.values() if agent in (t.a, t.b)]:
            conversation.finish(self.ctx, self.talks, talk, tick)

    # -- what the rest of the engine may ask ---------------------------------------------------

    @property
    def available(self) -> bool:
        """Worth asking the model now (False when off, or down as this tick began)."""
        return self.ctx.thinker.available

    @property
    def memory(self) -> MemoryStore:
        return self.ctx.memory

    def mind(self, agent: int) -> Mind | None:
        return self.ctx.minds.get(agent)

    @property
    def mind_count(self) -> int:
        return len(self.ctx.minds)

    def recall(self, agent: int, query: str, tick: int, k: int = 8) -> list[str]:
        """The texts of ``agent``'s memories most worth recalling for ``query`` (read only)."""
        return self.ctx.recall(agent, query, tick, k)

    def answer_person(self, listener: int, speaker: int, text: str, tick: int) -> str:
        """``listener``'s answer when ``speaker`` (driven from outside) says ``text`` to them, as they would
        answer anyone: from their state and memories, on the rule brain (so a replay says it again). The talk
        is remembered like any other (``end_tick`` reads it)."""
        ctx = self.ctx
        return rule_mind.rule_reply(ctx, listener, text, ctx.recall(listener, text, tick, k=8), tick)

    def remember(self, agent: int, kind: str, text: str, tick: int, importance: float | None = None) -> int:
        """A memory for ``agent`` (importance by heuristic unless given)."""
        return self.ctx.remember(agent, kind, text, tick, importance)

    def plant_memory(self, agent: int, tick: int, kind: str, text: str, importance: float, pinned: bool = False,
                     memory_id: int = -1) -> int:
        """A memory given from outside (god mode), under ``memory_id`` or a fresh id; it counts towards reflecting."""
        ctx = self.ctx
        if memory_id < 0:
            memory_id = ctx.next_memory_id
            ctx.next_memory_id += 1
        ctx.memory.add(agent, tick, kind, text, importance, pinned=pinned, id=memory_id)
        mind = ctx.minds.get(agent)
        if mind is not None:
            mind.importance_since_reflection += importance
        return memory_id

    def drain_thoughts(self) -> list[ThoughtRecord]:
        """The thoughts applied since last asked, for the world's records."""
        return self.ctx.thinker.drain_records()

    def replay(self, records: list[ThoughtRecord], status_changes: dict[int, tuple[LLMHealth, str]]) -> None:
        """Answer from ``records`` (seeking into the past): no model is called until ``end_replay``."""
        self.ctx.thinker.replay(records, status_changes)

    def end_replay(self) -> None:
        self.ctx.thinker.end_replay()

    def probe_now(self) -> None:
        """Ask the backend's health in the background (after a settings change)."""
        self.ctx.thinker.probe_now()

    def status(self) -> LLMStatus:
        return self.ctx.thinker.status()

    def thinking_report(self) -> dict[str, Any]:
        """Why the rule brain stood in (reason -> count, most first), calls and tokens per kind of thought, and
        the server's speed as measured on recent calls (tokens per second)."""
        thinker = self.ctx.thinker
        return {"fallback_reasons": dict(thinker.reasons.most_common()), "by_kind": thinker.usage_report(),
                "throughput": thinker.throughput.as_dict()}

    def get_state(self) -> dict[str, Any]:
        return {
            "minds": [m.get_state() for _, m in sorted(self.ctx.minds.items())],
            "talks": [t.get_state() for _, t in sorted(self.talks.items())],
            "next_talk_id": self.next_talk_id,
            "next_memory_id": self.ctx.next_memory_id,
            "watched": sorted(self.ctx.watched),
            "said": [[agent, list(lines)] for agent, lines in sorted(self.ctx.said.items())],
            "thinker": self.ctx.thinker.get_state(),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self.ctx.minds = {m["agent"]: Mind.from_state(m) for m in state["minds"]}
        self.talks = {t[0]: conversation.Talk.from_state(t) for t in state["talks"]}
        self.next_talk_id = state["next_talk_id"]
        self.ctx.next_memory_id = state["next_memory_id"]
        self.ctx.watched = set(state["watched"])
        self.ctx.said = {int(agent): list(lines) for agent, lines in state.get("said", [])}
        self.ctx.thinker.set_state(state["thinker"])

    def close(self) -> None:
        self.ctx.thinker.close()
        self.ctx.memory.flush()

