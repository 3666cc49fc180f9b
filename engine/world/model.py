"""The whole world as it is saved: the city, its people, their ties, and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.agents.person import Person
from engine.contracts.events import Event
from engine.society.relationships import Relationships
from engine.world.city import City

DEFAULT_TICK_SECONDS = 60
DEFAULT_START_MINUTE = 6 * 60


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
    template: str = "custom"

    @property
    def name(self) -> str:
        return self.city.name
