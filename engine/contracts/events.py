"""Typed events the engine publishes after each tick.

Events are facts about the simulated world (or answers to commands). They are
small, slotted and frozen so thousands per tick stay cheap.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from engine.contracts.thinking import LLMHealth, ThoughtKind

Lines = tuple[tuple[int, str], ...]  # (speaker: 0 is ``a``, 1 is ``b``; text)


@dataclass(frozen=True, slots=True)
class Event:
    tick: int

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, slots=True)
class Arrived(Event):
    agent: int
    building: int


@dataclass(frozen=True, slots=True)
class ActivityStarted(Event):
    agent: int
    activity: int  # an ``Activity`` value
    building: int  # -1 while travelling
    until_tick: int


# The two events of every trip and every decision (a quarter of a million a sim day at 10,000 people) fill
# their slots directly: a frozen dataclass's own __init__ goes through ``object.__setattr__`` field by field,
# which costs more than the rest of making one. Frozen as before: assigning an attribute still raises.
def _slot_setters(cls: type, *names: str) -> tuple[Callable[[object, object], None], ...]:
    return tuple(inspect.getattr_static(cls, name).__set__ for name in names)


_ARRIVED = _slot_setters(Arrived, "tick", "agent", "building")
_STARTED = _slot_setters(ActivityStarted, "tick", "agent", "activity", "building", "until_tick")


# The history holds these events for days, and each held its own int objects for its person, building and
# until-tick (32 bytes apiece above 256, ~a third of an event). They hold shared ones instead: one int object
# per value below ``SHARED_INTS`` (people, buildings and ticks are all small), made the first time it is seen.
SHARED_INTS = 1 << 18
_shared: list[int] = list(range(1024))


def shared(value: int) -> int:
    """The one int object kept for ``value`` (``value`` itself when negative or past ``SHARED_INTS``)."""
    try:
        return _shared[value] if value >= 0 else value
    except IndexError:
        if value >= SHARED_INTS:
            return value
        _shared.extend(range(len(_shared), min(SHARED_INTS, 2 * value + 1)))
        return _shared[value]


def _arrived_init(self: Arrived, tick: int, agent: int, building: int) -> None:
    set_tick, set_agent, set_building = _ARRIVED
    set_tick(self, tick)
    set_agent(self, shared(agent))
    set_building(self, shared(building))


def _started_init(self: ActivityStarted, tick: int, agent: int, activity: int, building: int, until_tick: int) -> None:
    set_tick, set_agent, set_activity, set_building, set_until = _STARTED
    set_tick(self, tick)
    set_agent(self, shared(agent))
    set_activity(self, activity)
    set_building(self, shared(building))
    set_until(self, shared(until_tick))


Arrived.__init__ = _arrived_init  # type: ignore[method-assign]
ActivityStarted.__init__ = _started_init  # type: ignore[method-assign]


class Wording(Protocol):
    """A conversation's words, worked out only when first read (the rule brain's small talk:
    ``engine.agents.talk.Script``). The same words every time, whenever and wherever they are read."""

    def lines(self) -> Lines: ...

    def opening(self) -> str:
        """The first line alone (cheaper than all of them)."""
        ...

    def adding(self, lines: Lines) -> Wording:
        """The same words with ``lines`` said after them."""
        ...


@dataclass(frozen=True, slots=True, eq=False)
class ConversationHeld(Event):
    a: int
    b: int
    building: int
    said: Lines | Wording  # the lines, or how to word them: most talk is never read, so it is worded when it is

    def __eq__(self, other: object) -> bool:
        """The same talk whether its words are worked out yet or not (a reopened file holds them in words)."""
        if not isinstance(other, ConversationHeld):
            return NotImplemented
        return (self.tick, self.a, self.b, self.building) == (other.tick, other.a, other.b, other.building) \
            and self.lines == other.lines

    def __hash__(self) -> int:
        return hash((self.tick, self.a, self.b, self.building))

    @property
    def lines(self) -> Lines:
        said = self.said
        return said if isinstance(said, tuple) else said.lines()

    @property
    def opening(self) -> str:
        said = self.said
        if isinstance(said, tuple):
            return said[0][1] if said else ""
        return said.opening()

    def adding(self, lines: Lines) -> ConversationHeld:
        """The same conversation with ``lines`` said after its own (still unworded if it was)."""
        said = self.said
        more = said + lines if isinstance(said, tuple) else said.adding(lines)
        return ConversationHeld(self.tick, self.a, self.b, self.building, more)


@dataclass(frozen=True, slots=True)
class RelationshipChanged(Event):
    a: int
    b: int
    affinity: float
    familiarity: float
    label: str


@dataclass(frozen=True, slots=True)
class CommandApplied(Event):
    command_id: int
    summary: str = ""


@dataclass(frozen=True, slots=True)
class CommandRejected(Event):
    command_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class WorldSaved(Event):
    path: str


@dataclass(frozen=True, slots=True)
class PlanMade(Event):
    agent: int
    grain: str  # day | hours | actions
    summary: str


@dataclass(frozen=True, slots=True)
class ReflectionMade(Event):
    agent: int
    memory_id: int
    text: str
    evidence: tuple[int, ...]  # ids of the memories it rests on


@dataclass(frozen=True, slots=True)
class LLMStatusChanged(Event):
    state: LLMHealth
    message: str  # what happened and how to fix it, in plain words


@dataclass(frozen=True, slots=True)
class PlanStepView:
    when: int  # hour of day (day and hours grains) or minutes long (actions)
    activity: int  # an Activity value
    place: int  # building id
    note: str


@dataclass(frozen=True, slots=True)
class MindReport(Event):
    command_id: int
    agent: int
    has_mind: bool
    doing: str
    strokes: tuple[PlanStepView, ...]
    hours: tuple[PlanStepView, ...]
    actions: tuple[PlanStepView, ...]
    actions_hour: int
    reflections: int
    importance_since_reflection: float
    reflection_threshold: float = 150.0  # importance that triggers the next reflection


@dataclass(frozen=True, slots=True)
class MemoryView:
    id: int
    tick: int
    kind: str
    text: str
    importance: float
    last_access: int
    evidence: tuple[int, ...]
    pinned: bool
    score: float = 0.0  # semantic searches: the retrieval score


@dataclass(frozen=True, slots=True)
class MemoriesResult(Event):
    command_id: int
    agent: int
    query: str
    semantic: bool
    total: int  # memories this person has in all
    memories: tuple[MemoryView, ...]


@dataclass(frozen=True, slots=True)
class ThoughtView:
    tick: int
    kind: ThoughtKind
    prompt: str
    response: str
    status: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    backend: str
    error: str


@dataclass(frozen=True, slots=True)
class ThoughtsResult(Event):
    command_id: int
    agent: int
    thoughts: tuple[ThoughtView, ...]


@dataclass(frozen=True, slots=True)
class TimeJumped(Event):
    """The world was moved in time (a seek, a branch switch) or a new branch began."""

    branch: int
    from_tick: int
    reason: str  # seek | switch | fork


@dataclass(frozen=True, slots=True)
class EditApplied(Event):
    """An edit took effect; ``inverse`` (JSON, see ``engine.api.edit_from_json``) undoes it."""

    command_id: int
    summary: str
    inverse: str


@dataclass(frozen=True, slots=True)
class EditMade(Event):
    """The log's copy of an applied edit (JSON, ids filled in), so replays make it again at the same moment."""

    edit: str
    inverse: str  # what undoes it ("" when nothing can), so time travel can take it back


@dataclass(frozen=True, slots=True)
class WorldEventHappened(Event):
    text: str
    x: int
    y: int
    radius: float
    witnesses: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ChatReply(Event):
    command_id: int
    agent: int
    text: str  # what the user said
    reply: str
    thinking: str  # "llm" or "rule brain"


@dataclass(frozen=True, slots=True)
class ConsoleParsed(Event):
    """God console: what the words were understood as, to show for confirmation."""

    command_id: int
    text: str
    edits: tuple[str, ...]  # JSON edits, ready to send
    explanation: str
    error: str = ""


# -- society (word of mouth, money, councils) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactSeeded(Event):
    fact: int
    origin: int  # person id; -1: the player
    text: str
    kind: str  # news | event | campaign | proposal
    building: int = -1  # an event's place
    start_tick: int = -1
    end_tick: int = -1


@dataclass(frozen=True, slots=True)
class FactHeard(Event):
    fact: int
    listener: int
    teller: int  # -1: heard it from the news (a broadcast)
    will_attend: bool = False  # events: they mean to go


@dataclass(frozen=True, slots=True)
class GatheringHeld(Event):
    """An announced event took place: who came."""

    fact: int
    building: int
    attendees: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PropertySold(Event):
    building: int
    seller: int  # person id; -1: the district
    buyer: int
    price: int  # cents


@dataclass(frozen=True, slots=True)
class ProposalMade(Event):
    proposal: int
    district: int
    policy: str
    value: float
    proposer: int  # -1: the player
    text: str


@dataclass(frozen=True, slots=True)
class VoteHeld(Event):
    proposal: int
    district: int
    passed: bool
    yes: tuple[int, ...]
    no: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PolicyChanged(Event):
    district: int
    policy: str
    old: float
    new: float
    text: str  # "curfew at 22:00"


@dataclass(frozen=True, slots=True)
class ElectionHeld(Event):
    district: int
    winners: tuple[int, ...]
    tally: tuple[tuple[int, int], ...]  # (candidate, votes)
    turnout: float


@dataclass(frozen=True, slots=True)
class IncidentChanged(Event):
    """Something that happened in town moved on: a fire broke out, was put out, the building reopened..."""

    incident: int
    what: str  # fire | festival | storm | shop | damage
    phase: str  # burning | damaged | repaired | on | over | raging | opening
    building: int  # -1: an area (a storm)
    text: str  # the event log's sentence


# -- people driven from outside (the agent API, the player) ---------------------------------------


@dataclass(frozen=True, slots=True)
class OutsideClaimed(Event):
    """``agent``'s decisions now come from outside (``driven``), or from their own brain again."""

    agent: int
    driven: bool
    who: str  # program | player
    deadline_s: float


@dataclass(frozen=True, slots=True)
class OutsideDecided(Event):
    """How an outside decision point ended: ``ok`` (its actions, JSON, were done), or ``late`` /
    ``invalid`` (the rule brain decided, for ``reason``). Replay does the same again from these."""

    agent: int
    decision: int
    status: str
    actions: str
    reason: str = ""
@dataclass(frozen=True, slots=True)
class PluginNews(Event):
    """A plugin's line for the event log ("Market day on the plaza: 6 stalls")."""

    plugin: str
    text: str
    building: int  # -1: the town


@dataclass(frozen=True, slots=True)
class PluginSwitchedOff(Event):
    """A plugin raised and was switched off for this run; the town runs on without it."""

    plugin: str
    reason: str


@dataclass(frozen=True, slots=True)
class PluginView:
    """One plugin as the plugin manager shows it."""

    name: str
    version: str
    adds: tuple[str, ...]  # "building: fire station", "metric: ..."
    installed: bool  # False: the world uses it but it is not here
    used: bool  # the world uses it (from its next opening, if just chosen)
    running: bool  # it runs in this simulation now
    problem: str  # why it does not load, was switched off, or is missing; "" when none


@dataclass(frozen=True, slots=True)
class PluginsReport(Event):
    command_id: int
    plugins: tuple[PluginView, ...]


@dataclass(frozen=True, slots=True)
class PluginsChosen(Event):
    """The world's plugins were changed (they apply when it next opens): something to save."""

    use: tuple[str, ...]
    drop: tuple[str, ...]
