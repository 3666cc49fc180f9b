"""The god console understands everyday phrases for places and says in words what it will do."""

from __future__ import annotations

import pytest

from engine import api
from engine.contracts import edits as e
from engine.contracts.enums import BuildingType
from engine.edits import console
from engine.edits.context import EditError
from tests.conftest import WORLDS


@pytest.fixture
def village():  # type: ignore[no-untyped-def]
    return api.open_world(WORLDS / "village.town")


def _cafes(village) -> list:  # type: ignore[no-untyped-def]
    return [b for b in village.city.standing if b.type == BuildingType.CAFE]


def test_the_cafe_is_a_kind_of_place(village) -> None:  # type: ignore[no-untyped-def]
    reading = console.read(village, "spawn baker named Ada Lovelace near the cafe")
    assert not reading.error, reading.error
    [spawn] = reading.edits
    cafe = _cafes(village)[0]
    assert isinstance(spawn, e.SpawnPerson) and (spawn.x, spawn.y) == cafe.entrance
    assert spawn.name == "Ada Lovelace" and spawn.occupation == "baker"
    assert reading.words == [f"Ada Lovelace, a baker, moves in near {cafe.name}"]


def test_a_bakery_is_the_business_not_the_flat_above_it(village) -> None:  # type: ignore[no-untyped-def]
    reading = console.read(village, "spawn an apprentice named Ada Lovelace near a bakery")
    assert not reading.error, reading.error
    chosen = next(b for b in village.city.standing if (b.entrance == (reading.edits[0].x, reading.edits[0].y)))
    assert "bakery" in chosen.name.lower() and not chosen.type.is_residential
    assert reading.words[0].startswith("Ada Lovelace, an apprentice, moves in near ")


def test_near_a_person_is_where_they_are(village) -> None:  # type: ignore[no-untyped-def]
    rosa = next(p for p in village.people if p.name.startswith("Rosa"))
    at_home = console.read(village, "spawn a baker named Ada Lovelace near Rosa")
    assert (at_home.edits[0].x, at_home.edits[0].y) == village.city.buildings[rosa.home].entrance
    assert at_home.words == [f"Ada Lovelace, a baker, moves in near {rosa.name}"]
    there = console.read(village, "spawn a baker named Ada Lovelace near Rosa", lambda person: (7, 9))
    assert (there.edits[0].x, there.edits[0].y) == (7, 9)


def test_every_command_is_confirmed_in_words(village) -> None:  # type: ignore[no-untyped-def]
    reading = console.read(village, "teleport Gus to the park; whisper to rosa: hello; demolish the cafe; pay Ivan 3")
    assert not reading.error, reading.error
    gus = next(p.name for p in village.people if p.name.startswith("Gus"))
    assert reading.words[0].startswith(f"{gus} is whisked to ")
    assert reading.words[1].endswith("hears a thought: “hello”")
    assert reading.words[2] == f"{_cafes(village)[0].name} is demolished"
    assert reading.words[3].endswith("is given $3.00")


def test_an_unknown_place_says_what_would_work(village) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EditError, match="kind of place"):
        console.parse(village, "spawn a baker named Ada near the moon")
    assert "no person called 'Nobody Here'" in console.read(village, "remove Nobody Here").error
