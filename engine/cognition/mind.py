"""What a thinking person carries around: today's plan at three grains, and bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.state.person import Person

TEMPERAMENT = (
    ("curious", "conventional"),
    ("organised", "easy-going"),
    ("outgoing", "reserved"),
    ("warm", "blunt"),
    ("anxious", "calm"),
)


@dataclass
class PlanStep:
    when: int  # hour of day (strokes, hours) or minutes long (actions)
    activity: int  # an Activity value
    place: int  # building id
    note: str

    def as_list(self) -> list[Any]:
        return [self.when, self.activity, self.place, self.note]


@dataclass
class Mind:
    agent: int
    plan_day: int = -1  # the sim day ``strokes`` and ``hours`` are for
    strokes: list[PlanStep] = field(default_factory=list)
    hours: list[PlanStep] = field(default_factory=list)
    actions_hour: int = -1  # the hour ``actions`` break down
    actions: list[PlanStep] = field(default_factory=list)
    next_action: int = 0
    doing: str = ""  # what they are doing, in words, for the inspector
    importance_since_reflection: float = 0.0
    reflections: int = 0
    seen: dict[int, int] = field(default_factory=dict)  # person -> day last noticed
    retry_at: int = -1  # no plan is asked for before this tick (after one could not be had)

    def hour_item(self, hour: int) -> PlanStep | None:
        """The planned step under way at ``hour``: the last one begun by then (it lasts until the next)."""
        current = None
        for step in self.hours:
            if step.when <= hour:
                current = step
        return current

    def get_state(self) -> dict[str, Any]:
        return {
            "agent": self.agent, "plan_day": self.plan_day, "actions_hour": self.actions_hour,
            "strokes": [s.as_list() for s in self.strokes], "hours": [s.as_list() for s in self.hours],
            "actions": [s.as_list() for s in self.actions], "next_action": self.next_action, "doing": self.doing,
            "importance": self.importance_since_reflection, "reflections": self.reflections,
            "seen": [[k, v] for k, v in sorted(self.seen.items())], "retry_at": self.retry_at,
        }

    @classmethod
    def from_state(cls, s: dict[str, Any]) -> Mind:
        steps = lambda rows: [PlanStep(int(a), int(b), int(c), str(d)) for a, b, c, d in rows]  # noqa: E731
        return cls(
            s["agent"], s["plan_day"], steps(s["strokes"]), steps(s["hours"]), s["actions_hour"], steps(s["actions"]),
            s["next_action"], s["doing"], float(s["importance"]), s["reflections"], {int(k): int(v) for k, v in s["seen"]},
            int(s.get("retry_at", -1)),
        )


def temperament(traits: tuple[float, ...]) -> str:
    words = [high if t >= 0.6 else low for t, (high, low) in zip(traits, TEMPERAMENT, strict=True) if t >= 0.6 or t <= 0.4]
    return ", ".join(words) or "even-tempered"


def persona_facts(person: Person) -> dict[str, Any]:
    return {
        "name": person.name, "age": person.age, "occupation": person.occupation, "bio": person.bio,
        "temperament": temperament(person.traits), **person.extra,
    }
