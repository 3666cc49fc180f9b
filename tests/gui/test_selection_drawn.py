"""What the selection draws over the map (``app.map.rects``): the chosen building's outline in the
selection's yellow, centred on its edge, and a group's boxes filled translucent over what is under them."""

from __future__ import annotations

import numpy as np

YELLOW = np.array([246, 207, 87])


def _pixels(view):  # type: ignore[no-untyped-def]
    from app.shell.smoke import image_array

    view.render_now()
    rgb = image_array(view.grab_map())[..., 2::-1].astype(np.int32)  # BGRA -> RGB
    return rgb


def _screen_box(view, index):  # type: ignore[no-untyped-def]
    camera, rects = view.scene.camera, view.scene.building_rects
    left, bottom, right, top = (float(v) for v in rects[index])
    (x0, y0), (x1, y1) = camera.world_to_screen(left, top), camera.world_to_screen(right, bottom)
    return round(x0), round(y0), round(x1), round(y1)


def test_a_selected_building_is_outlined_in_yellow_and_a_group_is_filled_translucent(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(worlds["village"])
    controller.play(False)
    view = controller.window.map_view
    sizes = view.scene.building_rects[:, 2:] - view.scene.building_rects[:, :2]
    index = int(np.argmax(sizes[:, 0] * sizes[:, 1]))  # the biggest building: its edges are long
    before = _pixels(view)
    view.select_building(index, center=True)
    after = _pixels(view)
    x0, y0, x1, y1 = _screen_box(view, index)
    assert 0 <= x0 < x1 < after.shape[1] and 0 <= y0 < y1 < after.shape[0]
    edges = np.concatenate([after[y0, x0 + 3:x1 - 3], after[y1 - 1, x0 + 3:x1 - 3],
                            after[y0 + 3:y1 - 3, x0], after[y0 + 3:y1 - 3, x1 - 1]])
    yellow = np.abs(edges - YELLOW).max(axis=1) < 12
    assert yellow.mean() > 0.9, f"{yellow.mean():.0%} of the outline is the selection's yellow"

    view.scene.group = [("building", index)]  # as a rubber band leaves it
    grouped = _pixels(view)
    inside = (slice(y0 + 6, y1 - 6), slice(x0 + 6, x1 - 6))
    plain, tinted = after[inside].reshape(-1, 3), grouped[inside].reshape(-1, 3)
    moved = np.abs(tinted - plain).max(axis=1)
    assert (moved > 0).mean() > 0.9, "the group's box covers the building"
    # Translucent: towards the yellow, not painted over with it.
    assert (np.abs(tinted - YELLOW).max(axis=1) < 12).mean() < 0.1
    toward = np.abs(tinted - YELLOW).sum(axis=1) < np.abs(plain - YELLOW).sum(axis=1)
    assert toward.mean() > 0.9
    assert np.abs(before - after).max() > 0  # and the outline was not there before
