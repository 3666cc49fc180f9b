"""Everyday words for places in the god console: "the cafe", "a bakery", "near Rosa".

A place is found, in order, by its name (a unique part will do), by a kind of
building ("the cafe", "a school", "the bakery": the first standing one of that
kind, preferring those whose name says it), or by a person ("near Rosa": where
Rosa is now, or her home's door when that is not known). The answer says in
words what was chosen, so the confirmation can name it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from engine.contracts.enums import BuildingType
from engine.edits.context import EditError
from engine.state.city import Building
from engine.state.world import World

Whereabouts = Callable[[int], tuple[int, int]]  # person id -> the tile they are on now

ARTICLES = re.compile(r"^(?:the|a|an|some|any|one)\s+", re.I)
KINDS: dict[str, BuildingType] = {
    **{w: BuildingType.CAFE for w in ("cafe", "café", "coffee shop", "coffeehouse", "restaurant", "diner", "pub",
                                      "bar", "tavern", "inn", "tea room", "tearoom")},
    **{w: BuildingType.SHOP for w in ("shop", "store", "market", "grocer", "grocery", "bakery", "baker's",
                                      "pharmacy", "chemist", "butcher", "bookshop", "general store")},
    **{w: BuildingType.OFFICE for w in ("office", "newspaper", "gazette", "bank")},
    **{w: BuildingType.WORKSHOP for w in ("workshop", "factory", "mill", "forge", "smithy", "works")},
    **{w: BuildingType.SCHOOL for w in ("school", "college", "university")},
    **{w: BuildingType.PARK for w in ("park", "garden", "gardens", "green", "square", "plaza")},
    **{w: BuildingType.TOWN_HALL for w in ("town hall", "city hall", "hall", "council")},
    **{w: BuildingType.HOME for w in ("home", "house", "cottage")},
    **{w: BuildingType.APARTMENT for w in ("apartment", "apartments", "flat", "flats")},
}


@dataclass(frozen=True)
class Spot:
    x: int
    y: int
    building: int  # -1: not a building (beside a person outdoors)
    words: str  # what was chosen, for the confirmation: "The Copper Kettle", "Rosa Alvarez"


def plain(text: str) -> str:
    """Without quotes, a trailing full stop or a leading article: "the cafe" -> "cafe"."""
    return ARTICLES.sub("", text.strip().strip('"').rstrip(".").strip()).strip()


def _names(items: list[tuple[int, str]], wanted: str) -> list[int]:
    exact = [i for i, name in items if name.lower() == wanted]
    return exact or [i for i, name in items if wanted and wanted in name.lower()]


def building(world: World, text: str) -> Building:
    """The building meant by ``text``: a name, or a kind of building in everyday words."""
    wanted = plain(text).lower()
    standing = world.city.standing
    by_name = _names([(b.id, b.name) for b in standing], wanted)
    if len(by_name) == 1:
        return world.city.buildings[by_name[0]]
    kind = KINDS.get(wanted) or KINDS.get(wanted.rstrip("s"))
    if kind is not None or by_name:
        # A kind, or a word several names share ("the bakery"): the first of that kind whose name has the word,
        # else the first of that kind, else the first name that has it (never a home over a business).
        named = [world.city.buildings[i] for i in by_name]
        of_kind = [b for b in standing if b.type == kind]
        for choice in ([b for b in named if b.type == kind], [b for b in named if not b.type.is_residential],
                       of_kind, named):
            if choice:
                return choice[0]
    what = f"no place called {text.strip()!r}"
    raise EditError(f"{what} (try a building's name, or a kind of place: the cafe, a shop, the park)")


def person(world: World, text: str) -> int:
    wanted = plain(text).lower()
    alive = [(p.id, p.name) for p in world.people if not p.removed]
    found = _names(alive, wanted)
    if len(found) == 1:
        return found[0]
    if not found:
        raise EditError(f"no person called {text.strip()!r}")
    names = ", ".join(name for i, name in alive if i in found[:4])
    raise EditError(f"{text.strip()!r} could be {names}; say which")


def spot(world: World, text: str, whereabouts: Whereabouts | None = None) -> Spot:
    """Where "near <text>" or "to <text>" points: a building's door, or beside a person."""
    try:
        found = building(world, text)
        return Spot(found.entrance[0], found.entrance[1], found.id, found.name)
    except EditError as no_place:
        try:
            who = person(world, text)
        except EditError:
            raise no_place from None
    someone = world.people[who]
    if whereabouts is not None:
        x, y = whereabouts(who)
        return Spot(x, y, -1, someone.name)
    door = world.city.buildings[someone.home].entrance
    return Spot(door[0], door[1], someone.home, someone.name)
