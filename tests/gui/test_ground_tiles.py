"""The ground drawn on the GPU from tile numbers (``app.map.ground``) is the picture it replaced:
the tiles laid out on the CPU (``terrain_image``) drawn as one texture, pixel for pixel close up,
within a level of rounding where zoomed out both are filtered linearly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image

from app.common.art import TERRAIN_KEYS, load_art
from app.map.textures import far_terrain_image, ground_tiles, terrain_image


def _town(rows: int, cols: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    terrain = rng.integers(0, len(TERRAIN_KEYS), size=(rows, cols)).astype(np.uint8)
    district_map = rng.integers(-1, 11, size=(rows, cols)).astype(np.int16)
    return terrain, district_map


def test_the_far_picture_is_the_full_picture_reduced() -> None:
    art = load_art()
    terrain, district_map = _town(9, 13, 1)
    whole = terrain_image(art, terrain, district_map)
    reduced = whole.resize((whole.width // 4, whole.height // 4), Image.Resampling.BOX)
    far = far_terrain_image(art, ground_tiles(art, terrain, district_map), 4)
    assert np.array_equal(np.asarray(far), np.asarray(reduced))


def _in_map_context(view, job: Callable[[Any], Any]) -> Any:  # type: ignore[no-untyped-def]
    """Run ``job(ctx)`` where the map draws (its GL context current, on whichever host), in a frame."""
    scene = view.scene
    done: list[Any] = []

    def paint(ctx: Any, width: float, height: float) -> None:
        if not done:
            screen = ctx.active_framebuffer
            done.append(job(ctx))
            screen.use(force=True)
        type(scene).paint(scene, ctx, width, height)

    scene.paint = paint
    try:
        view.grab_map()  # draws a frame on either host, and waits for it
    finally:
        del scene.paint
    assert done, "the map drew no frame"
    return done[0]


def _draw_both(view, terrain: np.ndarray, district_map: np.ndarray, zoom: float,  # type: ignore[no-untyped-def]
               smooth: bool) -> tuple[np.ndarray, np.ndarray]:
    """The ground drawn from tile numbers and the same ground as one picture, at ``zoom`` screen pixels
    a world pixel, on the map's own context; (h, w, 4) each, top row first."""
    from pyglet.math import Mat4

    from app.map.ground import TileGround
    from app.map.layers import PictureLayer

    art = load_art()
    h, w = terrain.shape
    t = art.tile_size
    world = (0.0, 0.0, float(w * t), float(h * t))
    size = (round(w * t * zoom), round(h * t * zoom))

    def draw(ctx: Any) -> tuple[np.ndarray, np.ndarray]:
        layers: list[Any] = [TileGround(ctx, ground_tiles(art, terrain, district_map), world),
                             PictureLayer(ctx, terrain_image(art, terrain, district_map), world)]
        out = []
        for layer in layers:
            fbo = ctx.framebuffer(color_attachments=[ctx.texture(size, components=4)])
            fbo.use()
            fbo.clear(color=(0, 0, 0, 255))
            ctx.projection_matrix = Mat4.orthogonal_projection(0, w * t, 0, h * t, -100, 100)
            ctx.view_matrix = Mat4()
            layer.draw((255, 255, 255), smooth=smooth)
            pixels = np.frombuffer(fbo.read(components=4), dtype=np.uint8).reshape(size[1], size[0], 4)
            out.append(pixels[::-1].copy())
        return out[0], out[1]

    return _in_map_context(view, draw)


@pytest.mark.parametrize("zoom", [1.0, 3.0])
def test_close_up_the_ground_from_tile_numbers_is_the_picture_exactly(controller, zoom: float) -> None:  # type: ignore[no-untyped-def]
    terrain, district_map = _town(6, 9, 2)
    tiles, picture = _draw_both(controller.window.map_view, terrain, district_map, zoom, smooth=False)
    assert np.array_equal(tiles, picture)
    assert len(np.unique(tiles.reshape(-1, 4), axis=0)) > 20, "the tile art is drawn, not a flat colour"


def test_zoomed_out_the_ground_from_tile_numbers_filters_as_the_picture_did(controller) -> None:  # type: ignore[no-untyped-def]
    terrain, district_map = _town(6, 9, 3)
    tiles, picture = _draw_both(controller.window.map_view, terrain, district_map, 0.6, smooth=True)
    assert np.abs(tiles.astype(np.int32) - picture).max() <= 2, "linear filtering, rounded alike"
