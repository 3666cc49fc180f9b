"""Worlds from plugins' scenarios: the scenario's world with its plugins switched on and its set-up edits made.

The edits are logged as the engine thread logs god-mode edits, so a replay (or an experiment's rerun) makes
them again. Both the app's door (``engine.api``) and experiments open scenarios through here.
"""

from __future__ import annotations

from typing import Any

from engine.contracts.events import EditMade
from engine.edits import codec as edit_codec
from engine.edits.apply import apply as apply_edit
from engine.plugins import Registry, installed, use
from engine.sim.simulation import Simulation
from engine.state.world import World


def scenarios(registry: Registry | None = None) -> list[dict[str, Any]]:
    """Every installed plugin's scenarios: key, title, description, goals, plugin."""
    registry = registry or installed()
    return [{"key": s.key, "title": s.title, "description": s.description, "goals": list(s.goals), "plugin": name}
            for name, record in registry.records.items() if registry.working(name) is not None
            for s in record.contributions.scenarios]


def new_scenario_world(key: str, seed: int = 0, registry: Registry | None = None) -> World:
    """A new world from an installed plugin's scenario: its world, its plugins switched on, and its edits
    (buildings, seeded facts) made and logged at the start, so replays make them too."""
    registry = registry or installed()
    found = [(name, s) for name, record in registry.records.items() if registry.working(name) is not None
             for s in record.contributions.scenarios if s.key == key]
    if not found:
        known = ", ".join(s["key"] for s in scenarios(registry)) or "none: install a plugin that has some"
        raise ValueError(f"there is no scenario called '{key}' (installed: {known})")
    name, scenario = found[0]
    world = scenario.world(seed)
    problems = use(world.meta, [name, *scenario.plugins], registry)
    if problems:
        raise ValueError(problems[0])
    world.meta["scenario"] = key
    sim = Simulation(world, plugins=registry)
    for step in scenario.setup(world):  # each step: alternatives, the first the town accepts is made
        refusals = []
        for edit in step:
            try:
                (_summary, inverse, applied), extra = apply_edit(sim, edit)
            except ValueError as error:
                refusals.append(str(error))
                continue
            made = EditMade(sim.tick, edit_codec.to_json(applied), edit_codec.to_json(inverse) if inverse else "")
            sim.world.record([made, *extra], [], sim.tick)
            break
        else:
            if step:
                raise ValueError(f"scenario '{key}' could not be set up: {refusals[-1]}")
    sim.freeze()
    return world
