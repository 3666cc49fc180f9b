"""What a world saved by an older schema lacks, filled in when it is opened, the same way every time."""

from __future__ import annotations

from engine.contracts.enums import Sex
from engine.state.person import Person
from engine.state.sexes import settled_sex


def give_sexes(people: list[Person], seed: int) -> None:
    """Schema 7 gave people a sex: before it, each gets the one their first name suggests, else a seeded toss."""
    for person in people:
        if person.sex is Sex.UNSPECIFIED:
            person.sex = settled_sex(person.name, seed, person.id)
