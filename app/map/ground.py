"""The ground drawn on the GPU from tile numbers, through the tile art.

A 10,000-person town's ground is a 50 MB picture: laid out on the CPU, kept in Python while it
went up, and held again as a texture (a software rasterizer's textures are process memory too).
Here the GPU gets a texel per map tile saying which tile of a small atlas goes there (every tile
variant under every district tint, see :func:`app.map.textures.ground_tiles`), and the fragment
shader looks each pixel up through both: the same pixels as the picture, in ~1% of the memory,
with nothing to lay out first. Reading a small atlas also keeps a software rasterizer's texel
reads in its caches, where the picture scattered them over 50 MB.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.map.boot import arcade_module
from app.map.layers import QUAD_VERTEX, GridLayer, ShaderVariants, draw_opaque
from app.map.textures import GroundTiles

arcade = arcade_module()

_FRAGMENT = """
#version 330
const int TILE = %(tile)d;  // pixels a tile's side: a constant, so dividing by it is a shift
uniform sampler2D tiles;  // a texel per map tile: its atlas tile's number, row 0 at the map's top
uniform sampler2D atlas;  // the tiles one under another, each TILE rows, top row first
uniform sampler2D overlay;
uniform ivec2 size;  // the whole ground in pixels
uniform vec4 tint;
uniform vec4 overlay_rect;
in vec2 v_uv;
in vec2 v_world;
out vec4 fragColor;

vec4 ground(ivec2 p) {
    // Wrapped round like a repeating texture, so the map's edge pixels filter as the picture's did.
    p += size * (ivec2(lessThan(p, ivec2(0))) - ivec2(greaterThanEqual(p, size)));
    ivec2 cell = p / TILE;
    int id = int(texelFetch(tiles, cell, 0).r);
    return texelFetch(atlas, ivec2(p.x - cell.x * TILE, id * TILE + p.y - cell.y * TILE), 0);
}

void main() {
    vec2 at = vec2(v_uv.x, 1.0 - v_uv.y) * vec2(size);  // ground pixels from the top left
    vec4 colour;
#if SMOOTH
    // Linear filtering, as the picture was sampled zoomed out.
    vec2 s = at - 0.5;
    ivec2 p = ivec2(floor(s));
    vec2 f = s - floor(s);
    colour = mix(mix(ground(p), ground(p + ivec2(1, 0)), f.x),
                 mix(ground(p + ivec2(0, 1)), ground(p + ivec2(1, 1)), f.x), f.y);
#else
    colour = ground(min(ivec2(at), size - 1));
#endif
    colour *= tint;
#if OVERLAY
    vec4 over = texture(overlay, (v_world - overlay_rect.xy) / overlay_rect.zw);
    colour.rgb = mix(colour.rgb, over.rgb, over.a);
#endif
    fragColor = colour;
}
"""


class TileGround:
    """The ground over a world rectangle, drawn opaque in one pass from ``GroundTiles``."""

    def __init__(self, ctx: Any, tiles: GroundTiles, rect: tuple[float, float, float, float]):
        self.ctx = ctx
        h, w = tiles.ids.shape
        count, t = tiles.atlas.shape[:2]
        self.size = (w * t, h * t)
        self.tiles = ctx.texture((w, h), components=1, dtype="f4", filter=(ctx.NEAREST, ctx.NEAREST),
                                 data=np.ascontiguousarray(tiles.ids, dtype=np.float32).tobytes())
        self.atlas = ctx.texture((t, count * t), components=4, filter=(ctx.NEAREST, ctx.NEAREST),
                                 data=np.ascontiguousarray(tiles.atlas).tobytes())
        corners = ctx.buffer(data=np.array([0, 0, 1, 0, 0, 1, 1, 1], dtype=np.float32).tobytes())
        self._geometry = ctx.geometry([arcade.gl.BufferDescription(corners, "2f", ["in_uv"])],
                                      mode=ctx.TRIANGLE_STRIP)
        self._programs = ShaderVariants(ctx, QUAD_VERTEX, _FRAGMENT % {"tile": t}, rect=rect, size=self.size,
                                        tiles=0, atlas=1, overlay=2)

    def draw(self, tint: tuple[int, int, int] = (255, 255, 255), smooth: bool = True,
             overlay: GridLayer | None = None) -> None:
        """``overlay``: the density heat laid over the ground in the same pass (see ``PictureLayer.draw``)."""
        over = overlay if overlay is not None and overlay.written else None
        program = self._programs.get(smooth=smooth, overlay=over is not None)
        program["tint"] = (tint[0] / 255, tint[1] / 255, tint[2] / 255, 1.0)
        self.tiles.use(0)
        self.atlas.use(1)
        draw_opaque(self.ctx, self._geometry, program, over)
