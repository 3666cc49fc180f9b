"""Who is a woman or a man when nobody said: from the first name, else a seeded toss.

The names table (``first_names.toml`` beside this file) serves the town generator, which
picks first names to match, and worlds saved before people had a sex, which are given one
deterministically when they are opened (the same file always gets the same answer).
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from pathlib import Path

from engine.contracts.enums import Sex

NAMES_FILE = Path(__file__).with_name("first_names.toml")


@cache
def first_names() -> dict[Sex, tuple[str, ...]]:
    """The table: the first names that usually go with each sex; ``unspecified``: names worn by both."""
    table = tomllib.loads(NAMES_FILE.read_text(encoding="utf-8"))
    return {Sex.FEMALE: tuple(table["female"]), Sex.MALE: tuple(table["male"]),
            Sex.UNSPECIFIED: tuple(table["either"])}


def names_for(sex: Sex) -> tuple[str, ...]:
    """First names that suit someone of ``sex`` (those worn by both included; anyone's for ``unspecified``)."""
    table = first_names()
    if sex is Sex.UNSPECIFIED:
        return table[Sex.FEMALE] + table[Sex.MALE] + table[Sex.UNSPECIFIED]
    return table[sex] + table[Sex.UNSPECIFIED]


@cache
def _by_name() -> dict[str, Sex]:
    return {name.casefold(): sex for sex, names in first_names().items() if sex is not Sex.UNSPECIFIED
            for name in names}


def sex_of_name(name: str) -> Sex:
    """The sex a full name's first name suggests; ``unspecified`` when the table does not know it."""
    words = name.split()
    return _by_name().get(words[0].casefold(), Sex.UNSPECIFIED) if words else Sex.UNSPECIFIED


def seeded_sex(seed: int, person_id: int) -> Sex:
    """Female or male, fixed by the world's seed and the person's id (for names the table does not know)."""
    digest = hashlib.blake2b(f"{seed}:{person_id}".encode(), digest_size=2).digest()
    return Sex.FEMALE if digest[0] & 1 else Sex.MALE


def settled_sex(name: str, seed: int, person_id: int) -> Sex:
    """For someone saved before people had a sex: what their first name suggests, else a seeded toss."""
    guess = sex_of_name(name)
    return guess if guess is not Sex.UNSPECIFIED else seeded_sex(seed, person_id)
