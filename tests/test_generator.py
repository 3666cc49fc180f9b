import pytest

from engine import api
from engine.contracts.enums import BuildingType


@pytest.mark.parametrize(("agents", "template"), [(1, "village"), (25, "village"), (120, "city"), (2500, "city")])
def test_generated_towns_are_valid(agents: int, template: str):
    world = api.new_world(agents, seed=agents, template=template)
    assert len(world.people) == agents
    assert api.check_world(world) == []


def test_same_seed_same_town_other_seed_other_town():
    a, b, c = (api.new_world(200, seed=s, template="city") for s in (5, 5, 6))
    assert [p.name for p in a.people] == [p.name for p in b.people]
    assert (a.city.terrain == b.city.terrain).all()
    assert [p.name for p in a.people] != [p.name for p in c.people]


def test_city_has_districts_neighbourhoods_and_services(town):
    city = town.city
    assert len(city.districts) >= 2
    assert len(city.neighbourhoods) >= len(city.districts)
    types = {b.type for b in city.buildings}
    for needed in (BuildingType.CAFE, BuildingType.SHOP, BuildingType.PARK, BuildingType.SCHOOL,
                   BuildingType.TOWN_HALL, BuildingType.OFFICE, BuildingType.WORKSHOP):
        assert needed in types
    assert len(city.buildings_of(BuildingType.TOWN_HALL)) == len(city.districts)


def test_everyone_has_a_home_with_room_and_most_adults_work(town):
    homes = {b.id: b for b in town.city.buildings if b.type.is_residential}
    for person in town.people:
        assert person.home in homes
    adults = [p for p in town.people if 18 <= p.age < 67]
    employed = [p for p in adults if p.workplace >= 0]
    assert len(employed) >= 0.8 * len(adults)
    pupils = [p for p in town.people if 6 <= p.age < 18]
    assert all(town.city.buildings[p.workplace].type == BuildingType.SCHOOL for p in pupils)


def test_people_have_bios_traits_and_ties(village):
    for person in village.people:
        assert person.name in person.bio
        assert len(person.traits) == 5 and all(0 <= t <= 1 for t in person.traits)
    assert len(village.relationships) > 0


def test_rejects_unknown_template():
    with pytest.raises(ValueError, match="unknown template"):
        api.new_world(10, template="metropolis")
