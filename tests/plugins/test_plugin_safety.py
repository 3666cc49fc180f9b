"""Plugins in the engine: a broken one is switched off and the town runs on; a world remembers the plugins it
uses and says what is left out without one; hooks nobody implements are never called."""

from __future__ import annotations

import types
from pathlib import Path

from engine import api
from engine.contracts.events import PluginNews, PluginSwitchedOff
from engine.plugins import MetricKind, Registry, hookimpl
from engine.sim.simulation import Simulation


def _plugin(**hooks: object) -> types.SimpleNamespace:
    return types.SimpleNamespace(**hooks)


@hookimpl
def _counting_tick(town, tick):  # type: ignore[no-untyped-def]
    town.state["ticks"] = town.state.get("ticks", 0) + 1
    if tick % 60 == 0:
        town.say(f"another hour: {town.rng.random():.3f}")
    return []


@hookimpl
def _broken_tick(town, tick):  # type: ignore[no-untyped-def]
    if tick >= 5:
        raise RuntimeError("the kettle boiled over")
    return []


@hookimpl
def _counting_metrics():  # type: ignore[no-untyped-def]
    return [MetricKind("counter.ticks", "ticks counted")]


@hookimpl
def _counting_measure(town):  # type: ignore[no-untyped-def]
    return {"counter.ticks": float(town.state.get("ticks", 0))}


def _registry() -> Registry:
    registry = Registry()
    registry.add("counter", _plugin(townsfolk_tick=_counting_tick, townsfolk_metrics=_counting_metrics,
                                    townsfolk_measure=_counting_measure), "1.2")
    registry.add("broken", _plugin(townsfolk_tick=_broken_tick), "0.0.1")
    return registry


def test_a_plugin_that_raises_is_switched_off_with_its_message_and_the_town_runs_on(village: api.World) -> None:
    registry = _registry()
    assert api.use_plugins(village, ["counter", "broken"], registry=registry) == []
    sim = Simulation(village, plugins=registry)
    events = [e for _ in range(120) for e in sim.step()]
    off = [e for e in events if isinstance(e, PluginSwitchedOff)]
    assert len(off) == 1 and off[0].plugin == "broken" and off[0].tick == 5
    assert "plugin 'broken' was switched off: townsfolk_tick raised RuntimeError: the kettle boiled over" in off[0].reason
    assert sim.plugins.active == ["counter"]  # the other plugin runs on
    assert sim.plugins.towns["counter"].state["ticks"] == 120  # ... every tick, the broken one's included
    assert any(isinstance(e, PluginNews) and e.plugin == "counter" for e in events)
    assert sim.tick == 120 and sim.metrics.latest["counter.ticks"] == 120.0  # a plugin's metric is a curve too
    assert sim.metrics.columns[-1] == "counter.ticks" and sim.metrics.sample_array().shape[1] == len(sim.metrics.columns)


def test_a_plugin_whose_declarations_raise_never_runs_and_says_why() -> None:
    @hookimpl
    def townsfolk_metrics():  # type: ignore[no-untyped-def]
        raise KeyError("oops")

    registry = Registry()
    record = registry.add("clumsy", _plugin(townsfolk_metrics=townsfolk_metrics))
    assert record.module is None and "plugin 'clumsy' failed while declaring what it adds" in record.error
    described = registry.describe()[0]
    assert described["ok"] is False and "KeyError" in described["error"]


def test_a_world_saved_with_a_plugin_opens_without_it_and_says_what_is_left_out(village: api.World,
                                                                                tmp_path: Path) -> None:
    registry = _registry()
    api.use_plugins(village, ["counter"], registry=registry)
    sim = Simulation(village, plugins=registry)
    for _ in range(30):
        sim.step()
    sim.freeze()
    path = tmp_path / "with-plugin.town"
    api.save_world(village, path)

    reopened = api.open_world(path)
    empty = Registry()
    warnings = api.plugin_warnings(reopened, registry=empty)
    assert warnings == ["this world uses plugin 'counter' 1.2, but it is not installed: left out: metric: ticks counted"]
    without = Simulation(reopened, plugins=empty)
    assert without.plugins.messages() == warnings and not without.plugins
    for _ in range(30):
        without.step()  # runs on without it
    without.freeze()
    api.save_world(reopened, path)

    again = api.open_world(path)  # with the plugin back, it takes up where it was (its state was kept)
    back = Simulation(again, plugins=registry)
    assert back.plugins.towns["counter"].state["ticks"] == 30
    assert api.world_plugins(again)["counter"]["version"] == "1.2"


def test_run_headless_names_a_missing_plugin_on_one_line(village: api.World) -> None:
    village.meta["plugins"] = '{"ghost": {"version": "9", "adds": ["building: haunted house"]}}'
    heard: list[str] = []
    summary = api.run_headless(village, 5, checkpoint_minutes=0, on_warning=heard.append)
    assert heard == ["this world uses plugin 'ghost' 9, but it is not installed: left out: building: haunted house"]
    assert summary.plugins is not None and summary.plugins["missing"] == {"ghost": heard[0]}


def test_hooks_nobody_implements_are_never_called(village: api.World) -> None:
    sim = Simulation(village)  # a world using no plugin: nothing is even looked for
    assert not sim.plugins and sim._plugin_agenda is None and sim.society.plugin_incident is None
    assert "plugins" not in sim.get_state()  # the state (and its hash) is as it was before plugins
    registry = _registry()
    api.use_plugins(village, ["counter"], registry=registry)
    with_one = Simulation(village, plugins=registry)
    assert with_one._plugin_agenda is None  # counter has no agenda hook: the decision loop asks nothing
    assert with_one.plugins.has("townsfolk_tick") and not with_one.plugins.has("townsfolk_grievances")


def test_asking_for_a_plugin_that_is_not_installed_is_refused_with_the_ones_that_are(village: api.World) -> None:
    problems = api.use_plugins(village, ["nope"], registry=_registry())
    assert problems == ["there is no plugin called 'nope' (installed: broken, counter)"]


def test_a_damaged_plugin_record_in_a_shared_world_is_read_for_what_it_can_be(village: api.World) -> None:
    village.meta["plugins"] = '{"ghost": {"version": 3, "adds": "not a list", "settings": "nor a table"}, "x": 7}'
    assert api.world_plugins(village) == {"ghost": {"version": "3", "adds": []}}
    sim = Simulation(village, plugins=Registry())
    assert sim.plugins.messages() == ["this world uses plugin 'ghost' 3, but it is not installed: left out: what it added"]
    village.meta["plugins"] = "[[[[not json"
    assert api.world_plugins(village) == {} and not Simulation(village, plugins=Registry()).plugins.record
