"""Copy and paste of buildings and people on the map, as plain data turned back into edits.

A copy remembers each thing's profile and where it stood relative to the others; a paste
puts the same arrangement around a tile as ``PlaceBuilding`` and ``SpawnPerson`` edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.contracts import BuildingType, StaticWorld, WorldSnapshot
from engine.contracts.edits import Edit, PlaceBuilding, SpawnPerson

ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII", "XVIII", "XIX", "XX")
_ROMAN_TAIL = re.compile(r"\s+(?:II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI|XVII|XVIII|XIX|XX)$")
COPY_TAIL = " (copy)"


@dataclass(frozen=True)
class CopiedBuilding:
    type: str  # a BuildingType name, lower case, as PlaceBuilding wants it
    width: int
    height: int
    name: str
    capacity: int
    dx: int  # tiles from the copy's top-left corner
    dy: int


@dataclass(frozen=True)
class CopiedPerson:
    name: str
    age: int
    occupation: str
    bio: str
    traits: tuple[float, float, float, float, float]
    dx: int
    dy: int


@dataclass(frozen=True)
class Clip:
    buildings: tuple[CopiedBuilding, ...]
    people: tuple[CopiedPerson, ...]
    width: int  # the tiles the whole copy spans
    height: int

    def __len__(self) -> int:
        return len(self.buildings) + len(self.people)

    def describe(self) -> str:
        parts = []
        if self.buildings:
            parts.append(f"{len(self.buildings)} building{'s' if len(self.buildings) != 1 else ''}")
        if self.people:
            parts.append(f"{len(self.people)} {'person' if len(self.people) == 1 else 'people'}")
        return " and ".join(parts)


def person_tile(snapshot: WorldSnapshot, index: int) -> tuple[int, int]:
    x, y = snapshot.positions[index]
    return int(x), int(y)


def copy_members(snapshot: WorldSnapshot, members: tuple[tuple[str, int], ...]) -> Clip | None:
    """The selected things as a clip (None when nothing copyable is selected)."""
    static = snapshot.static
    buildings = [static.buildings[i] for kind, i in members
                 if kind == "building" and 0 <= i < len(static.buildings) and not static.buildings[i].removed]
    people = [(static.people[i], person_tile(snapshot, i)) for kind, i in members
              if kind == "person" and 0 <= i < len(static.people) and not static.people[i].removed]
    if not buildings and not people:
        return None
    corners = [(b.x, b.y, b.x + b.width, b.y + b.height) for b in buildings]
    corners += [(x, y, x + 1, y + 1) for _, (x, y) in people]
    left, top = min(c[0] for c in corners), min(c[1] for c in corners)
    right, bottom = max(c[2] for c in corners), max(c[3] for c in corners)
    return Clip(
        buildings=tuple(CopiedBuilding(BuildingType(b.type).name.lower(), b.width, b.height, b.name, b.capacity,
                                       b.x - left, b.y - top) for b in buildings),
        people=tuple(CopiedPerson(p.name, p.age, p.occupation, p.bio, p.traits, x - left, y - top)
                     for p, (x, y) in people),
        width=right - left, height=bottom - top)


def successor_name(name: str, taken: set[str]) -> str:
    """The next free "name II", "name III"... ("Ana Lopez II" is followed by "Ana Lopez III")."""
    base = _ROMAN_TAIL.sub("", name.strip())
    for number in range(2, len(ROMAN)):
        candidate = f"{base} {ROMAN[number]}"
        if candidate not in taken:
            return candidate
    number = len(ROMAN)
    while f"{base} {number}" in taken:
        number += 1
    return f"{base} {number}"


def copy_name(name: str) -> str:
    return name if name.endswith(COPY_TAIL) else name + COPY_TAIL


def paste_edits(clip: Clip, tile: tuple[int, int], static: StaticWorld) -> list[Edit]:
    """Edits that put the clip's arrangement centred on ``tile``: buildings first, so a pasted
    person can find a home among them."""
    left, top = tile[0] - clip.width // 2, tile[1] - clip.height // 2
    edits: list[Edit] = [PlaceBuilding(type=b.type, x=left + b.dx, y=top + b.dy, width=b.width, height=b.height,
                                       name=copy_name(b.name), capacity=b.capacity) for b in clip.buildings]
    taken = {p.name for p in static.people}
    for p in clip.people:
        name = successor_name(p.name, taken)
        taken.add(name)
        bio = p.bio.replace(p.name, name)  # the story is theirs now
        edits.append(SpawnPerson(name=name, age=p.age, occupation=p.occupation, bio=bio, traits=p.traits,
                                 x=left + p.dx, y=top + p.dy))
    return edits
