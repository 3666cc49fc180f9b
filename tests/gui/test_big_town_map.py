"""A big town on the real window: the rates in the status bar, density far out, sprites close up,
count badges on crowded buildings, and a map that draws before anything else is ready.

The town has 2,100 people: past 2,000 the map draws a density heat when zoomed out
(``sprite_sync.level_of_detail``).
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.gui.conftest import wait_until

BIG_TOWN = 2100
SELECTION_YELLOW = np.array([246, 207, 87])


@pytest.fixture(scope="module")
def big_town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine import api

    path = tmp_path_factory.mktemp("big") / "big.town"
    api.save_world(api.new_world(BIG_TOWN, 3, "city"), path)
    return path


def _rgb(view) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The map as drawn now, (h, w, 3) RGB."""
    from app.shell.smoke import image_array

    view.render_now()
    return image_array(view.grab_map())[..., 2::-1].astype(np.int32)  # BGRA -> RGB


def _with_and_without_people(view) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    scene = view.scene
    with_people = _rgb(view)
    scene.show_people = False
    without = _rgb(view)
    scene.show_people = True
    return with_people, without


def test_status_bar_shows_tick_rate_and_frame_rate(controller) -> None:  # type: ignore[no-untyped-def]
    label = controller.window.rate_label
    controller.set_speed(0)
    controller.play()
    pattern = re.compile(r"^(\d+\.\d) ticks/s · (\d+) fps$")

    def running_and_drawing() -> bool:
        found = pattern.match(label.text())
        return bool(found) and float(found.group(1)) > 0 and int(found.group(2)) > 0

    wait_until(running_and_drawing, 20, f"ticks/s and fps in the status bar (it says {label.text()!r})")
    controller.play(False)
    wait_until(lambda: label.text().startswith("paused · "), 10, "the status bar to say paused")
    assert re.match(r"^paused · \d+ fps$", label.text())


def test_zoomed_out_big_town_is_a_density_heat_and_zoomed_in_people(open_controller, big_town) -> None:  # type: ignore[no-untyped-def]
    from app.map import sprite_sync as sync

    controller = open_controller(big_town)
    view = controller.window.map_view
    scene = view.scene
    view.zoom_to_fit()
    assert sync.level_of_detail(scene.camera.zoom, scene.people.count).density
    heat = scene._gpu["heat"]
    heat_draws = heat.times_drawn
    with_people, without = _with_and_without_people(view)
    assert heat.times_drawn > heat_draws, "far out, the density layer is drawn (alone or in the ground's pass)"
    changed = np.any(with_people != without, axis=-1)
    # Dots would change a few pixels each (~0.5% of the map for 2,100 people); the heat covers
    # where they are, cell by cell, in warm colours.
    assert changed.mean() > 0.03, f"only {changed.mean():.2%} of the map shows where people are"
    shift = with_people[changed] - without[changed]  # what the heat adds to the town under it
    assert (shift[:, 0] > shift[:, 2]).mean() > 0.9, "the density heat is warm (yellow to red)"

    drawn = np.flatnonzero(scene.people.alpha > 0)  # at 06:00 all are home: those not in a badge's count
    assert len(drawn), "someone lives alone or in a small household"
    x, y = scene.person_xy(int(drawn[0]))
    scene.camera.look_at(x, y)
    scene.camera.zoom_about(scene.camera.width / 2, scene.camera.height / 2, 3.0 / scene.camera.zoom)
    assert not sync.level_of_detail(scene.camera.zoom, scene.people.count).density
    heat_draws = heat.times_drawn
    with_people, without = _with_and_without_people(view)
    assert heat.times_drawn == heat_draws, "close up, no density layer: the people themselves"
    changed = np.any(with_people != without, axis=-1)
    h, w = changed.shape
    assert changed[h // 2 - 20: h // 2 + 20, w // 2 - 20: w // 2 + 20].any(), "the person's sprite is drawn"


def test_a_crowded_building_shows_a_count_instead_of_a_pile(open_controller, big_town) -> None:  # type: ignore[no-untyped-def]
    from app.map import sprite_sync as sync

    controller = open_controller(big_town)
    view = controller.window.map_view
    scene = view.scene
    buildings, anchors = scene.badge_anchors()
    assert len(buildings), "at 06:00 some homes hold a household"
    building = int(buildings[0])
    inside = np.flatnonzero(scene.people.location == building)
    assert len(inside) >= sync.BADGE_MIN
    assert (scene.people.alpha[inside] == 0).all(), "people counted on the roof are not drawn"
    assert scene.people.badges[building] == len(inside)

    view.select_building(building, center=True)
    scene.selected_building = -1  # no outline: the badge alone
    cam = scene.camera
    cam.zoom_about(cam.width / 2, cam.height / 2, 2.5 / cam.zoom)
    image = _rgb(view)
    sx, sy = cam.world_to_screen(*anchors[0])
    ratio = view.host.devicePixelRatioF()
    x, y = round(sx * ratio), round(sy * ratio)
    around = image[max(0, y - 30): y + 10, max(0, x - 30): x + 30].reshape(-1, 3)
    yellow = np.abs(around - SELECTION_YELLOW).max(axis=1) < 40
    assert yellow.sum() > 20, "a yellow count badge stands on the building"
    assert scene.pick(sx, sy) == ("building", building), "the badge's people are not there to click"
    assert f"{len(inside)} inside" in view.describe(("building", building))


def _assert_biggest_building_shown(view, image) -> None:  # type: ignore[no-untyped-def]
    """Most of the biggest building's footprint on ``image`` is not the ground's colour there (a park is
    green, like the grass: not a park)."""
    from app.map.textures import terrain_sketch
    from app.shell.smoke import image_array
    from engine.contracts import BuildingType

    scene, static = view.scene, view.scene.static
    building = max((b for b in static.buildings if not b.removed and b.type != BuildingType.PARK),
                   key=lambda b: b.width * b.height)
    ground = terrain_sketch(scene.art, static.terrain, static.district_map)[
        building.y + building.height // 2, building.x + building.width // 2, :3].astype(np.int32)
    left, bottom, right, top = scene.building_rects[building.id]
    ratio = view.host.devicePixelRatioF()
    (x0, y0), (x1, y1) = (scene.camera.world_to_screen(left, top), scene.camera.world_to_screen(right, bottom))
    rgb = image_array(image)[..., 2::-1].astype(np.int32)
    inside = rgb[round(y0 * ratio) + 1: round(y1 * ratio) - 1, round(x0 * ratio) + 1: round(x1 * ratio) - 1]
    assert inside.size, "the building is on screen"
    assert (np.abs(inside - ground).max(axis=-1) > 12).mean() > 0.5, "the building shows, not the ground under it"


def test_the_map_draws_the_town_before_its_ground_picture_or_a_tick(app_qt, qtbot, big_town, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The full ground picture is painted on a worker and the engine ticks on its thread; neither is
    waited for: the first frame already shows the town (a pixel-per-tile sketch of the ground)."""
    from app.map import scene as scene_module
    from app.shell.controller import Controller
    from app.shell.smoke import blank_reason

    release = threading.Event()
    paint = scene_module._paint_ground

    def slow_paint(*args):  # type: ignore[no-untyped-def]
        release.wait(30)
        return paint(*args)

    monkeypatch.setattr(scene_module, "_paint_ground", slow_paint)
    # No building sprites either (a new world's first frame far out has none): what shows is the sketch.
    monkeypatch.setattr(scene_module.Scene, "_build_buildings", lambda _scene, _static: None)
    controller = Controller(quiet=True)
    window = controller.window
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    view = window.map_view
    view.scene.show_people = False  # the first frame's ground alone, no density over the homes
    try:
        frames_at_open = view.host.stats.frames
        controller.open_path(big_town)
        wait_until(lambda: loaded or controller.errors, 60, "the world to load")
        assert not controller.errors, controller.errors
        # The first frame came with the snapshot that brought the world, not a timer tick later, and
        # it shows the buildings in the sketch, a pixel per tile.
        assert view.host.stats.frames > frames_at_open
        _assert_biggest_building_shown(view, view.host.grab().toImage())
        view.scene.show_people = True
        frames = view.host.stats.frames
        wait_until(lambda: view.scene.static is not None and view.host.stats.frames > frames, 10, "a frame")
        assert not view.scene.ready, "the ground picture is still being painted"
        assert controller.bridge.latest is not None and controller.bridge.latest.tick == 0
        image = view.grab_map()
        assert blank_reason(image) is None
        rgb = _rgb(view)
        background = np.abs(rgb - np.array(scene_module.BACKGROUND[:3])).max(axis=-1) < 6
        assert background.mean() < 0.5, "the town's ground is drawn, not the empty background"
    finally:
        release.set()
        time.sleep(0.05)
        window.close()
