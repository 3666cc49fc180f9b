"""Invent people: households, ages, occupations, traits, bios and first ties."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from engine.contracts.enums import Sex
from engine.state.person import Person
from engine.state.sexes import names_for
from engine.world.names import HOBBIES, SURNAMES

NAME_TRIES = 10
INITIALS = "ABCDEFGHJKLMNPRSTW"


@dataclass
class Household:
    surname: str
    ages: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.ages)

    @property
    def is_family(self) -> bool:
        return self.size >= 2


def invent_households(count: int, rng: random.Random) -> list[Household]:
    """Households whose sizes add up to exactly ``count`` people."""
    households: list[Household] = []
    remaining = count
    while remaining > 0:
        roll = rng.random()
        surname = rng.choice(SURNAMES)
        if roll < 0.32:
            ages = [rng.randint(19, 80)]
        elif roll < 0.55:
            base = rng.randint(22, 78)
            ages = [base, max(19, base + rng.randint(-4, 4))]
        elif roll < 0.92:
            parent = rng.randint(27, 50)
            kids = [rng.randint(1, min(17, parent - 19)) for _ in range(rng.randint(1, 3))]
            ages = [parent, max(20, parent + rng.randint(-3, 3)), *kids]
        else:
            ages = [rng.randint(19, 30) for _ in range(rng.randint(2, 4))]  # flatmates
        ages = ages[:remaining]
        if ages and ages[0] < 19:
            ages[0] = rng.randint(19, 60)
        households.append(Household(surname, ages))
        remaining -= len(ages)
    return households


def traits_for(rng: random.Random) -> tuple[float, float, float, float, float]:
    # Beta(2, 2): most people are middling, a few are extreme, like real trait scores.
    def draw() -> float:
        return round(rng.betavariate(2.0, 2.0), 3)
    return draw(), draw(), draw(), draw(), draw()  # drawn left to right, as the generator did


def pick_sex(rng: random.Random) -> Sex:
    return Sex.FEMALE if rng.random() < 0.5 else Sex.MALE


def pick_name(rng: random.Random, surname: str, taken: set[str], sex: Sex = Sex.UNSPECIFIED) -> str:
    """A first name that suits ``sex`` (see ``engine/state/first_names.toml``) and nobody in ``taken`` has;
    in a big town, where most are taken, a middle initial tells namesakes apart (a few tries of each, so
    a 100,000-person cast is not quadratic)."""
    first_names = names_for(sex)
    for _ in range(NAME_TRIES):
        name = f"{rng.choice(first_names)} {surname}"
        if name not in taken:
            taken.add(name)
            return name
    for _ in range(NAME_TRIES):
        name = f"{rng.choice(first_names)} {rng.choice(INITIALS)}. {surname}"
        if name not in taken:
            taken.add(name)
            return name
    name = f"{rng.choice(first_names)} {surname} {len(taken)}"
    taken.add(name)
    return name


def describe(person: Person, home_name: str, work_name: str | None, household: str, rng: random.Random) -> str:
    o, c, e, a, n = person.traits
    temper = []
    if e > 0.6:
        temper.append("outgoing")
    elif e < 0.4:
        temper.append("quiet")
    if a > 0.6:
        temper.append("kind")
    elif a < 0.35:
        temper.append("blunt")
    if c > 0.65:
        temper.append("organised")
    if o > 0.65:
        temper.append("curious")
    if n > 0.65:
        temper.append("anxious")
    character = " and ".join(temper[:2]) or "easy-going"
    if person.is_pupil and work_name:
        role = f"a {person.age}-year-old pupil at {work_name}"
    elif work_name:
        role = f"a {person.age}-year-old {person.occupation} at {work_name}"
    else:
        role = f"a {person.age}-year-old {person.occupation}"
    return (
        f"{person.name} is {role}, living at {home_name}{household}. "
        f"{person.first_name} is {character} and {rng.choice(HOBBIES)}."
    )


def occupation_without_job(age: int, rng: random.Random) -> str:
    if age < 6:
        return "toddler"
    if age < 18:
        return "pupil"
    if age >= 67:
        return "retired"
    return rng.choice(("between jobs", "freelance artist", "homemaker", "student"))
