"""The god console: plain words -> edits, shown to the user for confirmation first.

A small documented syntax works without any model (names are matched loosely:
case-insensitive, a unique prefix or part of a name will do; a place can also be
a kind of place or a person: "the cafe", "a bakery", "Rosa"):

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
end in one parser. Each edit comes with a sentence saying what it will do
("Ada Lovelace, a baker, moves in near The Copper Kettle"), so the console
confirms in words, whichever window or tool shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.contracts import edits as e
from engine.edits import console_places as places
from engine.edits.console_places import Whereabouts
from engine.edits.context import EditError
from engine.state.world import World

SYNTAX = __doc__.split("\n\n")[2]


def person(world: World, text: str) -> int:
    return places.person(world, text)


def place(world: World, text: str) -> int:
    return places.building(world, text).id


def district(world: World, text: str) -> int:
    wanted = places.plain(text).lower()
    found = [d.id for d in world.city.districts if wanted and wanted in d.name.lower()]
    exact = [d.id for d in world.city.districts if d.name.lower() == wanted]
    if exact or len(found) == 1:
        return (exact or found)[0]
    raise EditError(f"no district called {text.strip()!r}" if not found else f"{text.strip()!r} could be "
                    "several districts; say which")


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


@dataclass(frozen=True)
class Reading:
    """What the console made of some words: the edits, a sentence for each, or why not."""

    edits: list[e.Edit]
    words: list[str]
    error: str = ""


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


def read_line(world: World, line: str, whereabouts: Whereabouts | None = None) -> tuple[e.Edit, str]:
    """One line of the documented syntax -> (an edit, what it will do in words); EditError otherwise."""
    text = line.strip().rstrip(".")
    for pattern, kind in PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        g = m.groupdict()
        if kind == "spawn":
            name, job = g["name"].strip().strip('"'), g["job"].strip()
            if not g["near"]:
                return e.SpawnPerson(name=name, occupation=job), f"{name}, {_a(job)}, moves in"
            near = places.spot(world, g["near"], whereabouts)
            return (e.SpawnPerson(name=name, occupation=job, x=near.x, y=near.y),
                    f"{name}, {_a(job)}, moves in near {near.words}")
        if kind == "remove":
            who = person(world, g["who"])
            return e.RemovePerson(agent=who), f"{world.people[who].name} leaves the town"
        if kind == "teleport":
            who = person(world, g["who"])
            to = places.spot(world, g["where"], whereabouts)
            x, y = (to.x, to.y)
            if to.building >= 0:
                inside = world.city.buildings[to.building].footprint
                x, y = inside.x, inside.y
            return e.TeleportPerson(agent=who, x=x, y=y), f"{world.people[who].name} is whisked to {to.words}"
        if kind == "whisper":
            who = person(world, g["who"])
            said = g["text"].strip()
            return e.Whisper(agent=who, text=said), f"{world.people[who].name} hears a thought: “{said}”"
        if kind == "tell":
            said = g["text"].strip()
            where = district(world, g["district"]) if g["district"] else -1
            folk = f"Everyone in {world.city.districts[where].name}" if where >= 0 else "Everyone"
            return e.Broadcast(text=said, district=where), f"{folk} hears the news: “{said}”"
        if kind == "event":
            at = places.building(world, g["where"])
            cx, cy = at.footprint.centre
            said, radius = g["text"].strip(), float(g["radius"] or 8)
            return (e.InjectEvent(text=said, x=int(cx), y=int(cy), radius=radius),
                    f"“{said}” happens at {at.name}; those within {radius:g} tiles notice")
        if kind == "build":
            kind_words = g["type"].strip()
            named = (g["name"] or "").strip().strip('"')
            edit = e.PlaceBuilding(type=kind_words, x=int(g["x"]), y=int(g["y"]), width=int(g["w"] or 3),
                                   height=int(g["h"] or 3), name=named)
            called = f" called {named}" if named else ""
            return edit, f"{_a(kind_words).capitalize()}{called} is built at ({edit.x}, {edit.y})"
        if kind == "demolish":
            at = places.building(world, g["where"])
            return e.RemoveBuilding(building=at.id), f"{at.name} is demolished"
        if kind == "pay":
            who = person(world, g["who"])
            cents = round(float(g["amount"]) * 100)
            return (e.EditPerson(agent=who, money=world.people[who].money + cents),
                    f"{world.people[who].name} is given ${cents // 100:,}.{cents % 100:02d}")
    raise EditError(f"not understood: {line.strip()!r}")


def parse_line(world: World, line: str) -> e.Edit:
    """One line of the documented syntax -> an edit; EditError (with what was not understood) otherwise."""
    return read_line(world, line)[0]


def _parts(text: str) -> list[str]:
    parts = [p for chunk in text.splitlines() for p in chunk.split(";") if p.strip()]
    if not parts:
        raise EditError("type a command, e.g.: whisper to Rosa: the bakery needs you")
    return parts


def parse(world: World, text: str) -> list[e.Edit]:
    """Every non-empty line (or ';'-separated part) must parse; the first failure is reported."""
    return [parse_line(world, part) for part in _parts(text)]


def read(world: World, text: str, whereabouts: Whereabouts | None = None) -> Reading:
    """The edits and their sentences when the syntax covers ``text``; else no edits and the reason."""
    try:
        pairs = [read_line(world, part, whereabouts) for part in _parts(text)]
    except EditError as error:
        return Reading([], [], str(error))
    return Reading([edit for edit, _ in pairs], [words for _, words in pairs])


def understood(world: World, text: str) -> tuple[list[e.Edit], str]:
    """(edits, "") when the syntax covers ``text``; ([], the reason) when it does not."""
    reading = read(world, text)
    return reading.edits, reading.error
