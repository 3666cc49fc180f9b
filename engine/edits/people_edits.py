"""Edits of the cast: spawn, remove, bring back, teleport, and change a person's facts."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine.contracts import edits as e
from engine.contracts.enums import Sex, Terrain
from engine.edits.context import EditContext, EditError
from engine.state.person import Person
from engine.state.sexes import sex_of_name


def spawn(ctx: EditContext, edit: e.SpawnPerson) -> tuple[str, e.Edit, e.Edit]:
    """Returns (summary, inverse, the edit as applied: with its person id, for the log)."""
    sim = ctx.sim
    name = edit.name.strip()
    if not name:
        raise EditError("a new person needs a name")
    _check_traits(edit.traits)
    sex = _sex(edit.sex) if edit.sex else sex_of_name(name)
    home = edit.home if edit.home >= 0 else _home_with_room(ctx, edit.x, edit.y)
    _check_home(ctx, home)
    if edit.workplace >= 0:
        _check_workplace(ctx, edit.workplace)
    pid = edit.person_id if edit.person_id >= 0 else len(sim.people)
    person = Person(pid, name, edit.age, edit.occupation.strip() or "newcomer",
                    edit.bio.strip() or f"{name} has just arrived in {sim.city.name}.",
                    _as_floats(edit.traits), home, edit.workplace, edit.money, sex=sex)
    if pid < len(sim.people):  # a replay bringing the same person back
        if not sim.people[pid].removed:
            raise EditError(f"person {pid} already exists")
        sim.people[pid] = person
        sim.brain.schedules[pid] = sim.brain.schedule_for(person)
        sim.person_returned(person, fresh=True)
    elif pid == len(sim.people):
        sim.people.append(person)
        sim.person_added(person)
    else:
        raise EditError(f"person id {pid} is not the next free one")
    if edit.x >= 0 and edit.y >= 0:
        _teleport(ctx, person, edit.x, edit.y, notice=False)
    ctx.changed_people()
    applied = dataclasses.replace(edit, person_id=pid, home=home, sex=sex.value)
    return f"{name} arrived", e.RemovePerson(agent=pid), applied


def _home_with_room(ctx: EditContext, x: int, y: int) -> int:
    sim = ctx.sim
    counts = np.bincount([p.home for p in sim.people if not p.removed], minlength=len(sim.city.buildings))
    homes = [b for b in sim.city.standing if b.type.is_residential and counts[b.id] < b.capacity]
    if not homes:
        raise EditError("no home has room; build one first")
    if x < 0 or y < 0:
        x, y = sim.city.width // 2, sim.city.height // 2
    return min(homes, key=lambda b: (abs(b.entrance[0] - x) + abs(b.entrance[1] - y), b.id)).id


def _check_home(ctx: EditContext, home: int) -> None:
    building = ctx.building(home)
    if not building.type.is_residential:
        raise EditError(f"{building.name} is not a home")


def _check_workplace(ctx: EditContext, workplace: int) -> None:
    building = ctx.building(workplace)
    if building.type.is_residential:
        raise EditError(f"{building.name} is a home, not a workplace")


def _check_traits(traits: tuple[float, ...]) -> None:
    if len(traits) != 5 or not all(0.0 <= float(t) <= 1.0 for t in traits):
        raise EditError("traits are five numbers between 0 and 1 (O, C, E, A, N)")


def _sex(word: str) -> Sex:
    try:
        return Sex(word)
    except ValueError:
        raise EditError(f"sex is one of {', '.join(s.value for s in Sex)}, not {word[:40]!r}") from None


def _as_floats(traits: tuple[float, float, float, float, float]) -> tuple[float, float, float, float, float]:
    """Checked traits as floats (an edit read back from JSON may hold ints)."""
    openness, conscientiousness, extraversion, agreeableness, neuroticism = traits
    return float(openness), float(conscientiousness), float(extraversion), float(agreeableness), float(neuroticism)


def remove(ctx: EditContext, edit: e.RemovePerson) -> tuple[str, e.Edit]:
    person = ctx.person(edit.agent)
    person.removed = True
    ctx.sim.person_removed(person)
    ctx.changed_people()
    return f"{person.name} left town", e.RestorePerson(agent=person.id)


def restore(ctx: EditContext, edit: e.RestorePerson) -> tuple[str, e.Edit]:
    people = ctx.sim.people
    if not 0 <= edit.agent < len(people) or not people[edit.agent].removed:
        raise EditError(f"person {edit.agent} has not left")
    person = people[edit.agent]
    _check_home(ctx, person.home)
    person.removed = False
    ctx.sim.person_returned(person)
    ctx.changed_people()
    return f"{person.name} is back", e.RemovePerson(agent=person.id)


def teleport(ctx: EditContext, edit: e.TeleportPerson) -> tuple[str, e.Edit]:
    person = ctx.person(edit.agent)
    pop = ctx.sim.pop
    x0, y0 = (int(v) for v in pop.xy[person.id])
    here = int(pop.location[person.id])
    if here >= 0:  # back to the same building, not just the same tile
        f = ctx.sim.city.buildings[here].footprint
        x0, y0 = f.x, f.y
    place = _teleport(ctx, person, edit.x, edit.y, notice=True)
    return f"{person.name} is now at {place}", e.TeleportPerson(agent=person.id, x=x0, y=y0)


def _teleport(ctx: EditContext, person: Person, x: int, y: int, notice: bool) -> str:
    sim = ctx.sim
    city = sim.city
    if not city.in_bounds(x, y):
        raise EditError("that is off the map")
    building = city.building_at(x, y)
    if building is None and not Terrain(int(city.terrain[y, x])).walkable:
        raise EditError("nobody can stand there")
    sim.teleport(person.id, building.id if building else -1, (x + 0.5, y + 0.5))
    place = building.name if building else f"the corner of tile ({x}, {y})"
    if notice and sim.cognition is not None:
        sim.cognition.remember(person.id, "observation", f"I suddenly found myself at {place}. How odd.",
                               sim.tick, importance=7.0)
    return place


MONEY_LIMIT = 10**11  # cents: a billion dollars either way
PERSON_FIELDS = ("name", "age", "occupation", "bio", "traits", "home", "workplace", "money", "goals", "sex")


def edit(ctx: EditContext, change: e.EditPerson) -> tuple[str, e.Edit]:
    sim = ctx.sim
    person = ctx.person(change.agent)
    wanted = {f: getattr(change, f) for f in PERSON_FIELDS if getattr(change, f) is not None}
    if not wanted:
        raise EditError("nothing to change")
    if "name" in wanted and not str(wanted["name"]).strip():
        raise EditError("a name cannot be empty")
    if "age" in wanted and not 0 <= int(wanted["age"]) <= 120:
        raise EditError("age is between 0 and 120")
    if "traits" in wanted:
        _check_traits(wanted["traits"])
    if "sex" in wanted:
        wanted["sex"] = _sex(str(wanted["sex"]))
    if "home" in wanted:
        _check_home(ctx, int(wanted["home"]))
    if "workplace" in wanted and int(wanted["workplace"]) >= 0:
        _check_workplace(ctx, int(wanted["workplace"]))
    if "money" in wanted and not -MONEY_LIMIT <= int(wanted["money"]) <= MONEY_LIMIT:  # below zero: in debt
        raise EditError(f"money is between -${MONEY_LIMIT // 100:,} and ${MONEY_LIMIT // 100:,}")
    old: dict[str, Any] = {}  # field -> value before, each of its field's own type
    for key, value in wanted.items():
        if key == "money":
            old[key] = before = int(sim.pop.money[person.id])
            sim.society.grant(person.id, int(value) - before, sim.tick)  # money moves only through the ledger
            person.money = int(value)
        elif key == "goals":
            old[key] = person.extra.get("goals", "")
            person.extra["goals"] = str(value)
        elif key == "sex":
            old[key] = person.sex.value
            person.sex = value
        else:
            old[key] = getattr(person, key)
            setattr(person, key, tuple(float(t) for t in value) if key == "traits" else value)
    if {"home", "workplace", "age", "traits"} & set(wanted):
        sim.brain.schedules[person.id] = sim.brain.schedule_for(person)
        sim.pop.until[person.id] = min(int(sim.pop.until[person.id]), sim.tick + 1)  # rethink the day
    ctx.changed_people()
    return f"changed {', '.join(wanted)} of {person.name}", e.EditPerson(agent=person.id, **old)
