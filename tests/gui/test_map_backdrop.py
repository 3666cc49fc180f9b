"""The ground, buildings and objects are drawn once and copied into the frames after
(``app.map.backdrop``) while the camera and the light stay as they were: the frames are the same
as frames drawn in full, and moving the camera draws them anew."""

from __future__ import annotations

import numpy as np
import pytest


def _frame(view) -> np.ndarray:  # type: ignore[no-untyped-def]
    from app.shell.smoke import image_array

    view.render_now()
    return image_array(view.grab_map())


@pytest.mark.parametrize("zoom", [2.0, 0.3])  # close up, and far out (the town's quarter-size picture)
def test_still_layers_are_drawn_once_and_copied_until_the_camera_moves(open_controller, worlds, zoom: float) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(worlds["town"])
    view = controller.window.map_view
    scene = view.scene
    controller.play(False)
    scene.show_people = False  # nobody moving or talking: two frames of the same moment are the same
    cam = scene.camera
    cam.zoom_about(cam.width / 2, cam.height / 2, zoom / cam.zoom)
    for _ in range(30):  # building names are drawn a few a frame
        _frame(view)
        if not scene._labels_waiting:
            break
    backdrop = scene._backdrop
    assert backdrop is not None
    drawn = backdrop.redrawn
    kept = _frame(view)
    assert backdrop.redrawn == drawn, "nothing changed: the backdrop is copied, not drawn again"
    scene._backdrop = None
    full = _frame(view)
    scene._backdrop = backdrop
    assert np.array_equal(kept, full), "the copied backdrop is what drawing it all again gives"
    assert len(np.unique(kept.reshape(-1, 4), axis=0)) > 50, "the town is drawn, not a flat colour"
    view.pan_by(40, 0)
    moved = _frame(view)
    assert backdrop.redrawn > drawn, "the camera moved: the backdrop is drawn anew"
    assert not np.array_equal(moved, kept)
