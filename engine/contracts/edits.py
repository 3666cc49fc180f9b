"""God-mode edits: commands that change the world, each answered with its inverse.

The engine validates an edit, applies it at a tick boundary, logs it (so replays
apply it again at the same moment) and answers ``EditApplied`` with the edit that
undoes it; the GUI's undo stack simply sends that. A refused edit is answered by
``CommandRejected`` with the reason in plain words.

Fields are plain data (ints, strings, tuples) so edits serialise to JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.contracts.commands import Command


@dataclass(frozen=True, slots=True)
class Edit(Command):
    pass


# -- the map ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceBuilding(Edit):
    """A new building; its entrance goes on the nearest road tile along its edge."""

    type: str = "home"  # a BuildingType name, lower case (home, cafe, town_hall, ...)
    x: int = 0
    y: int = 0
    width: int = 3
    height: int = 3
    name: str = ""
    capacity: int = 0  # 0: the usual for its type
    building_id: int = -1  # filled in by the engine when logged, so a replay rebuilds the same id


@dataclass(frozen=True, slots=True)
class MoveBuilding(Edit):
    """Move and/or resize; occupants and the paths to it follow."""

    building: int = -1
    x: int = 0
    y: int = 0
    width: int = 0  # 0: keep
    height: int = 0


@dataclass(frozen=True, slots=True)
class RemoveBuilding(Edit):
    """Demolish. Residents move to another home with room; workers lose the job."""

    building: int = -1


@dataclass(frozen=True, slots=True)
class RestoreBuilding(Edit):
    """Undo a demolition: the building stands again and people move back."""

    building: int = -1
    homes: tuple[tuple[int, int], ...] = ()  # (person, home) to give back
    jobs: tuple[tuple[int, int], ...] = ()  # (person, workplace) to give back


@dataclass(frozen=True, slots=True)
class PaintTerrain(Edit):
    """Set tiles: (x, y, terrain) each, terrain a Terrain value."""

    cells: tuple[tuple[int, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class PlaceProp(Edit):
    """An object on one tile: kind is tree, bench, lamp, fountain or flowers."""

    kind: str = "tree"
    x: int = 0
    y: int = 0
    prop_id: int = -1  # filled in by the engine when logged, so a replay (or redo) brings back the same id


@dataclass(frozen=True, slots=True)
class RemoveProp(Edit):
    prop: int = -1


# -- people ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpawnPerson(Edit):
    name: str = ""
    age: int = 30
    occupation: str = "newcomer"
    bio: str = ""
    traits: tuple[float, float, float, float, float] = (0.5, 0.5, 0.5, 0.5, 0.5)
    home: int = -1  # -1: a home with room near (x, y)
    workplace: int = -1
    x: int = -1  # where they turn up; -1: at home
    y: int = -1
    money: int = 50_000  # cents
    person_id: int = -1  # filled in by the engine when logged, so a replay brings back the same id
    sex: str = ""  # a ``Sex`` word; "": the one their first name suggests (the logged edit says which)


@dataclass(frozen=True, slots=True)
class RemovePerson(Edit):
    agent: int = -1


@dataclass(frozen=True, slots=True)
class RestorePerson(Edit):
    agent: int = -1


@dataclass(frozen=True, slots=True)
class TeleportPerson(Edit):
    """Put someone at tile (x, y): inside the building there, or outdoors. They notice."""

    agent: int = -1
    x: int = 0
    y: int = 0


@dataclass(frozen=True, slots=True)
class EditPerson(Edit):
    """Change any of these (None: leave as it is)."""

    agent: int = -1
    name: str | None = None
    age: int | None = None
    occupation: str | None = None
    bio: str | None = None
    traits: tuple[float, float, float, float, float] | None = None
    home: int | None = None
    workplace: int | None = None
    money: int | None = None  # cents
    goals: str | None = None
    sex: str | None = None  # a ``Sex`` word


# -- minds -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddMemory(Edit):
    agent: int = -1
    text: str = ""
    kind: str = "observation"
    importance: float = 5.0
    pinned: bool = False  # a core memory: recency never fades it
    memory_id: int = -1  # -1: a new id (undo passes the old one back)
    tick: int = -1  # -1: now


@dataclass(frozen=True, slots=True)
class EditMemory(Edit):
    memory_id: int = -1
    text: str | None = None  # re-embedded when it changes
    importance: float | None = None
    pinned: bool | None = None


@dataclass(frozen=True, slots=True)
class DeleteMemories(Edit):
    memory_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Whisper(Edit):
    """An inner thought, as if their own: a vivid memory."""

    agent: int = -1
    text: str = ""


@dataclass(frozen=True, slots=True)
class InjectEvent(Edit):
    """Something happens at tile (x, y); everyone within ``radius`` tiles notices."""

    text: str = ""
    x: int = 0
    y: int = 0
    radius: float = 8.0
    importance: float = 8.0


@dataclass(frozen=True, slots=True)
class CallOffEvent(Edit):
    """The undo of InjectEvent: happening ``incident`` is taken back with its consequences (a fire stops
    burning and the building opens, nobody talks of it) and the witnesses forget it. The other fields
    are the injection's, so that it can be redone."""

    incident: int = -1
    memory_ids: tuple[int, ...] = ()
    text: str = ""
    x: int = 0
    y: int = 0
    radius: float = 8.0
    importance: float = 8.0


@dataclass(frozen=True, slots=True)
class Broadcast(Edit):
    """Tell everyone (or everyone in one district) something: "the mayor resigned"."""

    text: str = ""
    district: int = -1  # -1: the whole town


@dataclass(frozen=True, slots=True)
class RestoreMemories(Edit):
    """Undo a deletion: (id, agent, tick, kind, text, importance, pinned, evidence) each."""

    memories: tuple[tuple[int, int, int, str, str, float, bool, tuple[int, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Chat(Edit):
    """Talk to someone; they answer in character (``ChatReply``) and remember the talk."""

    agent: int = -1
    text: str = ""
    history: tuple[tuple[str, str], ...] = ()  # earlier (speaker, words) of this talk


# -- society ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeedFact(Edit):
    """Plant something for people to pass on ("I'm throwing a party at the cafe tomorrow at 5pm").

    ``agent`` knows it first and tells it as their own news. A time and a place in the
    words make it an event that people who hear of it may go to."""

    agent: int = -1
    text: str = ""
    fact_id: int = -1  # filled in by the engine when logged, so a replay makes the same fact


@dataclass(frozen=True, slots=True)
class ForgetFact(Edit):
    """Undo a seeded fact: nobody has heard it any more."""

    fact_id: int = -1


@dataclass(frozen=True, slots=True)
class Propose(Edit):
    """The player tables a proposal for a district council (see ``engine.contracts.society.POLICIES``)."""

    district: int = 0
    policy: str = "tax_rate"
    value: float = 0.0
    reason: str = ""
    proposal_id: int = -1  # filled in by the engine when logged


@dataclass(frozen=True, slots=True)
class WithdrawProposal(Edit):
    proposal_id: int = -1


@dataclass(frozen=True, slots=True)
class SetPolicy(Edit):
    """By decree: a policy changes at once, without a vote."""

    district: int = 0
    policy: str = "tax_rate"
    value: float = 0.0


@dataclass(frozen=True, slots=True)
class SetThoughtEconomy(Edit):
    """Switch the thought economy: every LLM call costs its thinker ``price`` cents per 1,000 tokens."""

    enabled: bool = True
    price: int = 50


EDIT_TYPES: tuple[type[Edit], ...] = (
    PlaceBuilding, MoveBuilding, RemoveBuilding, RestoreBuilding, PaintTerrain, PlaceProp, RemoveProp, SpawnPerson,
    RemovePerson, RestorePerson, TeleportPerson, EditPerson, AddMemory, EditMemory, DeleteMemories, RestoreMemories,
    Whisper, InjectEvent, CallOffEvent, Broadcast, SeedFact, ForgetFact, Propose, WithdrawProposal, SetPolicy, SetThoughtEconomy,
)
