"""Where people and buildings belong: districts, for councils, treasuries and news."""

from __future__ import annotations

from engine.state.city import Building, City
from engine.state.person import Person


def district_of_building(city: City, building: Building) -> int:
    """The district a building stands in: by its lot, else by the map under its door (-1: none)."""
    district = city.district_of_building(building)
    if district >= 0:
        return district
    x, y = building.entrance
    if city.in_bounds(x, y):
        found = int(city.district_map()[y, x])
        if found >= 0:
            return found
    return 0 if city.districts else -1


def district_of_person(city: City, person: Person) -> int:
    """Where someone lives (their home's district); -1 when they have no home or there are no districts."""
    if not 0 <= person.home < len(city.buildings):
        return -1
    return district_of_building(city, city.buildings[person.home])


def residents_by_district(city: City, people: list[Person]) -> dict[int, list[int]]:
    """District id -> ids of the people (not removed) living there, ascending."""
    found: dict[int, list[int]] = {d.id: [] for d in city.districts}
    of_home: dict[int, int] = {}  # a household's people share a home: its district is looked up once
    for person in people:
        if not person.removed:
            district = of_home.get(person.home)
            if district is None:
                district = of_home[person.home] = district_of_person(city, person)
            if district >= 0:
                found.setdefault(district, []).append(person.id)
    return found
