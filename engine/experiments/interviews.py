"""Interviews and surveys: one question to one person, a sample or everyone.

A person with a mind answers as they do in the Chat dock: on the model from their
memories when thinking is on, else on the rule brain from what they are doing, feel,
plan, know and remember. The question is put as the god-mode ``Chat`` edit, so it is
logged, becomes a memory and a replay asks it again. On a scale, the model is asked
for the number first; a rule-brain answer's number is read from the person's state and
ties (``rule_score``), so a survey gives numbers on either brain.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from engine.contracts.edits import Chat, Edit
from engine.contracts.events import ChatReply, Event
from engine.sim.simulation import Simulation

MAX_WAIT_TICKS = 60  # a thought on the model is answered within a few ticks in lockstep; never wait longer

# Words that say what a scale question is about, and which of a person's numbers answers it.
TOPICS: dict[str, tuple[str, ...]] = {
    "money": ("money", "afford", "pay", "wage", "rich", "poor", "tax", "price", "income", "job", "work", "econom"),
    "ties": ("friend", "lonely", "alone", "neighbo", "trust", "people", "community", "family", "belong", "know"),
    "rest": ("tired", "sleep", "rest", "energy", "exhaust"),
    "fun": ("fun", "bored", "enjoy", "leisure", "park"),
}


@dataclass(frozen=True)
class Answer:
    person: int
    name: str
    question: str
    answer: str
    score: int | None  # on the scale, when one was asked for
    how: str  # "llm", "rule brain"
    tick: int
    sim_time: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


Apply = Callable[[Edit], object]  # applies (and logs) a god-mode edit
Step = Callable[[], list[Event]]  # runs one tick, returning its events


def choose(sim: Simulation, who: str | Sequence[str], seed: int = 0) -> list[int]:
    """The people asked: "all", "sample:N" (N drawn with ``seed``), or names (or ids)."""
    alive = [p.id for p in sim.people if not p.removed]
    if isinstance(who, str):
        text = who.strip()
        if text == "all":
            return alive
        if text.startswith("sample:"):
            try:
                count = int(text.removeprefix("sample:"))
            except ValueError:
                raise ValueError(f"'{who}' must be sample:N with N a whole number") from None
            if count < 1:
                raise ValueError(f"'{who}': a sample needs at least one person")
            return sorted(random.Random(seed).sample(alive, min(count, len(alive))))
        who = [text]
    return [_person(sim, name) for name in who]


def _person(sim: Simulation, who: str) -> int:
    people = [p for p in sim.people if not p.removed]
    if who.strip().isdigit() and any(p.id == int(who) for p in people):
        return int(who)
    wanted = who.strip().lower()
    found = [p.id for p in people if p.name.lower() == wanted] or [p.id for p in people if p.first_name.lower() == wanted]
    if len(found) != 1:
        raise ValueError(f"nobody called {who!r} lives in {sim.city.name}" if not found
                         else f"{who!r} could be several people: use the full name")
    return found[0]


def put_question(question: str, scale: tuple[int, int] | None) -> str:
    """The words a person hears: on a scale, asked to give the number first."""
    if scale is None:
        return question
    low, high = scale
    return (f"{question} Answer with one whole number from {low} to {high} first "
            f"({low} = not at all, {high} = completely), then say why in a sentence.")


def interview(sim: Simulation, question: str, people: Sequence[int], apply: Apply, step: Step,
              scale: tuple[int, int] | None = None) -> list[Answer]:
    """Ask everyone in ``people``; ticks run (through ``step``) only while answers on the model are awaited."""
    if sim.cognition is None:
        raise ValueError("this run has no minds to ask (interviews need minds: memories on)")
    words = put_question(question, scale)
    asked: dict[int, int] = {}  # command id -> person
    replies: dict[int, ChatReply] = {}
    for person in people:
        edit = Chat(agent=person, text=words)
        asked[edit.id] = person
        for event in _events_of(apply(edit)):
            if isinstance(event, ChatReply) and event.command_id in asked:
                replies[event.command_id] = event
    for event in sim.cognition.drain_events():
        if isinstance(event, ChatReply) and event.command_id in asked:
            replies[event.command_id] = event
    waited = 0
    while len(replies) < len(asked) and waited < MAX_WAIT_TICKS:
        for event in step():
            if isinstance(event, ChatReply) and event.command_id in asked:
                replies[event.command_id] = event
        waited += 1
    answers = []
    for command_id, person in asked.items():
        reply = replies.get(command_id)
        text = reply.reply if reply is not None else ""
        how = reply.thinking if reply is not None else "no answer"
        score = None
        if scale is not None:
            score = read_score(text, scale) if how == "llm" else None
            if score is None:
                score = rule_score(sim, person, question, scale)
        answers.append(Answer(person, sim.people[person].name, question, text, score, how, sim.tick,
                              sim.clock.text(sim.tick)))
    return answers


def _events_of(result: object) -> list[Event]:
    if isinstance(result, list):
        return [e for e in result if isinstance(e, Event)]
    return []


def read_score(text: str, scale: tuple[int, int]) -> int | None:
    """The first whole number on the scale in an answer, if any."""
    for match in re.finditer(r"-?\d+", text):
        value = int(match.group())
        if scale[0] <= value <= scale[1]:
            return value
    return None


def rule_score(sim: Simulation, person: int, question: str, scale: tuple[int, int]) -> int:
    """A rule-brain person's number: the part of their state the question is about, on the scale.

    Money: their balance's rank in town. Ties: how warmly they stand with those they know.
    Rest and fun: those needs. Anything else: how well they are overall (their needs),
    tilted by temperament (the neurotic answer lower, the agreeable higher).
    """
    text = question.lower()
    topic = next((name for name, words in TOPICS.items() if any(w in text for w in words)), "")
    pop = sim.pop
    if topic == "money":
        money = pop.money
        value = float((money < money[person]).sum()) / max(1, len(money) - 1)
    elif topic == "ties":
        ties = [sim.ties.known_tie(person, other) for other in sim.ties.known_by(person)]
        value = float(np.clip(0.5 + 0.5 * np.mean([t.affinity for t in ties]), 0, 1)) if ties else 0.2
    elif topic == "rest":
        value = float(pop.needs[person, 0])
    elif topic == "fun":
        value = float(pop.needs[person, 3])
    else:
        traits = sim.people[person].traits
        value = float(np.clip(pop.needs[person].mean() + 0.2 * (traits[3] - traits[4]), 0, 1))
    low, high = scale
    return round(low + value * (high - low))
