"""Apply an edit: validate, change the world, and say how to undo it.

``apply`` is what the engine thread calls for a user's edit and what the time
machine calls again when it replays or rewinds one; it never records anything
itself (the caller logs ``EditMade``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from engine.contracts import edits as e
from engine.contracts.events import Event
from engine.edits import map_edits, mind_edits, people_edits, prop_edits, society_edits
from engine.edits.context import EditContext, EditError
from engine.sim.simulation import Simulation

Result = tuple[str, e.Edit | None, e.Edit]  # summary, inverse (None: cannot be undone), the edit as applied

# Edits of the map and the cast: rewound by applying their inverses when travelling in time.
# (Teleports and memory edits change only what checkpoints and memory tags already restore.)
WORLD_EDITS = (e.PlaceBuilding, e.MoveBuilding, e.RemoveBuilding, e.RestoreBuilding, e.PaintTerrain, e.PlaceProp,
               e.RemoveProp, e.SpawnPerson, e.RemovePerson, e.RestorePerson, e.EditPerson)


Handler = Callable[[EditContext, e.Edit], Result]
Kind = TypeVar("Kind", bound=e.Edit)


def _plain(kind: type[Kind], fn: Callable[[EditContext, Kind], tuple[str, e.Edit]]) -> Handler:
    """A handler for edits of ``kind`` whose function returns (summary, inverse)."""
    def run(ctx: EditContext, edit: e.Edit) -> Result:
        assert isinstance(edit, kind)  # handlers are looked up by the edit's type
        summary, inverse = fn(ctx, edit)
        return summary, inverse, edit
    return run


def _full(kind: type[Kind], fn: Callable[[EditContext, Kind], Result]) -> Handler:
    """A handler for edits of ``kind`` whose function also returns the edit as applied."""
    def run(ctx: EditContext, edit: e.Edit) -> Result:
        assert isinstance(edit, kind)  # handlers are looked up by the edit's type
        return fn(ctx, edit)
    return run


def _place(ctx: EditContext, edit: e.Edit) -> Result:
    assert isinstance(edit, e.PlaceBuilding)
    summary, inverse = map_edits.place(ctx, edit)
    assert isinstance(inverse, e.RemoveBuilding)
    return summary, inverse, e.PlaceBuilding(**{**_fields(edit), "building_id": inverse.building})


def _fields(edit: e.Edit) -> dict[str, Any]:  # values of every type: Any, so they pass back into a constructor
    return {name: getattr(edit, name) for name in edit.__dataclass_fields__ if name != "id"}


def _chat(ctx: EditContext, edit: e.Edit) -> Result:
    assert isinstance(edit, e.Chat)
    person = ctx.person(edit.agent)
    if not edit.text.strip():
        raise EditError("say something")
    if ctx.sim.cognition is None:
        raise EditError("this world runs without minds (memories are off)")
    ctx.sim.cognition.chat(person.id, edit.text.strip(), edit.history, edit.id, ctx.tick)
    ctx.events.extend(ctx.sim.cognition.drain_events())
    return f"talking with {person.name}", None, edit


HANDLERS: dict[type, Handler] = {
    e.PlaceBuilding: _place,
    e.MoveBuilding: _plain(e.MoveBuilding, map_edits.move),
    e.RemoveBuilding: _plain(e.RemoveBuilding, map_edits.remove),
    e.RestoreBuilding: _plain(e.RestoreBuilding, map_edits.restore),
    e.PaintTerrain: _plain(e.PaintTerrain, map_edits.paint),
    e.PlaceProp: _full(e.PlaceProp, prop_edits.place),
    e.RemoveProp: _plain(e.RemoveProp, prop_edits.remove),
    e.SpawnPerson: _full(e.SpawnPerson, people_edits.spawn),
    e.RemovePerson: _plain(e.RemovePerson, people_edits.remove),
    e.RestorePerson: _plain(e.RestorePerson, people_edits.restore),
    e.TeleportPerson: _plain(e.TeleportPerson, people_edits.teleport),
    e.EditPerson: _plain(e.EditPerson, people_edits.edit),
    e.AddMemory: _plain(e.AddMemory, mind_edits.add),
    e.EditMemory: _plain(e.EditMemory, mind_edits.change),
    e.DeleteMemories: _plain(e.DeleteMemories, mind_edits.delete),
    e.RestoreMemories: _plain(e.RestoreMemories, mind_edits.bring_back),
    e.Whisper: _plain(e.Whisper, mind_edits.whisper),
    e.InjectEvent: _plain(e.InjectEvent, mind_edits.inject_event),
    e.CallOffEvent: _plain(e.CallOffEvent, mind_edits.call_off_event),
    e.Broadcast: _plain(e.Broadcast, mind_edits.broadcast),
    e.Chat: _chat,
    e.Propose: society_edits.propose,
    e.WithdrawProposal: society_edits.withdraw,
    e.SetPolicy: society_edits.set_policy,
    e.SeedFact: society_edits.seed_fact,
    e.ForgetFact: society_edits.forget_fact,
    e.SetThoughtEconomy: society_edits.thought_economy,
}


def apply(sim: Simulation, edit: e.Edit) -> tuple[Result, list[Event]]:
    """Raises EditError (a ValueError) with the reason when the edit is refused; nothing changed then."""
    handler = HANDLERS.get(type(edit))
    if handler is None:
        raise EditError(f"unknown edit {type(edit).__name__}")
    ctx = EditContext(sim)
    result = handler(ctx, edit)
    return result, ctx.events
