"""The god console: plain words -> edits, shown to the user for confirmation first.

A small documented syntax works without any model (names are matched loosely:
case-insensitive, a unique prefix or part of a name will do):

    spawn <occupation> named <Full Name> [near <place>]
    remove <person>
    teleport <person> to <place>
    whisper to <person>: <text>
    tell everyone [in <district>]: <text>
    event <text> at <place> [radius <tiles>]
    build <type> at <x>,<y> [size <w>x<h>] [named <name>]
    demolish <place>
    pay <person> <amount>

Anything else is handed to the language model (when thinking is on; see
``console_round``), which answers with lines of this very syntax, so both paths
end in one parser.
"""

from __future__ import annotations

import re

from engine.contracts import edits as e
from engine.edits.context import EditError
from engine.state.world import World

SYNTAX = __doc__.split("\n\n")[2]


def _match(items: list[tuple[int, str]], text: str, what: str) -> int:
    wanted = text.strip().strip('"').lower()
    exact = [i for i, name in items if name.lower() == wanted]
    if exact:
        return exact[0]
    partial = [i for i, name in items if wanted and (name.lower().startswith(wanted) or wanted in name.lower())]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise EditError(f"no {what} called {text.strip()!r}")
    names = ", ".join(name for i, name in items if i in partial[:4])
    raise EditError(f"{text.strip()!r} could be {names}; say which")


def person(world: World, text: str) -> int:
    return _match([(p.id, p.name) for p in world.people if not p.removed], text, "person")


def place(world: World, text: str) -> int:
    return _match([(b.id, b.name) for b in world.city.standing], text, "place")


def district(world: World, text: str) -> int:
    return _match([(d.id, d.name) for d in world.city.districts], text, "district")


def _door(world: World, building: int) -> tuple[int, int]:  # where newcomers turn up
    return world.city.buildings[building].entrance


PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"spawn (?:an? )?(?P<job>.+?) named (?P<name>.+?)(?: near (?P<near>.+))?$", re.I), "spawn"),
    (re.compile(r"remove (?P<who>.+)$", re.I), "remove"),
    (re.compile(r"teleport (?P<who>.+?) to (?P<where>.+)$", re.I), "teleport"),
    (re.compile(r"whisper to (?P<who>[^:]+):\s*(?P<text>.+)$", re.I), "whisper"),
    (re.compile(r"tell everyone(?: in (?P<district>[^:]+))?:\s*(?P<text>.+)$", re.I), "tell"),
    (re.compile(r"event (?P<text>.+?) at (?P<where>.+?)(?: radius (?P<radius>\d+(?:\.\d+)?))?$", re.I), "event"),
    (re.compile(r"build (?:an? )?(?P<type>[a-z_ ]+?) at (?P<x>\d+)\s*,\s*(?P<y>\d+)"
                r"(?: size (?P<w>\d+)x(?P<h>\d+))?(?: named (?P<name>.+))?$", re.I), "build"),
    (re.compile(r"demolish (?P<where>.+)$", re.I), "demolish"),
    (re.compile(r"pay (?P<who>.+?) (?P<amount>\d+(?:\.\d\d)?)$", re.I), "pay"),
]


def parse_line(world: World, line: str) -> e.Edit:
    """One line of the documented syntax -> an edit; EditError (with what was not understood) otherwise."""
    text = line.strip().rstrip(".")
    for pattern, kind in PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        g = m.groupdict()
        if kind == "spawn":
            near = _door(world, place(world, g["near"])) if g["near"] else (-1, -1)
            return e.SpawnPerson(name=g["name"].strip().strip('"'), occupation=g["job"].strip(), x=near[0], y=near[1])
        if kind == "remove":
            return e.RemovePerson(agent=person(world, g["who"]))
        if kind == "teleport":
            inside = world.city.buildings[place(world, g["where"])].footprint
            return e.TeleportPerson(agent=person(world, g["who"]), x=inside.x, y=inside.y)
        if kind == "whisper":
            return e.Whisper(agent=person(world, g["who"]), text=g["text"].strip())
        if kind == "tell":
            return e.Broadcast(text=g["text"].strip(), district=district(world, g["district"]) if g["district"] else -1)
        if kind == "event":
            building = world.city.buildings[place(world, g["where"])]
            cx, cy = building.footprint.centre
            return e.InjectEvent(text=g["text"].strip(), x=int(cx), y=int(cy), radius=float(g["radius"] or 8))
        if kind == "build":
            return e.PlaceBuilding(type=g["type"].strip(), x=int(g["x"]), y=int(g["y"]), width=int(g["w"] or 3),
                                   height=int(g["h"] or 3), name=(g["name"] or "").strip().strip('"'))
        if kind == "demolish":
            return e.RemoveBuilding(building=place(world, g["where"]))
        if kind == "pay":
            who = person(world, g["who"])
            cents = round(float(g["amount"]) * 100)
            return e.EditPerson(agent=who, money=world.people[who].money + cents)
    raise EditError(f"not understood: {line.strip()!r}")


def parse(world: World, text: str) -> list[e.Edit]:
    """Every non-empty line (or ';'-separated part) must parse; the first failure is reported."""
    parts = [p for chunk in text.splitlines() for p in chunk.split(";") if p.strip()]
    if not parts:
        raise EditError("type a command, e.g.: whisper to Rosa: the bakery needs you")
    return [parse_line(world, part) for part in parts]


def understood(world: World, text: str) -> tuple[list[e.Edit], str]:
    """(edits, "") when the syntax covers ``text``; ([], the reason) when it does not."""
    try:
        return parse(world, text), ""
    except EditError as error:
        return [], str(error)
