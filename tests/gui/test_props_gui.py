"""Objects from the Palette: arm a card and click, or drag a card onto the map; remove one; undo."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt

from app.map.ghosts import prop_problem

from .conftest import wait_until
from .test_god_tools import _aim, _mouse, _redo, _undo
from .test_palette_drag import _card_data, _drag_onto


def _free_tile(static, skip: int = 0) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A tile (away from the edge) where an object may stand."""
    rows, cols = static.terrain.shape
    free = [(x, y) for y in range(3, rows - 3) for x in range(3, cols - 3) if not prop_problem(static, x, y)]
    return free[skip]


def _standing(bridge) -> dict[int, tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    return {p.id: (p.kind, p.x, p.y) for p in bridge.latest.static.props if not p.removed}


def _drawn(view) -> int:  # type: ignore[no-untyped-def]
    """Object sprites the map drew in its last frame, once it has the engine's latest map."""
    view.render_now()
    return len(view.scene._gpu["props_day"])


def _click(view, point) -> None:  # type: ignore[no-untyped-def]
    _mouse(view, QEvent.Type.MouseButtonPress, point)
    _mouse(view, QEvent.Type.MouseButtonRelease, point)


def test_arm_the_fountain_card_click_the_map_then_undo_and_redo(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    item = window.palette_dock.find_card("prop", "fountain")
    assert item is not None and not item.icon().isNull()  # the card shows the fountain's art
    window.palette_dock.choose("prop", "fountain")
    assert controller.tools.mode == "prop"
    x, y = _free_tile(bridge.latest.static)
    point = _aim(view, x, y)
    _mouse(view, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton)
    ghost = view.scene.ghosts[0]
    assert ghost[2] == ghost[3] == 16 and ghost[4][1] > ghost[4][0]  # one tile, green
    _click(view, point)
    wait_until(lambda: ("fountain", x, y) in _standing(bridge).values(), 10, "the fountain")
    wait_until(lambda: _drawn(view) == 1, 10, "the map to draw the fountain")
    _mouse(view, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton)
    assert view.scene.ghosts[0][4][0] > view.scene.ghosts[0][4][1]  # red: the tile is taken now

    _undo(controller)
    wait_until(lambda: not _standing(bridge), 10, "Ctrl+Z to take the fountain away")
    wait_until(lambda: _drawn(view) == 0, 10, "the map to stop drawing it")  # removed objects are not drawn
    _redo(controller)
    wait_until(lambda: _standing(bridge) == {0: ("fountain", x, y)}, 10, "Ctrl+Shift+Z, the same object again")


def test_drag_a_tree_card_onto_the_map(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    x, y = _free_tile(bridge.latest.static, skip=5)
    point = _aim(view, x, y)
    assert _drag_onto(view, _card_data(window.palette_dock, "prop", "tree"), [point])
    wait_until(lambda: ("tree", x, y) in _standing(bridge).values(), 10, "the dropped tree")
    assert controller.tools.mode == "select" and not view.scene.ghosts  # a drop arms nothing
    _undo(controller)
    wait_until(lambda: not _standing(bridge), 10, "Ctrl+Z removes the dropped tree")


def test_remove_an_object_from_the_window_and_undo_that(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    view = window.map_view
    x, y = _free_tile(bridge.latest.static, skip=9)
    point = _aim(view, x, y)
    assert _drag_onto(view, _card_data(window.palette_dock, "prop", "bench"), [point])
    wait_until(lambda: _standing(bridge), 10, "the bench")

    window.palette_dock.choose("prop", "remove")
    assert controller.tools.mode == "unprop"
    _click(view, point)
    wait_until(lambda: not _standing(bridge), 10, "the Remove object card to take the bench away")
    assert bridge.latest.static.props[0].removed
    _undo(controller)
    wait_until(lambda: _standing(bridge) == {0: ("bench", x, y)}, 10, "Ctrl+Z to put the bench back")

    # Dragging the Remove object card onto it works too; on bare ground it does nothing.
    empty = _aim(view, *_free_tile(bridge.latest.static, skip=20))
    assert not _drag_onto(view, _card_data(window.palette_dock, "prop", "remove"), [empty])
    bench = _aim(view, x, y)
    assert _drag_onto(view, _card_data(window.palette_dock, "prop", "remove"), [bench])
    wait_until(lambda: not _standing(bridge), 10, "the dropped eraser")


def test_the_building_ghost_knows_about_objects_and_plazas() -> None:
    import dataclasses

    import numpy as np

    from app.map.ghosts import footprint_problem
    from engine.contracts import StaticWorld, Terrain
    from engine.contracts.snapshots import PropInfo

    terrain = np.full((10, 10), Terrain.GRASS, dtype=np.uint8)
    terrain[6, :] = Terrain.PLAZA  # a plaza along the bottom edge of a 3x3 at (2, 3): a door may open onto it
    static = StaticWorld(1, "t", terrain, np.zeros((10, 10), dtype=np.int16), (), (), ())
    assert footprint_problem(static, 2, 3, 3, 3) == ""
    with_tree = dataclasses.replace(static, props=(PropInfo(0, "tree", 3, 4),))
    assert footprint_problem(with_tree, 2, 3, 3, 3) == "a tree stands there"
    assert footprint_problem(with_tree, 2, 3, 3, 3, park=True) == ""  # parks may hold objects
