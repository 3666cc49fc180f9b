"""Edits of what people remember: add, change, delete, whisper; events and news.

These change memories only: the memory stream's checkpoint tags take them back
in time, so the time machine replays them rather than undoing them.
"""

from __future__ import annotations

import numpy as np

from engine.contracts import edits as e
from engine.contracts.events import WorldEventHappened
from engine.edits.context import EditContext, EditError
from engine.memory.types import KINDS


def _remember(ctx: EditContext, agent: int, kind: str, text: str, importance: float, pinned: bool = False,
              memory_id: int = -1, tick: int = -1) -> int:
    if not text.strip():
        raise EditError("a memory needs some words")
    if kind not in KINDS:
        raise EditError(f"unknown kind of memory {kind!r}")
    if not 1.0 <= importance <= 10.0:
        raise EditError("importance is between 1 and 10")
    return ctx.minds.plant_memory(agent, ctx.tick if tick < 0 else tick, kind, text.strip(), importance, pinned,
                                 memory_id)


def add(ctx: EditContext, edit: e.AddMemory) -> tuple[str, e.Edit]:
    person = ctx.person(edit.agent)
    memory_id = _remember(ctx, person.id, edit.kind, edit.text, edit.importance, edit.pinned, edit.memory_id, edit.tick)
    return f"{person.name} now remembers it", e.DeleteMemories(memory_ids=(memory_id,))


def change(ctx: EditContext, edit: e.EditMemory) -> tuple[str, e.Edit]:
    found = ctx.memory.get([edit.memory_id])
    if not found:
        raise EditError(f"there is no memory {edit.memory_id}")
    old = found[0]
    if edit.text is not None and not edit.text.strip():
        raise EditError("a memory needs some words")
    if edit.importance is not None and not 1.0 <= edit.importance <= 10.0:
        raise EditError("importance is between 1 and 10")
    ctx.memory.update(old.id, text=edit.text, importance=edit.importance, pinned=edit.pinned)
    inverse = e.EditMemory(
        memory_id=old.id,
        text=old.text if edit.text is not None else None,
        importance=old.importance if edit.importance is not None else None,
        pinned=old.pinned if edit.pinned is not None else None,
    )
    return "memory changed", inverse


def delete(ctx: EditContext, edit: e.DeleteMemories) -> tuple[str, e.Edit]:
    found = ctx.memory.get(list(edit.memory_ids))
    if len(found) != len(set(edit.memory_ids)):
        raise EditError("some of those memories do not exist")
    for m in found:
        ctx.memory.delete(m.id)
    kept = tuple((m.id, m.agent, m.tick, m.kind, m.text, m.importance, m.pinned, tuple(m.evidence)) for m in found)
    return f"forgot {len(found)} memor{'y' if len(found) == 1 else 'ies'}", e.RestoreMemories(memories=kept)


def bring_back(ctx: EditContext, edit: e.RestoreMemories) -> tuple[str, e.Edit]:
    for memory_id, agent, tick, kind, text, importance, pinned, evidence in edit.memories:
        ctx.memory.add(agent, tick, kind, text, importance, evidence=tuple(evidence), pinned=pinned, id=memory_id)
    return f"remembered {len(edit.memories)} again", e.DeleteMemories(memory_ids=tuple(m[0] for m in edit.memories))


def whisper(ctx: EditContext, edit: e.Whisper) -> tuple[str, e.Edit]:
    person = ctx.person(edit.agent)
    memory_id = _remember(ctx, person.id, "whisper", edit.text, 8.0)
    return f"whispered to {person.name}", e.DeleteMemories(memory_ids=(memory_id,))


def inject_event(ctx: EditContext, edit: e.InjectEvent) -> tuple[str, e.Edit]:
    if not edit.text.strip():
        raise EditError("describe what happens")
    if not 0 < edit.radius <= 200:
        raise EditError("the radius is between 0 and 200 tiles")
    sim = ctx.sim
    present = np.array([not p.removed for p in sim.people], dtype=bool)
    distance = np.hypot(sim.pop.xy[:, 0] - (edit.x + 0.5), sim.pop.xy[:, 1] - (edit.y + 0.5))
    witnesses = np.flatnonzero(present & (distance <= edit.radius)).tolist()
    importance = max(1.0, min(10.0, edit.importance))
    minds = sim.cognition is not None  # without minds nobody keeps memories, but the event still happens
    ids = tuple(_remember(ctx, w, "event", edit.text, importance) for w in witnesses) if minds else ()
    ctx.events.append(WorldEventHappened(ctx.tick, edit.text, edit.x, edit.y, edit.radius, tuple(witnesses)))
    ctx.sim.society.shared_event(tuple(witnesses), edit.text.strip(), ctx.tick)  # a shared memory draws them closer
    # A fire burns, a festival draws a crowd, a storm sends people indoors (see engine.society.incidents).
    incident = len(sim.society.incidents.items)  # the id ``begin`` gives it
    ctx.events.extend(sim.society.incidents.begin(edit.text, edit.x, edit.y, edit.radius, tuple(witnesses), ctx.tick))
    undo = e.CallOffEvent(incident=incident, memory_ids=ids, text=edit.text, x=edit.x, y=edit.y, radius=edit.radius,
                          importance=edit.importance)
    return f"{len(witnesses)} people noticed: {edit.text}", undo


def call_off_event(ctx: EditContext, edit: e.CallOffEvent) -> tuple[str, e.Edit]:
    incidents = ctx.sim.society.incidents
    if not 0 <= edit.incident < len(incidents.items):
        raise EditError(f"there is no happening {edit.incident} to take back")
    if ctx.sim.cognition is not None and edit.memory_ids:
        delete(ctx, e.DeleteMemories(memory_ids=edit.memory_ids))
    incidents.call_off(edit.incident, ctx.tick)
    redo = e.InjectEvent(text=edit.text, x=edit.x, y=edit.y, radius=edit.radius, importance=edit.importance)
    return f"it never happened: {edit.text}", redo


def broadcast(ctx: EditContext, edit: e.Broadcast) -> tuple[str, e.Edit]:
    if not edit.text.strip():
        raise EditError("say what the news is")
    sim = ctx.sim
    city = sim.city
    if edit.district >= 0 and edit.district >= len(city.districts):
        raise EditError(f"there is no district {edit.district}")
    hearers = [p.id for p in sim.people if not p.removed
               and (edit.district < 0 or city.district_of_building(city.buildings[p.home]) == edit.district)]
    ids = tuple(_remember(ctx, h, "event", f"I heard that {edit.text.strip()}", 6.0) for h in hearers)
    where = "everyone" if edit.district < 0 else f"everyone in {city.districts[edit.district].name}"
    return f"told {where} ({len(hearers)} people)", e.DeleteMemories(memory_ids=ids)
