"""The plugin manager (Simulation > Plugins…) on the real window, with the example plugins installed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from engine import api
from tests.gui.conftest import run_ticks, wait_until


def _rows(dialog) -> dict[str, tuple[bool, str, str]]:  # type: ignore[no-untyped-def]
    out = {}
    for i in range(dialog.table.topLevelItemCount()):
        item = dialog.table.topLevelItem(i)
        name = item.data(1, Qt.ItemDataRole.UserRole)
        out[name] = (item.checkState(0) == Qt.CheckState.Checked, item.text(2), item.text(3))
    return out


def test_the_manager_lists_plugins_and_switches_them_for_the_world(open_controller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "market.town"
    world = api.new_world(25, 3, "village")
    assert api.use_plugins(world, ["market_day"], settings={"market_day": {"weekday": 0}}) == []
    api.save_world(world, path)
    controller = open_controller(path)
    assert controller.window.window_actions.plugins.text() == "&Plugins…"
    dialog = controller.plugins.open()
    wait_until(lambda: "market_day" in _rows(dialog), 20, "the plugin report")
    rows = _rows(dialog)
    assert rows["market_day"][:2] == (True, "running")
    assert "metric: market prices (100 = the first market)" in rows["market_day"][2]
    assert rows["fire_brigade"][:2] == (False, "off") and "building: fire station" in rows["fire_brigade"][2]

    run_ticks(controller, 150)  # past 08:00 on Monday: the market opens, and its curve is offered on the timeline
    assert "market_day.price_index" in controller.bridge.latest.metric_columns
    timeline = controller.window.timeline
    wait_until(lambda: timeline.right_curve.findData("market_day.price_index") >= 0, 10, "the market's curve")
    assert timeline.right_curve.itemText(timeline.right_curve.findData("market_day.price_index")) == \
        "Market day: price index"
    wait_until(lambda: any(type(e).__name__ == "PluginNews" and e.text.startswith("Market day at")
                           for e in controller.events.events), 10, "the market in the event log")

    dialog.set_used("fire_brigade", True)
    dialog.apply()
    wait_until(lambda: _rows(dialog)["fire_brigade"][:2] == (True, "on from the next opening"), 20, "the choice")
    assert controller.unsaved.dirty  # a choice to save with the world


def test_a_scenario_opens_from_the_welcome_view(app_qt, qtbot, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.shell.controller import Controller

    home = tmp_path / "home"  # a first start: no last world, no recovery copy
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        (home / sub).mkdir(parents=True)
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("HOME", str(home))

    controller = Controller(quiet=True)
    qtbot.addWidget(controller.window)
    controller.window.resize(1280, 800)
    controller.window.show()
    qtbot.waitExposed(controller.window)
    controller.open_initial(None)
    welcome = controller.welcome
    assert welcome is not None and set(welcome.scenarios) >= {"fire_brigade", "market_town"}
    assert "fire station" in welcome.scenarios["fire_brigade"].toolTip()
    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    welcome.scenarios["fire_brigade"].click()
    wait_until(lambda: loaded or controller.errors, 60, "the scenario to load")
    assert not controller.errors, controller.errors
    wait_until(lambda: controller.bridge.latest is not None, 20, "the first snapshot")
    static = controller.bridge.latest.static
    assert controller.world_name == "Emberton"
    assert any(b.name == "Emberton Fire Station" for b in static.buildings)
    view = controller.window.map_view
    wait_until(lambda: view.scene.ready or view.gl_error, 30, "the map to be built")
    controller.window.close()


def test_a_world_whose_plugin_is_missing_says_so_and_runs(open_controller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "haunted.town"
    world = api.new_world(25, 3, "village")
    world.meta["plugins"] = '{"ghost_tours": {"version": "1.0", "adds": ["building: haunted house"]}}'
    api.save_world(world, path)
    controller = open_controller(path)
    said = "this world uses plugin 'ghost_tours' 1.0, but it is not installed: left out: building: haunted house"
    assert said in controller.notices
    dialog = controller.plugins.open()
    wait_until(lambda: "ghost_tours" in _rows(dialog), 20, "the plugin report")
    used, state, adds = _rows(dialog)["ghost_tours"]
    assert used and state == said and adds == "building: haunted house"
    assert run_ticks(controller, 30) >= 30  # the town runs on without it
