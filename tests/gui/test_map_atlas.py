"""The map's texture atlas (``app.map.atlas``): labels are added where the map draws, while the textures
they replace die wherever their last reference goes, often on another thread, in the collector."""

from __future__ import annotations

import gc
import sys
import threading
import time
import weakref
from typing import Any

from tests.gui.conftest import here_on_the_offscreen_map

STRESS_S = 3.0


def _offscreen_map(open_controller, worlds) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    """The offscreen map's host on a paused village, and the headless window its context is in."""
    controller = open_controller(worlds["village"])
    controller.play(False)
    host = controller.window.map_view.host
    return host, type(host)._window


def test_every_sprite_list_of_the_map_uses_the_shared_atlas(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    from app.map import atlas as shared

    controller = open_controller(worlds["town"])
    controller.play(False)
    view = controller.window.map_view
    view.render_now()
    atlas = view.host.ctx.default_atlas
    assert isinstance(atlas, shared.SharedAtlas)
    lists = [layer.sprites.list if hasattr(layer, "sprites") else getattr(layer, "list", None)
             for layer in view.scene._gpu.values()]
    lists = [sprite_list for sprite_list in lists if sprite_list is not None]
    assert lists and all(sprite_list.atlas is atlas for sprite_list in lists)


def test_textures_dropped_on_another_thread_while_the_atlas_fills_and_rebuilds(open_controller, worlds, request) -> None:  # type: ignore[no-untyped-def]
    """Labels keep coming on the render thread into a small atlas, which fills and is rebuilt again and
    again, while the GUI thread lets go of the old ones and the collector frees them there."""
    if not here_on_the_offscreen_map(request):
        return
    from PIL import Image

    from app.common.gil import short_gil_turns
    from app.map import atlas as shared
    from app.map.layers import make_texture
    from app.map.render_thread import FRAME_SWITCH_INTERVAL_S, render_thread

    host, window = _offscreen_map(open_controller, worlds)

    class CountingAtlas(shared.SharedAtlas):
        rebuilds = 0

        def rebuild(self) -> None:
            type(self).rebuilds += 1
            super().rebuild()

    made: list[list[Any]] = []
    lock = threading.Lock()
    stop = time.monotonic() + STRESS_S
    unraisable: list[str] = []
    box: dict[str, Any] = {}

    def add_labels() -> int:
        window.switch_to()
        atlas = box["atlas"] = CountingAtlas((128, 128), ctx=host.ctx)
        added = 0
        while time.monotonic() < stop:
            if len(made) > 400:  # as on the map, a few hundred labels at most wait to be let go
                time.sleep(0.001)
                continue
            added += 1
            image = Image.new("RGBA", (8 + added % 31, 8 + added % 23), (added % 251, added % 241, 90, 255))
            texture = make_texture(image, f"label-{added % 300}-{image.size}")  # names come back, as labels do
            atlas.add(texture)
            held = [texture]
            held.append(held)  # a cycle: only the collector frees it, on the GUI thread below
            with lock:
                made.append(held)
        return added

    before = sys.unraisablehook
    sys.unraisablehook = lambda raised: unraisable.append(repr(raised.exc_value))
    gc.freeze()  # the window's objects are left out of the collections below, which stay quick
    try:
        with short_gil_turns(FRAME_SWITCH_INTERVAL_S):  # as while the map draws: the threads take turns often
            adding = render_thread().submit(add_labels)
            while not adding.done():
                with lock:
                    del made[: max(0, len(made) - 40)]  # the labels on screen stay
                gc.collect()
            added = adding.result()
            with lock:
                made.clear()
            gc.collect()
    finally:
        gc.unfreeze()
        sys.unraisablehook = before

    atlas = box["atlas"]
    assert added > 100 and CountingAtlas.rebuilds >= 3, (added, CountingAtlas.rebuilds)
    assert unraisable == [], unraisable[:3]
    # Every texture gone, and every count and uv slot with it: nothing owed, nothing leaked.
    assert atlas.textures == []
    assert atlas._unique_texture_ref_count.count_all_refs() == 0 and len(atlas._image_ref_count) == 0
    assert atlas.owed == 0
    assert atlas._texture_uvs._slots == {} and atlas._image_uvs._slots == {}


def test_a_rebuild_lets_a_texture_it_left_out_go_without_touching_a_live_ones_count(open_controller, worlds, request) -> None:  # type: ignore[no-untyped-def]
    """The collector has cleared a dead texture from the atlas but not yet run its finalizer when the
    atlas is rebuilt; a live texture shares its name. The late finalizer must leave the live one's
    count alone."""
    if not here_on_the_offscreen_map(request):
        return
    from PIL import Image

    from app.map import atlas as shared
    from app.map.layers import make_texture
    from app.map.render_thread import render_thread

    host, window = _offscreen_map(open_controller, worlds)
    image = Image.new("RGBA", (12, 12), (200, 10, 10, 255))

    def scene() -> tuple[Any, Any]:
        window.switch_to()
        atlas = shared.SharedAtlas((64, 64), ctx=host.ctx)
        dead, alive = make_texture(image, "twin"), make_texture(image, "twin")
        atlas.add(dead)
        atlas.add(alive)
        assert atlas._unique_texture_ref_count.count_all_refs() == 2
        # As the collector on another thread leaves it: gone from the atlas's weak set, its finalizer
        # (taken here, to run by hand) still to come.
        late = next(f for f in weakref.finalize._registry if f.peek() and f.peek()[0] is dead)  # type: ignore[attr-defined]
        _, callback, args, _ = late.detach()
        atlas._textures.discard(dead)
        atlas.rebuild()
        assert atlas.owed == 1
        callback(*args)
        return atlas, alive

    atlas, alive = render_thread().call(scene)
    assert atlas.owed == 0
    assert atlas._unique_texture_ref_count.count_all_refs() == 1, "the live texture is still counted"
    assert atlas.has_unique_texture(alive)


def test_a_texture_added_under_a_dying_ones_name_is_placed_again_when_the_atlas_grows(open_controller, worlds, request) -> None:  # type: ignore[no-untyped-def]
    """A label made again while the texture it replaced is dying on another thread shares its name;
    when the atlas then grows, the new one must be placed where its image went, not where it was."""
    if not here_on_the_offscreen_map(request):
        return
    from PIL import Image

    from app.map import atlas as shared
    from app.map.layers import make_texture
    from app.map.render_thread import render_thread

    host, window = _offscreen_map(open_controller, worlds)
    image = Image.new("RGBA", (12, 12), (10, 200, 10, 255))

    def scene() -> tuple[Any, tuple[Any, Any], Any]:
        window.switch_to()
        atlas = shared.SharedAtlas((64, 64), ctx=host.ctx)
        dying = make_texture(image, "again")
        atlas.add(dying)
        late = next(f for f in weakref.finalize._registry if f.peek() and f.peek()[0] is dying)  # type: ignore[attr-defined]
        _, callback, args, _ = late.detach()
        atlas._textures.discard(dying)  # the collector clears every weak reference to it at once
        atlas._unique_textures[dying.atlas_name].discard(dying)
        again = make_texture(image, "again")
        atlas.add(again)
        big = make_texture(Image.new("RGBA", (60, 60)), "big")
        atlas.add(big)  # no room, and nothing freed yet to rebuild for: the atlas grows
        callback(*args)  # the dying one's finalizer, late
        return atlas, (again, big), atlas.size

    atlas, (again, _big), size = render_thread().call(scene)
    assert size == (128, 128)
    placed = atlas.get_texture_region_info(again.atlas_name).texture_coordinates
    assert placed == atlas.get_image_region_info(again.image_data.hash).texture_coordinates
    assert atlas._unique_texture_ref_count.count_all_refs() == 2, "it and the big one are counted"
