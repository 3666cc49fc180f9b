"""Edits of the map's objects: place one on a tile, remove it (kept as a tombstone so its id stays)."""

from __future__ import annotations

from engine.contracts import edits as e
from engine.edits.context import EditContext, EditError
from engine.state.city import Prop
from engine.world.props import prop_problem


def place(ctx: EditContext, edit: e.PlaceProp) -> tuple[str, e.Edit, e.Edit]:
    """Returns the summary, the inverse and the edit as applied (with the id it got)."""
    city = ctx.sim.city
    kind = edit.kind.strip().lower()
    problem = prop_problem(city, kind, edit.x, edit.y)
    if problem:
        raise EditError(problem)
    # A replay (or a redo) of a logged placement brings back the same id: the tombstone its undo left.
    revive = 0 <= edit.prop_id < len(city.props) and city.props[edit.prop_id].removed
    prop_id = edit.prop_id if revive else len(city.props)
    prop = Prop(prop_id, kind, edit.x, edit.y)
    if revive:
        city.props[prop_id] = prop
    else:
        city.props.append(prop)
    ctx.changed_map()
    applied = e.PlaceProp(kind=kind, x=edit.x, y=edit.y, prop_id=prop_id)
    return f"placed a {kind} at ({edit.x}, {edit.y})", e.RemoveProp(prop=prop_id), applied


def remove(ctx: EditContext, edit: e.RemoveProp) -> tuple[str, e.Edit]:
    props = ctx.sim.city.props
    if not 0 <= edit.prop < len(props) or props[edit.prop].removed:
        raise EditError(f"there is no object {edit.prop}")
    prop = props[edit.prop]
    prop.removed = True
    ctx.changed_map()
    return (f"removed the {prop.kind} at ({prop.x}, {prop.y})",
            e.PlaceProp(kind=prop.kind, x=prop.x, y=prop.y, prop_id=prop.id))
