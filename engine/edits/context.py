"""What an edit may touch: the simulation (only on the engine thread) and its memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.cognition import Cognition
from engine.contracts.events import Event
from engine.memory.types import MemoryStore
from engine.sim.simulation import Simulation
from engine.state.city import Building
from engine.state.person import Person


class EditError(ValueError):
    """The edit was refused; the message says why, in plain words."""


@dataclass
class EditContext:
    sim: Simulation
    events: list[Event] = field(default_factory=list)  # extra events the edit produced

    @property
    def tick(self) -> int:
        return self.sim.tick

    @property
    def minds(self) -> Cognition:
        if self.sim.cognition is None:
            raise EditError("this world runs without minds (memories are off)")
        return self.sim.cognition

    @property
    def memory(self) -> MemoryStore:
        return self.minds.memory

    def person(self, agent: int) -> Person:
        people = self.sim.people
        if not 0 <= agent < len(people) or people[agent].removed:
            raise EditError(f"there is no person {agent}")
        return people[agent]

    def building(self, building: int) -> Building:
        buildings = self.sim.city.buildings
        if not 0 <= building < len(buildings) or buildings[building].removed:
            raise EditError(f"there is no building {building}")
        return buildings[building]

    def changed_map(self) -> None:
        self.sim.city_changed()
        self.sim.world.revision += 1

    def changed_people(self) -> None:
        self.sim.world.revision += 1
