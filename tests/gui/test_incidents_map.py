"""The map shows what happens in town: a fire injected at a building draws flames and smoke there."""

from __future__ import annotations

import numpy as np

from app.shell.smoke import image_array
from engine.contracts import BuildingType
from engine.contracts.edits import InjectEvent

from .conftest import run_ticks, wait_until


def test_a_fire_burns_on_the_map_and_the_event_log_tells_it(controller) -> None:  # type: ignore[no-untyped-def]
    bridge, view = controller.bridge, controller.window.map_view
    kettle = next(b for b in bridge.latest.static.buildings if b.type == BuildingType.CAFE and not b.removed)
    cx, cy = kettle.x + kettle.width // 2, kettle.y + kettle.height // 2
    bridge.send(InjectEvent(text=f"A fire breaks out at {kettle.name}", x=cx, y=cy, radius=10))
    run_ticks(controller, 1)
    wait_until(lambda: any(i.kind == "fire" and i.phase == "burning" for i in bridge.latest.incidents), 20,
               "the fire in the snapshot")

    view.scene.camera.zoom = 3.0
    view.scene.camera.look_at(*view.scene.building_xy(kettle.id))
    view.render_now()
    burning = image_array(view.grab_map())
    view.scene.show_incidents = False
    plain = image_array(view.grab_map())
    view.scene.show_incidents = True
    x, y = view.scene.camera.world_to_screen(*view.scene.building_xy(kettle.id))
    ratio = view.host.devicePixelRatioF()
    cx_px, cy_px = round(x * ratio), round(y * ratio)
    patch = (slice(max(0, cy_px - 120), cy_px + 60), slice(max(0, cx_px - 80), cx_px + 80))
    changed = np.abs(burning[patch].astype(int) - plain[patch].astype(int)).sum(axis=2) > 30
    assert changed.sum() > 300  # flames, smoke and the glow over the building
    reddish = burning[patch][changed]
    assert (reddish[:, 2].astype(int) > reddish[:, 0].astype(int) + 40).sum() > 50  # fire colours (BGRA: red is 2)

    log = controller.window.event_log
    controller.window.docks["events"].raise_()  # behind the timeline it lists nothing (it catches up in front)
    wait_until(lambda: any("Flames and smoke" in log.model.data(log.model.index(r, 0)) for r in
                           range(log.model.rowCount())), 20, "the story in the event log")
