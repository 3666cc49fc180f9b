"""Several things at once on the map: which ones a rubber band holds, and the edits that move or
remove them together (sent as one undo step by ``EditHistory.send_group``)."""

from __future__ import annotations

import numpy as np

from app.map.clipboard import person_tile
from engine.contracts import StaticWorld, WorldSnapshot
from engine.contracts.edits import Edit, MoveBuilding, RemoveBuilding, RemovePerson, TeleportPerson

Member = tuple[str, int]


def members_in_band(static: StaticWorld, location: np.ndarray, people_xy: np.ndarray, building_rects: np.ndarray,
                    band: tuple[float, float, float, float]) -> tuple[Member, ...]:
    """Buildings whose centre lies in ``band`` (left, bottom, right, top world px), then people drawn
    inside it, except those indoors in one of those buildings: they go wherever their building goes.

    ``people_xy`` are the people's drawn positions and ``building_rects`` the footprints (left,
    bottom, right, top), both in world px as the scene has them."""
    left, bottom, right, top = band
    buildings: list[int] = []
    for i, b in enumerate(static.buildings):
        if b.removed or i >= len(building_rects):
            continue
        x0, y0, x1, y1 = building_rects[i]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if left <= cx <= right and bottom <= cy <= top:
            buildings.append(i)
    chosen = {static.buildings[i].id for i in buildings}
    people: list[int] = []
    count = min(len(static.people), len(people_xy), len(location))
    for i in range(count):
        if static.people[i].removed or int(location[i]) in chosen:
            continue
        x, y = people_xy[i]
        if left <= x <= right and bottom <= y <= top:
            people.append(i)
    return tuple(("building", i) for i in buildings) + tuple(("person", i) for i in people)


def move_edits(snapshot: WorldSnapshot, members: tuple[Member, ...], dx: int, dy: int) -> list[Edit]:
    """Move every member by (dx, dy) tiles. Buildings go first (people inside follow them), the one
    furthest along the move first, so none bumps into a member that has not moved yet."""
    static = snapshot.static
    buildings = [static.buildings[i] for kind, i in members if kind == "building" and not static.buildings[i].removed]
    buildings.sort(key=lambda b: -(b.x * dx + b.y * dy))
    edits: list[Edit] = [MoveBuilding(building=b.id, x=b.x + dx, y=b.y + dy) for b in buildings]
    for kind, i in members:
        if kind == "person" and not static.people[i].removed:
            x, y = person_tile(snapshot, i)
            edits.append(TeleportPerson(agent=static.people[i].id, x=x + dx, y=y + dy))
    return edits


def remove_edits(static: StaticWorld, members: tuple[Member, ...]) -> list[Edit]:
    """Remove every member: people first, so undoing (in reverse) rebuilds their homes before they return."""
    edits: list[Edit] = [RemovePerson(agent=static.people[i].id) for kind, i in members
                         if kind == "person" and not static.people[i].removed]
    edits += [RemoveBuilding(building=static.buildings[i].id) for kind, i in members
              if kind == "building" and not static.buildings[i].removed]
    return edits


def describe(members: tuple[Member, ...]) -> str:
    """"3 people and 2 buildings"."""
    people = sum(1 for kind, _ in members if kind == "person")
    buildings = len(members) - people
    parts = []
    if people:
        parts.append(f"{people} {'person' if people == 1 else 'people'}")
    if buildings:
        parts.append(f"{buildings} building{'s' if buildings != 1 else ''}")
    return " and ".join(parts) or "nothing"
