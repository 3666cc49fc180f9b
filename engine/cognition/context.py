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
from engine.cognition.thinker import CHARS_PER_TOKEN, WATCHED, Thinker
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
# What one may do at a place of each kind (besides working at one's own workplace): words -> activity.
DOINGS: dict[int, tuple[tuple[str, Activity], ...]] = {
    BuildingType.CAFE: (("eat at", Activity.EAT), ("meet friends at", Activity.SOCIAL)),
    BuildingType.PARK: (("walk in", Activity.LEISURE), ("meet friends at", Activity.SOCIAL)),
    BuildingType.SHOP: (("shop at", Activity.SHOP),),
}
# What an answer of each kind may take at most (the server stops there): a little above what the schema's
# longest answer needs, as a run-on answer costs every token up to the cap (and a repair round after).
ANSWER_TOKENS = {
    ThoughtKind.CONVERSE: 64, ThoughtKind.IMPORTANCE: 12, ThoughtKind.REACT: 16, ThoughtKind.PLAN_DAY: 192,
    ThoughtKind.PLAN_HOURS: 192, ThoughtKind.ACTIONS: 100, ThoughtKind.REFLECT_QUESTIONS: 120,
    ThoughtKind.REFLECT_INSIGHTS: 240, ThoughtKind.CHAT: 80, ThoughtKind.CIVIC_VOTE: 80,
    ThoughtKind.CIVIC_PROPOSAL: 80, ThoughtKind.ATTEND: 12,
}
MIN_CONTEXT = 2048  # the context window asked for at least (Ollama's long-standing default)
MAX_TIES = 3  # ties beyond family the persona names
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
    said: dict[int, list[str]] = field(default_factory=dict)  # each mind's latest lines on the model, newest last
    remembered_talks: set[tuple[int, int]] = field(default_factory=set)  # talks this tick already kept as memories
    context_window: int = MIN_CONTEXT  # tokens asked for (num_ctx): grows with the longest prompt
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
        system = prompts.SYSTEM
        answer_tokens = ANSWER_TOKENS.get(kind, 200)
        request = ChatRequest((("system", system), ("user", prompt)), schema, self.temperature, answer_tokens,
                              context_tokens=self._context_for(len(system) + len(prompt), answer_tokens))
        if agent in self.watched:
            priority = min(priority, WATCHED)
        hour = self.clock.total_minutes(tick) // 60
        return self.thinker.offer(agent, kind, priority, request, context, tick, hour)

    def _context_for(self, prompt_chars: int, answer_tokens: int) -> int:
        """The context window to ask for: the largest needed so far, in powers of two, so a server that reloads
        its model for a new window (Ollama does) rarely has to, and a long prompt is never cut."""
        ratio = self.thinker.chars_per_token or CHARS_PER_TOKEN
        needed = int(prompt_chars / ratio * 1.2) + answer_tokens + 64  # chat template, and a margin
        while self.context_window < needed:
            self.context_window *= 2
        return self.context_window

    def may_ask(self, agent: int, priority: int, tick: int) -> bool:
        """Cheap check before building a prompt (retrieval costs milliseconds). A person whose answers kept
        failing rests a while (unless watched); a refusal is counted as a fallback by the caller."""
        if agent in self.watched:
            priority = min(priority, WATCHED)
        elif priority > WATCHED and self.thinker.resting(agent, tick):  # a chat is answered all the same
            return False
        return self.thinker.can_accept(priority, self.clock.total_minutes(tick) // 60)

    def why_not(self, agent: int, priority: int, tick: int) -> str:
        """Why ``may_ask`` said no, in a few words (a fallback's reason)."""
        if agent not in self.watched and priority > WATCHED and self.thinker.resting(agent, tick):
            return "resting after unusable answers"
        return self.thinker.refusal(priority, self.clock.total_minutes(tick) // 60) or "not asked"

    # -- words for prompts -------------------------------------------------------------------

    def persona(self, agent: int) -> str:
        person = self.people[agent]
        facts = persona_facts(person)
        facts["town"] = self.city.name
        facts["home"] = self.city.buildings[person.home].name
        if person.workplace >= 0:
            facts["workplace"] = self.city.buildings[person.workplace].name
        family, others = [], []
        for other in sorted(self.ties.known_by(agent)):
            tie = self.ties.get(agent, other)
            if tie is None or other >= len(self.people) or self.people[other].removed:
                continue
            if tie.family:
                family.append(self.people[other].name)
            elif tie.label in ("close friend", "friend", "rival"):
                others.append((-abs(tie.affinity), other, tie.label))
        facts["family"] = family
        facts["ties"] = [f"{self.people[o].name} ({label})" for _, o, label in sorted(others)[:MAX_TIES]]
        return prompts.persona(facts)

    def choices_for(self, agent: int) -> dict[str, tuple[int, int]]:
        """What a person may plan to do, in words -> (activity, building): sleep and stay at home, work (or
        study) at their own workplace, and what one does at the cafes, parks and shops near home and work.
        Nothing else: no sleeping at a pub, no working at a rival's cafe."""
        person = self.people[agent]
        choices: dict[str, tuple[int, int]] = {
            "sleep at home": (int(Activity.SLEEP), person.home), "stay home": (int(Activity.HOME), person.home),
        }
        if person.workplace >= 0:
            verb, activity = ("study at", Activity.STUDY) if person.is_pupil else ("work at", Activity.WORK)
            choices[f"{verb} {self.city.buildings[person.workplace].name}"] = (int(activity), person.workplace)
        for building in self.places_for(agent).values():
            for words, activity in DOINGS.get(int(self.city.buildings[building].type), ()):
                choices.setdefault(f"{words} {self.city.buildings[building].name}", (int(activity), building))
        return choices

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
