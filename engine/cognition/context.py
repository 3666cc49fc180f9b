"""Everything the cognition components share: the world, the memory, the thinker.

Components are small functions over this context; only the engine thread calls
them, so nothing here needs a lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.agents.population import Population
from engine.agents.rule_brain import RuleBrain
from engine.cognition import prompts
from engine.cognition.mind import Mind, persona_facts
from engine.cognition.thinker import WATCHED, Thinker
from engine.contracts.enums import Activity, BuildingType
from engine.contracts.events import Event
from engine.contracts.thinking import ThoughtKind
from engine.llm.backend import ChatRequest
from engine.memory.importance import heuristic_importance
from engine.memory.types import MemoryStore, RetrievalWeights
from engine.state.city import City
from engine.state.clock import WEEKDAYS, Clock
from engine.state.person import Person
from engine.state.relationships import Relationships

NEARBY_KINDS = (BuildingType.CAFE, BuildingType.PARK, BuildingType.SHOP)
ACTIVITY_BY_WORD = {
    "sleep": Activity.SLEEP, "home": Activity.HOME, "work": Activity.WORK, "study": Activity.STUDY,
    "eat": Activity.EAT, "shop": Activity.SHOP, "leisure": Activity.LEISURE, "social": Activity.SOCIAL,
}


@dataclass
class MindContext:
    city: City
    people: list[Person]
    pop: Population
    clock: Clock
    ties: Relationships
    brain: RuleBrain
    memory: MemoryStore
    thinker: Thinker
    minds: dict[int, Mind] = field(default_factory=dict)
    watched: set[int] = field(default_factory=set)
    next_memory_id: int = 1
    events: list[Event] = field(default_factory=list)  # produced while applying answers this tick
    temperature: float = 0.7
    weights: RetrievalWeights = field(default_factory=RetrievalWeights)  # recency / importance / relevance
    may_think: Callable[[int], bool] = field(default=lambda agent: True)  # the thought economy's say (see Cognition)

    # -- memory --------------------------------------------------------------------------

    def remember(
        self, agent: int, kind: str, text: str, tick: int, importance: float | None = None,
        evidence: tuple[int, ...] = (),
    ) -> int:
        score = heuristic_importance(kind, text) if importance is None else importance
        memory_id = self.memory.add(agent, tick, kind, text, score, evidence=evidence, id=self.next_memory_id)
        self.next_memory_id += 1
        mind = self.minds.get(agent)
        if mind is not None:
            mind.importance_since_reflection += score
        return memory_id

    def recall(self, agent: int, query: str, tick: int, k: int = 8) -> list[str]:
        return [s.memory.text for s in self.memory.retrieve(agent, query, tick, k=k, weights=self.weights)]

    # -- asking the model ----------------------------------------------------------------------

    def ask(
        self, agent: int, kind: ThoughtKind, priority: int, prompt: str, schema: dict[str, Any], context: dict[str, Any],
        tick: int,
    ) -> bool:
        if not self.may_think(agent):  # in debt under the thought economy: no thought, not even a talk's next line
            return False
        person = self.people[agent]
        system = prompts.fill(prompts.SYSTEM, name=person.name, town=self.city.name)
        request = ChatRequest((("system", system), ("user", prompt)), schema, self.temperature)
        if agent in self.watched:
            priority = min(priority, WATCHED)
        hour = self.clock.total_minutes(tick) // 60
        return self.thinker.offer(agent, kind, priority, request, context, tick, hour)

    def may_ask(self, agent: int, priority: int, tick: int) -> bool:
        """Cheap check before building a prompt (retrieval costs milliseconds)."""
        if agent in self.watched:
            priority = min(priority, WATCHED)
        return self.thinker.can_accept(priority, self.clock.total_minutes(tick) // 60)

    # -- words for prompts -------------------------------------------------------------------

    def persona(self, agent: int) -> str:
        return prompts.persona(persona_facts(self.people[agent]))

    def clock_text(self, tick: int) -> str:
        m = self.clock.minute_of_day(tick)
        return f"{m // 60:02d}:{m % 60:02d}"

    def weekday(self, tick: int) -> str:
        return WEEKDAYS[self.clock.weekday(tick)]

    def places_for(self, agent: int) -> dict[str, int]:
        """The places a person may plan with: name -> building id (home and work first)."""
        person = self.people[agent]
        places = {"home": person.home}
        if person.workplace >= 0:
            places["work"] = person.workplace
        anchors = [person.home] + ([person.workplace] if person.workplace >= 0 else [])
        for anchor in anchors:
            for kind in NEARBY_KINDS:
                for building in self.brain.nearby(anchor, kind, 2):
                    places.setdefault(self.city.buildings[building].name, building)
        return places

    def place_name(self, agent: int, building: int) -> str:
        person = self.people[agent]
        if building == person.home:
            return "home"
        return self.city.buildings[building].name
