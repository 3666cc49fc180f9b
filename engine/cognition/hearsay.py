"""What minds tell each other: a fact carried by a line of their own words, and whether to go to an event.

When two minds talk on the model, news passes only if what one of them says carries it: the line
and each fact the speaker knows (and the listener does not) are embedded with the memory's own
embedder, and a line close enough in meaning to a fact passes that fact on, with its source. The
canned "Did you hear?" line is for the rule brain's small talk. A mind told of an event decides
for itself whether to go; until it answers (or when it cannot), the rules' decision stands.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.cognition import prompts
from engine.cognition.context import MindContext
from engine.cognition.thinker import REACT
from engine.contracts.thinking import ThoughtKind

CARRIES = 0.5  # cosine similarity of a line to a fact at which the line is taken to tell it


def carried(ctx: MindContext, line: str, facts: list[tuple[int, str]]) -> list[int]:
    """The ids of ``facts`` (id, text) whose meaning ``line`` carries."""
    if not facts or not line.strip():
        return []
    vectors = np.asarray(ctx.memory.embedder.embed([line, *(text for _, text in facts)]), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    unit = vectors / norms[:, None]
    similarity = unit[1:] @ unit[0]
    return [fact_id for (fact_id, _), score in zip(facts, similarity, strict=True) if score >= CARRIES]


def ask_attend(ctx: MindContext, agent: int, fact: dict[str, Any], tick: int) -> bool:
    """Ask ``agent`` whether they go to the event ``fact`` (id, text, teller, building, start)."""
    if agent not in ctx.minds or not ctx.may_think(agent):
        return False
    if not ctx.may_ask(agent, REACT, tick):
        ctx.thinker.refuse(ctx.why_not(agent, REACT, tick))  # the rules' decision stands
        return False
    person = ctx.people[agent]
    start = int(fact["start"])
    minute = ctx.clock.minute_of_day(start)
    day = ctx.clock.day(start) - ctx.clock.day(tick)
    when = ("today" if day <= 0 else "tomorrow" if day == 1 else f"in {day} days") + f" at {minute // 60:02d}:{minute % 60:02d}"
    mind = ctx.minds[agent]
    planned = mind.hour_item(minute // 60) if mind.plan_day == ctx.clock.day(start) else None
    prompt = prompts.fill(prompts.ATTEND,
        persona=ctx.persona(agent), weekday=ctx.weekday(tick), clock=ctx.clock_text(tick), name=person.first_name,
        source=ctx.people[int(fact["teller"])].name, fact=fact["text"], when=when,
        place=ctx.city.buildings[int(fact["building"])].name, doing=planned.note if planned else "go about the day",
    )
    return ctx.ask(agent, ThoughtKind.ATTEND, REACT, prompt, prompts.ATTEND_SCHEMA, {"fact": int(fact["id"])}, tick)
