"""Conversations on the model: turn by turn, each side speaking from its own memories.

Both people stay where they are while they talk. A conversation ends when a side
says so, after MAX_TURNS lines, or when the model cannot answer (or answers
with something that is not speech: see ``checks``); it is then kept as one short
memory by each side, rated once for both, and moves their relationship by how
warm it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.cognition import prompts
from engine.cognition.context import MindContext
from engine.cognition.thinker import CONVERSATION, IMPORTANCE
from engine.contracts.events import ConversationHeld, RelationshipChanged
from engine.contracts.thinking import ThoughtKind

MAX_TURNS = 4
SAID_KEPT = 6  # a mind's latest lines, to refuse one said again
SUMMARY_LINES = 4  # lines of a talk its memory keeps
HOLD_MINUTES = 45  # how long both stay put at most while the lines come in
COOLDOWN_MINUTES = 90


@dataclass
class Talk:
    id: int
    a: int
    b: int
    place: int
    started: int
    lines: list[tuple[int, str]] = field(default_factory=list)  # (0 = a, 1 = b, text)
    warmth: list[int] = field(default_factory=list)

    @property
    def speaker(self) -> int:
        return self.a if len(self.lines) % 2 == 0 else self.b

    def other(self, person: int) -> int:
        return self.b if person == self.a else self.a

    def get_state(self) -> list[Any]:
        return [self.id, self.a, self.b, self.place, self.started, [list(x) for x in self.lines], list(self.warmth)]

    @classmethod
    def from_state(cls, s: list[Any]) -> Talk:
        return cls(s[0], s[1], s[2], s[3], s[4], [(int(a), str(b)) for a, b in s[5]], [int(w) for w in s[6]])


def start(ctx: MindContext, talks: dict[int, Talk], talk_id: int, a: int, b: int, place: int, tick: int) -> bool:
    if not ctx.may_ask(a, CONVERSATION, tick):
        ctx.thinker.refuse(ctx.why_not(a, CONVERSATION, tick))  # small talk by the rule brain instead
        return False
    talk = Talk(talk_id, a, b, place, tick)
    if not _ask_turn(ctx, talk, tick):
        return False
    talks[talk.id] = talk
    hold = tick + ctx.clock.ticks_for(HOLD_MINUTES)
    for person in (a, b):
        ctx.pop.until[person] = max(int(ctx.pop.until[person]), hold)
        ctx.pop.chat_cooldown[person] = hold
    return True


def in_talk(talks: dict[int, Talk], person: int) -> bool:
    return any(person in (t.a, t.b) for t in talks.values())


def _ask_turn(ctx: MindContext, talk: Talk, tick: int) -> bool:
    speaker, listener = talk.speaker, talk.other(talk.speaker)
    me, them = ctx.people[speaker], ctx.people[listener]
    tie = ctx.ties.get(speaker, listener)
    relationship = f"{tie.label}, affinity {tie.affinity:+.1f}" if tie else "a stranger"
    last = talk.lines[-1][1] if talk.lines else ""
    memories = ctx.recall(speaker, f"{them.name} {last}".strip(), tick, k=4)
    transcript = prompts.transcript_block(
        (ctx.people[talk.a if s == 0 else talk.b].first_name, text) for s, text in talk.lines
    )
    prompt = prompts.fill(prompts.CONVERSE,
        persona=ctx.persona(speaker), clock=ctx.clock_text(tick), place=ctx.city.buildings[talk.place].name,
        name=me.first_name, other=them.name, relationship=relationship,
        memories=prompts.memories_block(memories), transcript=transcript,
    )
    return ctx.ask(speaker, ThoughtKind.CONVERSE, CONVERSATION, prompt, prompts.CONVERSE_SCHEMA, {"talk": talk.id}, tick)


def apply_turn(ctx: MindContext, talks: dict[int, Talk], data: dict[str, Any] | None, talk_id: int, tick: int,
               may_think: Callable[[int], bool] = lambda person: True) -> None:
    """The line just thought; then the next one is asked, unless the talk is over or one of the two may no
    longer think on the model (the thought economy: they ran out of money mid-talk)."""
    talk = talks.get(talk_id)
    if talk is None:
        return
    if data is None:  # the model failed: end with what was said
        finish(ctx, talks, talk, tick, may_think)
        return
    said = ctx.said.setdefault(talk.speaker, [])
    said.append(data["line"])
    del said[:-SAID_KEPT]
    talk.lines.append((0 if talk.speaker == talk.a else 1, data["line"]))
    talk.warmth.append(int(data["warmth"]))
    over = (data["end"] and len(talk.lines) >= 2) or len(talk.lines) >= MAX_TURNS
    if over or not (may_think(talk.a) and may_think(talk.b)) or not _ask_turn(ctx, talk, tick):
        finish(ctx, talks, talk, tick, may_think)


def finish(ctx: MindContext, talks: dict[int, Talk], talk: Talk, tick: int,
           may_think: Callable[[int], bool] = lambda person: True) -> None:
    talks.pop(talk.id, None)
    for person in (talk.a, talk.b):
        ctx.pop.until[person] = tick + 1
        ctx.pop.chat_cooldown[person] = tick + ctx.clock.ticks_for(COOLDOWN_MINUTES)
    if not talk.lines:
        return
    warmth = sum(talk.warmth) / (2 * len(talk.warmth))
    tie = ctx.ties.meet(talk.a, talk.b, tick, warmth)
    ctx.events.append(ConversationHeld(tick, talk.a, talk.b, talk.place, tuple(talk.lines)))
    ctx.events.append(RelationshipChanged(tick, talk.a, talk.b, round(tie.affinity, 4), round(tie.familiarity, 4), tie.label))
    ctx.remembered_talks.add((talk.a, talk.b))
    place = ctx.city.buildings[talk.place].name
    said = " / ".join(f"{ctx.people[talk.a if s == 0 else talk.b].first_name}: {t}" for s, t in talk.lines[:SUMMARY_LINES])
    kept: list[list[int]] = []
    for person in (talk.a, talk.b):
        if person in ctx.minds:
            other = ctx.people[talk.other(person)]
            kept.append([person, ctx.remember(person, "conversation", f"Talked with {other.name} at {place}: {said}", tick)])
    rater = next((person for person, _ in kept if may_think(person)), None)
    if rater is not None:
        names = f"{ctx.people[talk.a].name} and {ctx.people[talk.b].name}"
        rate_importance(ctx, rater, kept, f"{names} talked at {place}: {said}", tick)


def rate_importance(ctx: MindContext, agent: int, memories: list[list[int]], text: str, tick: int) -> None:
    """Ask the model once how poignant a memory is, for each (person, memory id) keeping it (the built-in score
    stands until it answers, and when the answer is unusable)."""
    if not ctx.may_ask(agent, IMPORTANCE, tick):
        ctx.thinker.refuse(ctx.why_not(agent, IMPORTANCE, tick))  # the built-in score stands
        return
    prompt = prompts.fill(prompts.IMPORTANCE, name=ctx.people[agent].name, memory=text)
    ctx.ask(agent, ThoughtKind.IMPORTANCE, IMPORTANCE, prompt, prompts.IMPORTANCE_SCHEMA, {"memories": memories}, tick)
