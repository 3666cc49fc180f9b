"""Import people from the Generative Agents project's persona files (``scratch.json``).

Their fields (name, age, innate, learned, currently, lifestyle, living_area,
daily_plan_req) become a Townsfolk person: traits from the innate adjectives, an
occupation and a workplace from what they do, a home shared by everyone who
names the same living area, sleep hours from the lifestyle sentence. The
original text is kept in ``Person.extra`` so prompts can quote it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.contracts.enums import BuildingType
from engine.state.person import Person
from engine.state.relationships import Tie
from engine.state.world import World

FIELDS = ("name", "age", "innate", "learned", "currently", "lifestyle", "living_area", "daily_plan_req")

# adjective -> (trait index, push); traits are O C E A N
TRAIT_WORDS = {
    **dict.fromkeys(("curious", "creative", "imaginative", "artistic", "inquisitive", "open-minded", "intellectual",
                     "adventurous", "passionate", "thoughtful", "dreamy", "philosophical"), (0, +1)),
    **dict.fromkeys(("organized", "organised", "hardworking", "hard-working", "diligent", "responsible", "disciplined",
                     "dedicated", "punctual", "ambitious", "meticulous", "reliable", "efficient"), (1, +1)),
    **dict.fromkeys(("lazy", "careless", "disorganized", "messy", "impulsive"), (1, -1)),
    **dict.fromkeys(("outgoing", "social", "talkative", "energetic", "enthusiastic", "cheerful", "charismatic",
                     "friendly", "hospitable", "gregarious", "lively", "confident"), (2, +1)),
    **dict.fromkeys(("shy", "quiet", "reserved", "introverted", "solitary", "private"), (2, -1)),
    **dict.fromkeys(("kind", "friendly", "patient", "helpful", "caring", "hospitable", "compassionate", "warm",
                     "generous", "gentle", "empathetic", "supportive", "loyal", "polite"), (3, +1)),
    **dict.fromkeys(("rude", "stubborn", "grumpy", "cynical", "arrogant", "competitive", "selfish", "critical"), (3, -1)),
    **dict.fromkeys(("anxious", "nervous", "moody", "sensitive", "insecure", "worried", "emotional"), (4, +1)),
    **dict.fromkeys(("calm", "relaxed", "easygoing", "easy-going", "laid-back", "stable"), (4, -1)),
}

WORK_KEYWORDS = (  # first match wins: what they do -> where they do it
    (("cafe", "coffee", "pub", "bar ", "bartender", "restaurant", "chef", "cook", "waiter"), BuildingType.CAFE),
    (("pharmacy", "market", "store", "shop", "grocery", "supply"), BuildingType.SHOP),
    (("professor", "teacher", "college", "school", "student", "university"), BuildingType.SCHOOL),
    (("mayor", "council", "politic", "government"), BuildingType.TOWN_HALL),
    (("carpenter", "bakery", "baker", "mechanic", "workshop", "plumber", "craft"), BuildingType.WORKSHOP),
    (("office", "lawyer", "software", "engineer", "accountant", "economist", "journalist", "writer", "developer"),
     BuildingType.OFFICE),
    (("gardener", "park"), BuildingType.PARK),
)
OCCUPATION = re.compile(r"\bis (?:a|an) ([a-z][a-z \-]*?)(?: (?:at|of|who|in|and|for|with)\b|[.,])", re.IGNORECASE)
SLEEP = re.compile(r"bed (?:around|at) (\d{1,2})(?::(\d\d))? ?(am|pm)", re.IGNORECASE)
WAKE = re.compile(r"(?:wakes?|awakes?)(?: up)? (?:around|at) (\d{1,2})(?::(\d\d))? ?(am|pm)", re.IGNORECASE)


class PersonaError(ValueError):
    pass


@dataclass
class Persona:
    source: Path
    fields: dict[str, object]

    @property
    def name(self) -> str:
        return str(self.fields["name"])

    @property
    def age(self) -> int:
        age = self.fields["age"]
        assert isinstance(age, int)  # read_persona checked it and keeps it as a number
        return age


def find_personas(folder: str | Path) -> list[Persona]:
    root = Path(folder)
    if not root.is_dir():
        raise PersonaError(f"{root}: not a folder")
    files = sorted(root.rglob("scratch.json"))
    if not files:
        raise PersonaError(f"{root}: no persona files (scratch.json) found")
    return [read_persona(f) for f in files]


def read_persona(path: Path) -> Persona:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PersonaError(f"{path}: not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise PersonaError(f"{path}: expected a JSON object")
    missing = [f for f in ("name", "age") if not data.get(f)]
    if missing:
        raise PersonaError(f"{path}: missing {', '.join(missing)}")
    try:
        age = int(data["age"])
    except (TypeError, ValueError):
        raise PersonaError(f"{path}: age {data['age']!r} is not a number") from None
    fields = {f: data.get(f) or "" for f in FIELDS}
    fields["age"] = age
    return Persona(path, fields)


def traits_from(innate: str) -> tuple[float, float, float, float, float]:
    traits = [0.5] * 5
    for word in re.split(r"[,;/]| and ", innate.lower()):
        hit = TRAIT_WORDS.get(word.strip())
        if hit:
            index, push = hit
            traits[index] = min(0.95, max(0.05, traits[index] + 0.22 * push))
    openness, conscientiousness, extraversion, agreeableness, neuroticism = (round(t, 3) for t in traits)
    return openness, conscientiousness, extraversion, agreeableness, neuroticism


def occupation_from(learned: str, age: int) -> str:
    match = OCCUPATION.search(learned)
    if match:
        return match.group(1).strip().lower()
    return "retired" if age >= 67 else "resident"


def _clock(match: re.Match[str] | None) -> int | None:
    if match is None:
        return None
    hour, minute, half = int(match.group(1)) % 12, int(match.group(2) or 0), match.group(3).lower()
    return (hour + (12 if half == "pm" else 0)) * 60 + minute


def _workplace_type(text: str) -> BuildingType | None:
    lowered = f" {text.lower()} "
    for words, kind in WORK_KEYWORDS:
        if any(w in lowered for w in words):
            return kind
    return None


def import_personas(world: World, personas: list[Persona]) -> list[int]:
    """Add (or update, by name) the personas in ``world``; returns their person ids."""
    city = world.city
    by_name = {p.name: p for p in world.people}
    households: dict[str, list[Persona]] = {}
    for persona in personas:
        area = str(persona.fields["living_area"]).split(":")
        households.setdefault(area[1].strip() if len(area) > 1 else persona.name, []).append(persona)
    residents = np.bincount([p.home for p in world.people if not p.removed], minlength=len(city.buildings))
    homes = [b for b in city.standing if b.type.is_residential]
    cx, cy = city.width / 2, city.height / 2
    homes.sort(key=lambda b: (abs(b.entrance[0] - cx) + abs(b.entrance[1] - cy), b.id))
    ids: list[int] = []
    for members in households.values():
        newcomers = [m for m in members if m.name not in by_name]
        together = next((b for b in homes if b.capacity - residents[b.id] >= len(newcomers)), None)
        for persona in members:
            # Keep a household together when a home has room; otherwise find each a bed.
            home = together or next((b for b in homes if b.capacity > residents[b.id]), None)
            if home is None:
                raise PersonaError(f"no home in {city.name} has room for {persona.name}; generate a bigger world first")
            if persona.name not in by_name:
                residents[home.id] += 1
            ids.append(_upsert(world, persona, by_name, home.id))
    _family_ties(world, households, {p.name: p.id for p in world.people})
    return ids


def _upsert(world: World, persona: Persona, by_name: dict[str, Person], home: int) -> int:
    f = persona.fields
    text = f"{f['learned']} {f['daily_plan_req']}"
    age = persona.age
    extra = {k: str(f[k]) for k in ("innate", "learned", "currently", "lifestyle", "living_area", "daily_plan_req")}
    wake, bed = _clock(WAKE.search(str(f["lifestyle"]))), _clock(SLEEP.search(str(f["lifestyle"])))
    if wake is not None:
        extra["wake_minute"] = str(wake)
    if bed is not None:
        extra["bed_minute"] = str(bed)
    existing = by_name.get(persona.name)
    person = existing or Person(len(world.people), persona.name, age, "", "", (0.5,) * 5, home)
    person.age = age
    person.occupation = occupation_from(str(f["learned"]), age)
    person.bio = f"{f['learned']} {f['currently']}".strip()
    person.traits = traits_from(str(f["innate"]))
    person.extra = extra
    if existing is None:
        person.home = home
        person.money = 100_000
        world.people.append(person)
        by_name[person.name] = person
    # The occupation says most ("student" beats a mention of the cafe they study in).
    kind = None if "retired" in person.occupation else (_workplace_type(person.occupation) or _workplace_type(text))
    candidates = world.city.buildings_of(kind) if kind is not None else []
    if candidates:
        hx, hy = world.city.buildings[person.home].entrance
        person.workplace = min(candidates, key=lambda b: (abs(b.entrance[0] - hx) + abs(b.entrance[1] - hy), b.id)).id
    else:
        person.workplace = -1
    return person.id


def _family_ties(world: World, households: dict[str, list[Persona]], ids: dict[str, int]) -> None:
    for members in households.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                world.relationships.set(ids[a.name], ids[b.name], Tie(0.8, 0.95, 0, -1, True))
