"""The plugins of one simulation: which run, calling their hooks safely, their state and numbers.

The world's ``meta["plugins"]`` names the plugins it uses (and their versions); those that are
installed and load run, the rest are *missing*, with a message saying what is left out (their
saved state is kept, so the world has it again once the plugin is back). Each hook's callers
are resolved once, so a hook no plugin implements costs nothing, and the simulation asks
nothing at all when no plugin runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from engine.contracts.events import Event, PluginSwitchedOff
from engine.plugins.kinds import BuildingKind, MetricKind, PluginRecord
from engine.plugins.registry import Registry, installed
from engine.plugins.town import BUILDINGS_META, Host, Town
from engine.society import policies
from engine.society.ledger import building as building_account

META = "plugins"  # world.meta key: {name: {"version": ..., "adds": [...]}}
RUNTIME_HOOKS = ("townsfolk_start", "townsfolk_tick", "townsfolk_agenda", "townsfolk_incident",
                 "townsfolk_measure", "townsfolk_grievances", "townsfolk_summary")


def recorded(meta: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The plugins a world's meta names: {name: {"version", "adds"}} (a damaged record counts as none)."""
    try:
        found = json.loads(meta.get(META, "{}"))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(found, dict):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, entry in found.items():  # a shared file may hold anything here: keep only what has the right shape
        if not isinstance(entry, dict):
            continue
        adds = entry.get("adds")
        clean: dict[str, Any] = {"version": str(entry.get("version", ""))[:50],
                                 "adds": [str(a)[:200] for a in adds[:50]] if isinstance(adds, list) else []}
        if isinstance(entry.get("settings"), dict):
            clean["settings"] = entry["settings"]
        out[str(name)[:100]] = clean
    return out


def use(meta: dict[str, str], names: list[str], registry: Registry | None = None,
        settings: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Switch plugins on in a world (by name), each with its ``settings`` (plain values the plugin reads as
    ``town.settings``); returns the problems (not installed, broken) in words."""
    registry = registry or installed()
    record = recorded(meta)
    problems = []
    for name in names:
        plugin = registry.working(name)
        if plugin is None:
            known = registry.records.get(name)
            problems.append(known.error if known is not None and known.error else
                            f"there is no plugin called '{name}' (installed: {', '.join(registry.records) or 'none'})")
            continue
        entry: dict[str, Any] = {"version": plugin.version, "adds": plugin.contributions.words()}
        wanted = (settings or {}).get(name, record.get(name, {}).get("settings"))
        if wanted:
            entry["settings"] = dict(wanted)
        record[name] = entry
    meta[META] = json.dumps(record, sort_keys=True)
    return problems


def drop(meta: dict[str, str], names: list[str]) -> None:
    """Switch plugins off in a world: it no longer uses them."""
    record = recorded(meta)
    for name in names:
        record.pop(name, None)
    meta[META] = json.dumps(record, sort_keys=True)


class PluginHost:
    def __init__(self, sim: Host, registry: Registry | None = None):
        self.sim = sim
        self.record = recorded(sim.world.meta)
        # A world that uses no plugin never looks for any (no entry-point scan, no imports).
        self.registry = registry or (installed() if self.record else Registry())
        self.towns: dict[str, Town] = {}
        self.missing: dict[str, str] = {}  # name -> what is left out, in words
        self.off: dict[str, str] = {}  # name -> why it was switched off this run
        self.kept: dict[str, Any] = {}  # saved state of missing plugins, carried along untouched
        self.pending: list[Event] = []  # switch-offs to publish with the tick's events
        self.buildings: dict[str, BuildingKind] = {}
        self.prices: dict[int, int] = {}  # building id -> cents a visit costs, for buildings of plugins' kinds
        self.metrics: tuple[MetricKind, ...] = ()
        self._hooks: dict[str, list[tuple[str, Callable[..., Any]]]] = {}
        for name, entry in sorted(self.record.items()):
            plugin = self.registry.working(name)
            if plugin is None:
                self.missing[name] = _left_out(name, entry, self.registry.records.get(name))
                continue
            self.towns[name] = Town(name, sim, dict(entry.get("settings") or {}))
            for policy in plugin.contributions.policies:
                policies.register(policy)
        self._resolve()

    def __bool__(self) -> bool:
        return bool(self.towns)

    @property
    def active(self) -> list[str]:
        return list(self.towns)

    def _resolve(self) -> None:
        """Each hook's callers, once: (plugin name, function) of the plugins running, in name order."""
        self._hooks = {hook: [] for hook in RUNTIME_HOOKS}
        for hook in RUNTIME_HOOKS:
            for impl in getattr(self.registry.manager.hook, hook).get_hookimpls():
                if impl.plugin_name in self.towns:
                    self._hooks[hook].append((impl.plugin_name, impl.function))
            self._hooks[hook].sort(key=lambda pair: pair[0])
        self.buildings = {b.key: b for name in self.towns for b in self._plugin(name).contributions.buildings}
        self.metrics = tuple(m for name in self.towns for m in self._plugin(name).contributions.metrics)
        self._price_list()

    def _price_list(self) -> None:
        placed = json.loads(self.sim.world.meta.get(BUILDINGS_META, "{}")) if self.buildings else {}
        self.prices = {int(b): self.buildings[k].price for b, k in placed.items()
                       if k in self.buildings and self.buildings[k].price > 0}

    def _plugin(self, name: str) -> PluginRecord:
        plugin = self.registry.working(name)
        assert plugin is not None  # only working plugins get a town
        return plugin

    def has(self, hook: str) -> bool:
        return bool(self._hooks.get(hook))

    def call(self, hook: str, *args: Any) -> list[tuple[str, Any]]:
        """(plugin, answer) of each plugin implementing ``hook``; one that raises is switched off."""
        answers = []
        for name, fn in list(self._hooks[hook]):
            town = self.towns.get(name)
            if town is None:
                continue
            try:
                answers.append((name, fn(town, *args)))
            except Exception as error:
                self.switch_off(name, f"{hook} raised {type(error).__name__}: {error}")
        return answers

    def switch_off(self, name: str, why: str) -> None:
        message = f"plugin '{name}' was switched off: {why}; the town runs on without it"
        self.off[name] = message
        self.towns.pop(name, None)
        self.pending.append(PluginSwitchedOff(self.sim.tick, name, message))
        self._resolve()

    # -- the simulation's calls -------------------------------------------------------------------

    def start(self, fresh: list[str]) -> None:
        for name in fresh:
            town = self.towns.get(name)
            if town is not None:
                town.state = {}
                for hook_name, fn in self._hooks["townsfolk_start"]:
                    if hook_name == name:
                        try:
                            fn(town)
                        except Exception as error:
                            self.switch_off(name, f"townsfolk_start raised {type(error).__name__}: {error}")

    def tick(self, tick: int) -> list[Event]:
        events: list[Event] = []
        for _name, answer in self.call("townsfolk_tick", tick) if self.has("townsfolk_tick") else ():
            events.extend(answer or ())
        for town in self.towns.values():
            if town.news:
                events.extend(town.news)
                town.news = []
        if self.pending:
            events.extend(self.pending)
            self.pending = []
        return events

    def agenda(self, person: int, tick: int) -> tuple[int, int, int] | None:
        for _name, answer in self.call("townsfolk_agenda", person, tick):
            if answer is not None:
                activity, building, until = answer
                return int(activity), int(building), int(until)
        return None

    def incident(self, incident: Any, tick: int) -> list[Event]:
        words = {w: name for name in self.towns for e in self._plugin(name).contributions.events for w in e.words}
        if incident.kind == "event":  # the core knew no such happening: a plugin's words may name it
            lowered = incident.text.lower()
            for word, name in sorted(words.items()):
                if word in lowered:
                    incident.kind = next(e.key for e in self._plugin(name).contributions.events if word in e.words)
                    break
        events: list[Event] = []
        for _name, answer in self.call("townsfolk_incident", incident, tick):
            events.extend(answer or ())
        return events

    def measure(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for _name, answer in self.call("townsfolk_measure"):
            values.update({str(k): float(v) for k, v in (answer or {}).items()})
        return {m.key: values.get(m.key, 0.0) for m in self.metrics}

    def grievances(self, district: int) -> list[tuple[str, float, str, int, float]]:
        found: list[tuple[str, float, str, int, float]] = []
        for _name, answer in self.call("townsfolk_grievances", district):
            found.extend(tuple(g) for g in answer or ())
        return found

    def building_kind(self, key: str) -> BuildingKind | None:
        return self.buildings.get(key.strip().lower().replace(" ", "_"))

    def placed(self, building: int, kind: str) -> None:
        """A building of a plugin's kind was placed (by an edit): remember its kind with the world."""
        meta = self.sim.world.meta
        placed = json.loads(meta.get(BUILDINGS_META, "{}"))
        placed[str(building)] = kind
        meta[BUILDINGS_META] = json.dumps(placed, sort_keys=True)
        self._price_list()

    def visit(self, person: int, building: int, tick: int) -> None:
        """``person`` starts what they came for at a building of a plugin's kind that charges: they pay it."""
        who = self.sim.people[person]
        if who.workplace == building or who.home == building:
            return  # staff and residents do not pay to be there
        cents = self.prices[building]
        society = self.sim.society
        if int(society.ledger.money[person]) >= cents:
            society.ledger.post(tick, "goods", person, building_account(building), cents)
            society.economy._count_sale(tick, cents)

    def status(self) -> dict[str, Any]:
        """Which plugins run, are missing or were switched off, and their metrics now (JSON-ready)."""
        return {"active": {n: self._plugin(n).version for n in self.towns}, "missing": dict(self.missing),
                "switched_off": dict(self.off)}

    def summary(self) -> dict[str, Any]:
        out = self.status()
        out["metrics"] = self.measure() if self.metrics else {}
        for name, answer in self.call("townsfolk_summary"):
            out[name] = answer
        return out

    def messages(self) -> list[str]:
        return [*self.missing.values(), *self.off.values()]

    # -- state ---------------------------------------------------------------------------------

    def get_state(self) -> dict[str, Any]:
        return {"towns": {name: town.state for name, town in self.towns.items()}, "kept": dict(self.kept),
                "off": dict(self.off)}

    def set_state(self, state: dict[str, Any] | None) -> list[str]:
        """Back to a saved moment; returns the plugins that state did not hold (they start afresh)."""
        state = state or {}
        saved = dict(state.get("kept") or {})
        saved.update(state.get("towns") or {})
        fresh = []
        for name in list(self.towns):
            if name in saved:
                self.towns[name].state = saved.pop(name)
                self.towns[name].news = []
            else:
                fresh.append(name)
        self.kept = {name: value for name, value in saved.items() if name in self.missing}
        return fresh


def _left_out(name: str, entry: dict[str, Any], known: PluginRecord | None) -> str:
    why = known.error if known is not None and known.error else "it is not installed"
    adds = ", ".join(entry.get("adds") or ()) or "what it added"
    return (f"this world uses plugin '{name}' {entry.get('version', '')}".rstrip()
            + f", but {why}: left out: {adds}")
