"""Apply an edit: validate, change the world, and say how to undo it.

``apply`` is what the engine thread calls for a user's edit and what the time
machine calls again when it replays or rewinds one; it never records anything
itself (the caller logs ``EditMade``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def _plain(fn: Callable[[EditContext, e.Edit], tuple[str, e.Edit]]) -> Callable[[EditContext, e.Edit], Result]:
    def run(ctx: EditContext, edit: e.Edit) -> Result:
        summary, inverse = fn(ctx, edit)
        return summary, inverse, edit
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


HANDLERS: dict[type, Callable[[EditContext, e.Edit], Result]] = {
    e.PlaceBuilding: _place,
    e.MoveBuilding: _plain(map_edits.move),  # type: ignore[arg-type]
    e.RemoveBuilding: _plain(map_edits.remove),  # type: ignore[arg-type]
    e.RestoreBuilding: _plain(map_edits.restore),  # type: ignore[arg-type]
    e.PaintTerrain: _plain(map_edits.paint),  # type: ignore[arg-type]
    e.PlaceProp: lambda ctx, edit: prop_edits.place(ctx, edit),  # type: ignore[arg-type]
    e.RemoveProp: _plain(prop_edits.remove),  # type: ignore[arg-type]
    e.SpawnPerson: lambda ctx, edit: people_edits.spawn(ctx, edit),  # type: ignore[arg-type]
    e.RemovePerson: _plain(people_edits.remove),  # type: ignore[arg-type]
    e.RestorePerson: _plain(people_edits.restore),  # type: ignore[arg-type]
    e.TeleportPerson: _plain(people_edits.teleport),  # type: ignore[arg-type]
    e.EditPerson: _plain(people_edits.edit),  # type: ignore[arg-type]
    e.AddMemory: _plain(mind_edits.add),  # type: ignore[arg-type]
    e.EditMemory: _plain(mind_edits.change),  # type: ignore[arg-type]
    e.DeleteMemories: _plain(mind_edits.delete),  # type: ignore[arg-type]
    e.RestoreMemories: _plain(mind_edits.bring_back),  # type: ignore[arg-type]
    e.Whisper: _plain(mind_edits.whisper),  # type: ignore[arg-type]
    e.InjectEvent: _plain(mind_edits.inject_event),  # type: ignore[arg-type]
    e.Broadcast: _plain(mind_edits.broadcast),  # type: ignore[arg-type]
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
