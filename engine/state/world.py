"""The whole world as it is saved: the city, its people, their ties, and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.contracts.events import Event
from engine.state.city import City
from engine.state.person import Person
from engine.state.relationships import Relationships
from engine.state.thoughts import ThoughtRecord
from engine.state.timeline import Timeline

DEFAULT_TICK_SECONDS = 60
DEFAULT_START_MINUTE = 6 * 60
HISTORY_DAYS_KEPT = 1  # whole sim days of outcomes kept before today's (older ones a replay makes again)


@dataclass
class World:
    city: City
    people: list[Person]
    relationships: Relationships = field(default_factory=Relationships)
    seed: int = 0
    tick: int = 0
    tick_seconds: int = DEFAULT_TICK_SECONDS
    start_minute: int = DEFAULT_START_MINUTE  # minute of day at tick 0
    history: list[Event] = field(default_factory=list)
    sim_state: bytes | None = None  # exact engine state, so a reopened world resumes bit for bit
    thoughts: list[ThoughtRecord] = field(default_factory=list)  # every prompt and answer, for the inspector
    meta: dict[str, str] = field(default_factory=dict)  # embedder, memory tag, ... (strings, saved as they are)
    timeline: Timeline = field(default_factory=Timeline)  # branches, checkpoints, every branch's own records
    template: str = "custom"
    revision: int = 0  # bumped by every edit of the map or the cast, so views know to rebuild

    def record(self, events: list[Event], thoughts: list[ThoughtRecord], tick: int) -> None:
        """What just happened on the current branch (its line is ``history`` and ``thoughts``)."""
        self.history.extend(events)
        self.thoughts.extend(thoughts)
        self.timeline.record(events, thoughts, tick)

    def compact_history(self, before_tick: int) -> None:
        """Drop outcomes recorded before ``before_tick`` (in memory, and so in the file when saved): a long
        run then holds and saves a bounded window of them. Edits, the model's health and thoughts stay,
        so every tick can still be replayed exactly from a checkpoint."""
        if self.timeline.compact(before_tick):
            self.history = self.timeline.line_events()

    @property
    def name(self) -> str:
        return self.city.name
