from engine import api
from engine.contracts.enums import Terrain
from engine.state.city import Rect


def test_sample_worlds_are_valid():
    from tests.conftest import WORLDS

    for name in ("village.town", "city.town"):
        assert api.check_world(api.open_world(WORLDS / name)) == []


def test_every_problem_is_listed(town):
    city = town.city
    town.people[0].home = 9999
    town.people[1].workplace = 8888
    off_map = city.buildings[3]
    off_map.footprint = Rect(city.width + 5, 2, 3, 3)
    wet = city.buildings[4]
    f = wet.footprint
    city.terrain[f.y, f.x] = Terrain.WATER
    misplaced = city.buildings[5]
    misplaced.entrance = (0, 0)
    problems = api.check_world(town)
    text = "\n".join(problems)
    assert "lives in building 9999, which does not exist" in text
    assert "works at building 8888, which does not exist" in text
    assert f"'{off_map.name}' is off the map" in text
    assert f"'{wet.name}' stands in water" in text
    assert f"'{misplaced.name}' has its entrance at (0, 0), which is not on a road" in text
    assert len(problems) >= 5


def test_an_entrance_cut_off_by_water_is_unreachable(town):
    city = town.city
    target = city.buildings[10]
    ex, ey = target.entrance
    city.terrain[ey, ex] = Terrain.ROAD
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        x, y = ex + dx, ey + dy
        if not target.footprint.contains(x, y):
            city.terrain[y, x] = Terrain.WATER
    problems = api.check_world(town)
    assert any("no road reaches" in p and target.name in p for p in problems)


def test_overlapping_buildings_are_reported(town):
    a, b = town.city.buildings[0], town.city.buildings[1]
    b.footprint = Rect(a.footprint.x, a.footprint.y, a.footprint.width, a.footprint.height)
    assert any("overlaps" in p for p in api.check_world(town))
