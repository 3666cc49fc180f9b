"""A person's profile: who they are, as opposed to what they are doing right now."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.contracts.enums import Sex

TRAIT_NAMES = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")


@dataclass
class Person:
    id: int
    name: str
    age: int
    occupation: str
    bio: str
    traits: tuple[float, float, float, float, float]  # Big Five in [0, 1]
    home: int
    workplace: int = -1  # building id; pupils' workplace is their school
    money: int = 0  # cents
    hangout: int = -1  # favourite cafe or park, where friends find them
    extra: dict[str, str] = field(default_factory=dict)  # imported fields (lifestyle, ...)
    removed: bool = False  # taken out of the world: kept as a tombstone so person ids stay stable
    sex: Sex = Sex.UNSPECIFIED  # saved since schema 7; older worlds get one from the first name (``sexes``)

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def is_pupil(self) -> bool:
        """Pupils and students study rather than work (and keep school days)."""
        return self.occupation == "pupil" or "student" in self.occupation
