"""Build a world from a hand-written spec (places, people, ties), e.g. the bundled village.

The spec is plain data (parsed TOML): the layout is generated around the named
places, then every person moves into the home and job the spec names.
"""

from __future__ import annotations

import random
from typing import Any

from engine.contracts.enums import BuildingType, Sex
from engine.state.person import Person
from engine.state.relationships import Relationships, Tie
from engine.state.sexes import sex_of_name
from engine.state.world import World
from engine.world.generator import choose_hangouts, default_capacity
from engine.world.layout import BuildingOrder, lay_out


class SpecError(ValueError):
    pass


def parse_hours(text: str) -> tuple[int, int]:
    try:
        start, end = text.split("-")
        h1, m1 = (int(v) for v in start.split(":"))
        h2, m2 = (int(v) for v in end.split(":"))
    except ValueError:
        raise SpecError(f"opening hours {text!r} are not like '08:00-17:00'") from None
    return h1 * 60 + m1, h2 * 60 + m2


def world_from_spec(spec: dict[str, Any]) -> World:
    seed = int(spec.get("seed", 0))
    rng = random.Random(seed)
    places = spec.get("building", [])
    people_spec = spec.get("person", [])
    keys = [p["key"] for p in places]
    if len(set(keys)) != len(keys):
        raise SpecError("two buildings share a key")
    residents = {k: 0 for k in keys}
    for p in people_spec:
        if p["home"] not in residents:
            raise SpecError(f"{p['name']} lives at {p['home']!r}, which is not a building in the spec")
        residents[p["home"]] += 1
    orders = []
    for place in places:
        try:
            kind = BuildingType[place["type"].upper()]
        except KeyError:
            raise SpecError(f"building {place['key']!r} has unknown type {place['type']!r}") from None
        capacity = residents[place["key"]] + 1 if kind.is_residential else default_capacity(kind)
        hours = parse_hours(place["hours"]) if "hours" in place else None
        orders.append(BuildingOrder(kind, int(place.get("capacity", capacity)), place["name"], hours))
    names = tuple(spec.get("districts", [spec.get("name", "Town")]))
    city, ids = lay_out(spec.get("name", "Town"), orders, len(names), int(spec.get("lot_size", 5)), rng, names)
    building_of = dict(zip(keys, ids, strict=True))
    people = [_person(i, p, building_of) for i, p in enumerate(people_spec)]
    ties = _ties(people, spec.get("tie", []))
    choose_hangouts(city, people, ties, rng)
    return World(city=city, people=people, relationships=ties, seed=seed, template="spec")


def _person(index: int, p: dict[str, Any], building_of: dict[str, int]) -> Person:
    work = p.get("work")
    if work is not None and work not in building_of:
        raise SpecError(f"{p['name']} works at {work!r}, which is not a building in the spec")
    traits = tuple(float(t) for t in p["traits"])
    if len(traits) != 5 or not all(0 <= t <= 1 for t in traits):
        raise SpecError(f"{p['name']} needs five traits between 0 and 1")
    try:
        sex = Sex(p["sex"]) if "sex" in p else sex_of_name(p["name"])
    except ValueError:
        raise SpecError(f"{p['name']}'s sex {p['sex']!r} is not one of {', '.join(s.value for s in Sex)}") from None
    return Person(
        index, p["name"], int(p["age"]), p["occupation"], p["bio"].strip(), traits,
        building_of[p["home"]], building_of[work] if work else -1, int(p.get("money", 0)) * 100, sex=sex,
    )


def _ties(people: list[Person], ties_spec: list[dict[str, Any]]) -> Relationships:
    ties = Relationships()
    by_name = {p.name: p.id for p in people}
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            if a.home == b.home and a.name.split()[-1] == b.name.split()[-1]:
                ties.set(a.id, b.id, Tie(0.8, 0.95, 0, -1, True))
    for t in ties_spec:
        for who in (t["a"], t["b"]):
            if who not in by_name:
                raise SpecError(f"a tie names {who!r}, who is not in the spec")
        ties.set(by_name[t["a"]], by_name[t["b"]], Tie(float(t["affinity"]), float(t["familiarity"])))
    return ties
