"""Import people from the Generative Agents project's persona files (``scratch.json``).

Their fields (name, age, innate, learned, currently, lifestyle, living_area,
daily_plan_req) become a Townsfolk person: traits from the innate adjectives, an
occupation and a workplace from what they do, a home shared by everyone who
names the same living area, sleep hours from the lifestyle sentence. The
original text is kept in ``Person.extra`` so prompts can quote it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.contracts.enums import BuildingType, Sex
from engine.state.person import Person
from engine.state.relationships import Tie
from engine.state.sexes import sex_of_name
from engine.state.world import World
from engine.untrusted.limits import MAX_PERSONA_FILES, MAX_TEXT_CHARS, TooBig
from engine.untrusted.readers import loads_bounded, read_small_file
from engine.untrusted.text import clean_name, clean_text

MAX_PERSONA_BYTES = 1024 * 1024  # the Generative Agents files are about 2 KB

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
PRONOUNS = {Sex.FEMALE: re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE),
            Sex.MALE: re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)}
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
    files = _persona_files(root)
    if not files:
        raise PersonaError(f"{root}: no persona files (scratch.json) found")
    return [read_persona(f) for f in files]


def _persona_files(root: Path) -> list[Path]:
    """Every scratch.json under ``root``, not following links to folders, at most MAX_PERSONA_FILES."""
    found: list[Path] = []
    for here, folders, files in os.walk(root, followlinks=False):
        folders.sort()
        if "scratch.json" in files:
            found.append(Path(here) / "scratch.json")
            if len(found) > MAX_PERSONA_FILES:
                raise PersonaError(f"{root}: more than {MAX_PERSONA_FILES:,} persona files")
    return sorted(found)


def read_persona(path: Path) -> Persona:
    try:
        data = loads_bounded(read_small_file(path, MAX_PERSONA_BYTES).decode("utf-8"), MAX_PERSONA_BYTES)
    except TooBig as exc:
        raise PersonaError(f"{path}: too big ({exc})") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise PersonaError(f"{path}: not readable JSON ({detail.removeprefix(f'{path}: ')})") from None
    if not isinstance(data, dict):
        raise PersonaError(f"{path}: expected a JSON object")
    missing = [f for f in ("name", "age") if not data.get(f)]
    if missing:
        raise PersonaError(f"{path}: missing {', '.join(missing)}")
    try:
        age = int(data["age"])
    except (TypeError, ValueError, OverflowError):
        raise PersonaError(f"{path}: age {str(data['age'])[:40]!r} is not a number") from None
    if not 0 <= age <= 120:
        raise PersonaError(f"{path}: age {age} is not a person's age (0 to 120)")
    fields: dict[str, object] = {}
    for name in FIELDS:
        value = data.get(name) or ""
        if not isinstance(value, str | int | float):
            raise PersonaError(f"{path}: {name} is a {type(value).__name__}, not text")
        fields[name] = clean_text(str(value), MAX_TEXT_CHARS)
    fields["name"] = clean_name(str(data["name"]))
    if not fields["name"]:
        raise PersonaError(f"{path}: the name is empty once control characters are taken out")
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


def import_personas(world: World, personas: list[Persona], replace: bool = False) -> list[int]:
    """Add the personas to ``world``; returns their person ids.

    A persona named like someone already there updates them only when that person came from a persona
    file too (importing the same folder twice) or ``replace`` is set; otherwise PersonaError says who,
    so a resident is never overwritten silently.
    """
    city = world.city
    by_name = {p.name: p for p in world.people}
    seen: dict[str, Path] = {}
    for persona in personas:
        if persona.name in seen:
            raise PersonaError(f"{persona.source}: {persona.name} is also in {seen[persona.name]}")
        seen[persona.name] = persona.source
        existing = by_name.get(persona.name)
        if existing is not None and not replace and not _from_persona(existing):
            raise PersonaError(f"{persona.source}: {persona.name} already lives in {city.name} "
                               "(use --replace to overwrite them with the persona)")
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


def _from_persona(person: Person) -> bool:
    """Whether this person was made by an earlier persona import (their extra keeps the persona's texts)."""
    return all(key in person.extra for key in ("innate", "learned", "living_area"))


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
    person.sex = sex_from(persona)
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


def sex_from(persona: Persona) -> Sex:
    """How the persona's own words speak of them ("she ... her" or "he ... his"), else what the first name
    suggests, else ``unspecified``."""
    text = " ".join(str(persona.fields[k]) for k in ("learned", "currently", "lifestyle", "daily_plan_req"))
    female, male = (len(PRONOUNS[sex].findall(text)) for sex in (Sex.FEMALE, Sex.MALE))
    if female != male:
        return Sex.FEMALE if female > male else Sex.MALE
    return sex_of_name(persona.name)


def _family_ties(world: World, households: dict[str, list[Persona]], ids: dict[str, int]) -> None:
    for members in households.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                world.relationships.set(ids[a.name], ids[b.name], Tie(0.8, 0.95, 0, -1, True))
