"""Generate a coherent town of any size: households, homes, jobs, services, ties.

The order matters: people first (so we know how many homes and jobs are needed),
then the buildings they need, then the layout, then who lives and works where.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from engine.contracts.enums import BuildingType
from engine.state.city import Building, City
from engine.state.person import Person
from engine.state.relationships import Relationships, Tie
from engine.state.world import World
from engine.world.cast import (
    Household,
    describe,
    invent_households,
    occupation_without_job,
    pick_name,
    pick_sex,
    traits_for,
)
from engine.world.layout import BuildingOrder, lay_out
from engine.world.names import (
    APARTMENT_NAMES,
    CAFE_NAMES,
    OCCUPATIONS,
    OFFICE_NAMES,
    PARK_NAMES,
    SHOP_NAMES,
    STREETS,
    SURNAMES,
    WORKSHOP_NAMES,
)

TEMPLATES = ("village", "city")

STAFF = {
    BuildingType.CAFE: 4,
    BuildingType.SHOP: 4,
    BuildingType.SCHOOL: 10,
    BuildingType.TOWN_HALL: 8,
    BuildingType.PARK: 2,
    BuildingType.OFFICE: 24,
    BuildingType.WORKSHOP: 10,
}
NAME_POOLS = {
    BuildingType.CAFE: CAFE_NAMES,
    BuildingType.SHOP: SHOP_NAMES,
    BuildingType.OFFICE: OFFICE_NAMES,
    BuildingType.WORKSHOP: WORKSHOP_NAMES,
    BuildingType.PARK: PARK_NAMES,
    BuildingType.APARTMENT: APARTMENT_NAMES,
}
VISITORS = {BuildingType.CAFE: 24, BuildingType.SHOP: 16, BuildingType.PARK: 300,
            BuildingType.SCHOOL: 350, BuildingType.TOWN_HALL: 40, BuildingType.OFFICE: 0,
            BuildingType.WORKSHOP: 4}


def default_capacity(kind: BuildingType) -> int:
    """Room for a service building's staff and its visitors (pupils, for a school)."""
    return STAFF[kind] + VISITORS[kind]


@dataclass
class _Plan:
    households: list[Household]
    home_orders: list[tuple[BuildingOrder, list[int]]]  # order, household indices
    service_orders: list[BuildingOrder]
    districts: int
    lot_size: int


def generate(agents: int, seed: int, template: str = "city", name: str | None = None) -> World:
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; choose one of {', '.join(TEMPLATES)}")
    if agents < 1:
        raise ValueError("a town needs at least one person")
    rng = random.Random(seed)
    plan, city, building_ids = _build(agents, template, name, rng)
    home_ids = building_ids[: len(plan.home_orders)]
    people = _settle(city, plan, home_ids, rng)
    relationships = _first_ties(city, people, plan, rng)
    choose_hangouts(city, people, relationships, rng)
    return World(city=city, people=people, relationships=relationships, seed=seed, template=template)


def generate_city(agents: int, seed: int, template: str = "city") -> City:
    """Just the map ``generate`` would lay out for this many people (no one living there yet)."""
    return _build(agents, template, None, random.Random(seed))[1]


def _build(agents: int, template: str, name: str | None, rng: random.Random) -> tuple[_Plan, City, list[int]]:
    plan = _plan(agents, template, rng)
    orders = [o for o, _ in plan.home_orders] + plan.service_orders
    _name_services(plan.service_orders, rng)
    town_name = name or (f"{rng.choice(STREETS)}ton" if template == "village" else f"{rng.choice(SURNAMES)} City")
    city, building_ids = lay_out(town_name, orders, plan.districts, plan.lot_size, rng)
    return plan, city, building_ids


def _plan(agents: int, template: str, rng: random.Random) -> _Plan:
    households = invent_households(agents, rng)
    village = template == "village"
    home_orders: list[tuple[BuildingOrder, list[int]]] = []
    flat: list[int] = []
    for index, household in enumerate(households):
        if village or (household.size >= 3 and rng.random() < 0.55):
            home_orders.append((BuildingOrder(BuildingType.HOME, household.size + 1), [index]))
        else:
            flat.append(index)
    while flat:  # pack the rest into apartment blocks
        capacity = rng.randint(14, 26)
        members: list[int] = []
        used = 0
        while flat and used + households[flat[0]].size <= capacity:
            used += households[flat[0]].size
            members.append(flat.pop(0))
        if not members:
            members.append(flat.pop(0))
            capacity = households[members[0]].size
        home_orders.append((BuildingOrder(BuildingType.APARTMENT, capacity), members))

    ages = [age for h in households for age in h.ages]
    pupils = sum(1 for a in ages if 6 <= a < 18)
    workers = sum(1 for a in ages if 18 <= a < 67) * 0.9
    counts = {
        BuildingType.CAFE: max(1, agents // 70),
        BuildingType.SHOP: max(1, agents // 90),
        BuildingType.SCHOOL: max(1, math.ceil(pupils / 350)),
        BuildingType.PARK: max(1, agents // 350),
    }
    districts = 1 if village else int(np.clip(agents // 250, 2, 12))
    counts[BuildingType.TOWN_HALL] = districts
    fixed = sum(STAFF[t] * n for t, n in counts.items())
    rest = max(0.0, workers - fixed)
    counts[BuildingType.OFFICE] = math.ceil(rest * 0.55 / STAFF[BuildingType.OFFICE])
    counts[BuildingType.WORKSHOP] = math.ceil(rest * 0.45 / STAFF[BuildingType.WORKSHOP])
    service_orders = [
        BuildingOrder(t, default_capacity(t))
        for t, n in counts.items()
        for _ in range(n)
    ]
    return _Plan(households, home_orders, service_orders, districts, 5 if village else 4)


def _name_services(orders: list[BuildingOrder], rng: random.Random) -> None:
    used: set[str] = set()
    for order in orders:
        pool = NAME_POOLS.get(order.type)
        if pool is None:
            continue
        for _ in range(30):
            name = rng.choice(pool).format(s=rng.choice(SURNAMES), street=rng.choice(STREETS))
            if name not in used:
                break
        used.add(name)
        order.name = name


def _entrances(buildings: list[Building]) -> np.ndarray:
    return np.array([b.entrance for b in buildings], dtype=np.int32).reshape(-1, 2)


def _settle(city: City, plan: _Plan, home_ids: list[int], rng: random.Random, rename_homes: bool = True) -> list[Person]:
    """Move households into their homes and give every adult a job near home."""
    for b in city.buildings if rename_homes else ():
        if b.type == BuildingType.SCHOOL:
            b.name = f"{city.districts[max(city.district_of_building(b), 0)].name} School"
        elif b.type == BuildingType.TOWN_HALL:
            b.name = f"{city.districts[max(city.district_of_building(b), 0)].name} Hall"
    workplaces = [b for b in city.buildings if b.type in STAFF and b.type != BuildingType.SCHOOL]
    schools = city.buildings_of(BuildingType.SCHOOL)
    work_xy, school_xy = _entrances(workplaces), _entrances(schools)
    free = np.array([STAFF[b.type] for b in workplaces], dtype=np.int32)
    teachers = {b.id: STAFF[BuildingType.SCHOOL] for b in schools}
    people: list[Person] = []
    taken: set[str] = set()
    for (order, members), home_id in zip(plan.home_orders, home_ids, strict=True):
        home = city.buildings[home_id]
        if order.type == BuildingType.HOME and rename_homes:
            home.name = f"{plan.households[members[0]].surname} House, {home.name}"
        hx, hy = home.entrance
        for index in members:
            household = plan.households[index]
            for age in household.ages:
                traits = traits_for(rng)
                sex = pick_sex(rng)
                person = Person(len(people), pick_name(rng, household.surname, taken, sex), age, "", "", traits,
                                home_id, sex=sex)
                person.money = rng.randint(5, 30) * 100 if age < 18 else rng.randint(200, 3000) * 100
                near_school = schools[int(np.argmin(np.abs(school_xy - (hx, hy)).sum(1)))] if schools else None
                if 6 <= age < 18 and near_school is not None:
                    person.occupation, person.workplace = "pupil", near_school.id
                elif 18 <= age < 67 and rng.random() < 0.9:
                    _give_job(person, near_school, teachers, workplaces, work_xy, free, (hx, hy), rng)
                if not person.occupation:
                    person.occupation = occupation_without_job(age, rng)
                work = city.buildings[person.workplace].name if person.workplace >= 0 else None
                others = household.size - 1
                with_whom = "" if others == 0 else f" with {others} other{'s' if others > 1 else ''}"
                person.bio = describe(person, home.name, work, with_whom, rng)
                people.append(person)
    return people


JOB_NOISE = 12.0  # tiles


def _give_job(
    person: Person, school: Building | None, teachers: dict[int, int], workplaces: list[Building],
    work_xy: np.ndarray, free: np.ndarray, home_xy: tuple[int, int], rng: random.Random,
) -> None:
    if school is not None and teachers.get(school.id, 0) > 0 and rng.random() < 0.08:
        teachers[school.id] -= 1
        person.workplace = school.id
        person.occupation = rng.choice(OCCUPATIONS["SCHOOL"])
        return
    if not free.any():
        return
    distance = np.abs(work_xy - home_xy).sum(1).astype(np.float64)
    distance[free == 0] = np.inf
    # A little chance in who works where: up to JOB_NOISE tiles. Only workplaces within that much of the
    # nearest can win, so only they are drawn for (drawing for all made a big town's cast quadratic).
    near = np.flatnonzero(distance < distance.min() + JOB_NOISE)
    k = int(near[np.argmin(distance[near] + np.array([rng.random() * JOB_NOISE for _ in range(len(near))]))])
    free[k] -= 1
    person.workplace = workplaces[k].id
    person.occupation = rng.choice(OCCUPATIONS[workplaces[k].type.name])


def _first_ties(city: City, people: list[Person], plan: _Plan, rng: random.Random) -> Relationships:
    ties = Relationships()
    by_home: dict[int, list[Person]] = {}
    by_work: dict[int, list[Person]] = {}
    by_hood: dict[int, list[Person]] = {}
    for p in people:
        by_home.setdefault(p.home, []).append(p)
        if p.workplace >= 0:
            by_work.setdefault(p.workplace, []).append(p)
        by_hood.setdefault(city.lots[city.buildings[p.home].lot].neighbourhood, []).append(p)
    surname = {p.id: p.name.split()[-1] for p in people}
    for members in by_home.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if surname[a.id] == surname[b.id]:
                    ties.set(a.id, b.id, Tie(round(rng.uniform(0.55, 0.95), 3), 0.95, 0, -1, True))
                else:  # neighbours in the same block
                    if rng.random() < 0.15:
                        ties.set(a.id, b.id, Tie(round(rng.uniform(-0.1, 0.3), 3), 0.2))
    for members in by_work.values():
        for a in members:
            for b in rng.sample(members, min(3, len(members))):
                if a.id != b.id and ties.get(a.id, b.id) is None:
                    ties.set(a.id, b.id, Tie(round(rng.uniform(-0.05, 0.35), 3), round(rng.uniform(0.25, 0.5), 3)))
    for members in by_hood.values():
        adults = [p for p in members if p.age >= 16]
        for a in adults:
            for b in rng.sample(adults, min(len(adults), rng.randint(1, 3))):
                if a.id != b.id and ties.get(a.id, b.id) is None:
                    if rng.random() < 0.06:
                        ties.set(a.id, b.id, Tie(round(rng.uniform(-0.6, -0.35), 3), 0.4))  # a feud
                    else:
                        ties.set(a.id, b.id, Tie(round(rng.uniform(0.4, 0.85), 3), round(rng.uniform(0.4, 0.8), 3)))
    return ties


def choose_hangouts(city: City, people: list[Person], ties: Relationships, rng: random.Random) -> None:
    """Everyone has a favourite cafe or park near home; friends often share one."""
    spots = city.buildings_of(BuildingType.CAFE, BuildingType.PARK)
    xy = _entrances(spots)
    for p in people:
        hx, hy = city.buildings[p.home].entrance
        order = np.argsort(np.abs(xy - (hx, hy)).sum(1), kind="stable")[:3]
        p.hangout = spots[int(order[rng.randrange(len(order))])].id
    for p in people:
        best = ties.closest(p.id, 1)
        if best and rng.random() < 0.5:
            people[best[0]].hangout = p.hangout


def populate(world: World, agents: int, rng: random.Random) -> None:
    """Move ``agents`` people into an existing town's homes (an imported map), with jobs and ties."""
    city = world.city
    if agents <= 0:
        return
    households = invent_households(agents, rng)
    homes = [b for b in city.standing if b.type.is_residential]
    room = {b.id: b.capacity for b in homes}
    members: dict[int, list[int]] = {}
    kept: list[Household] = []
    for household in households:  # first fit; a family too big for any home splits up, one bed at a time
        home = next((b for b in homes if room[b.id] >= household.size), None)
        parts = [household] if home is not None else [Household(household.surname, [age]) for age in household.ages]
        for part in parts:
            home = next((b for b in homes if room[b.id] >= part.size), None)
            if home is None:
                continue  # the town is full
            room[home.id] -= part.size
            members.setdefault(home.id, []).append(len(kept))
            kept.append(part)
    home_ids = [b.id for b in homes if b.id in members]
    home_orders = [(BuildingOrder(city.buildings[h].type, city.buildings[h].capacity), members[h]) for h in home_ids]
    plan = _Plan(kept, home_orders, [], len(city.districts), 4)
    if not city.buildings_of(BuildingType.SCHOOL):  # _settle sends pupils to the nearest school
        for household in plan.households:
            household.ages = [max(a, 18) for a in household.ages]
    world.people = _settle(city, plan, home_ids, rng, rename_homes=False)
    world.relationships = _first_ties(city, world.people, plan, rng)
    if city.buildings_of(BuildingType.CAFE, BuildingType.PARK):
        choose_hangouts(city, world.people, world.relationships, rng)
