"""Sprite lists whose GPU buffers are written straight from numpy.

Setting 10,000 ``Sprite.position`` attributes one by one costs ~12 ms a frame;
writing the SpriteList's position buffer from a numpy array costs ~0.1 ms
(measured at 10,000 people). ``NumpySprites`` builds a list of a fixed size once and exposes
its buffers as numpy views; nothing may be appended afterwards (the views pin
the underlying arrays). Hit tests use numpy, never ``Sprite.position``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import numpy as np
from PIL import Image

from app.map.boot import arcade_module

arcade = arcade_module()
_BOX = arcade.hitbox.algo_bounding_box


def make_texture(image: Image.Image, name: str) -> Any:
    """An arcade texture with a cheap hit box (we never use arcade's collision)."""
    return arcade.Texture(image, hash=name, hit_box_algorithm=_BOX)


class NumpySprites:
    """``count`` sprites that exist only as rows of the SpriteList's buffers.

    Making 10,000 ``Sprite`` objects costs ~0.1-2 s (more on a busy machine) and
    nothing here needs them: one real sprite anchors the list (arcade draws
    nothing for an empty list) and the other rows are claimed directly, their
    position, size, colour and texture written through numpy views.
    """

    def __init__(self, count: int, texture: Any, atlas: Any = None):
        self.count = count
        sl = self.list = arcade.SpriteList(capacity=max(1, count), atlas=atlas)
        sl.append(arcade.BasicSprite(texture))
        sl.initialize()  # needs the GL context: build inside paint / gl_ready
        # Claim rows 1..count-1 (the private fields arcade's own append() would set).
        sl._sprite_buffer_slots = sl._sprite_index_slots = count
        index = np.frombuffer(sl._sprite_index_data, dtype=np.int32)
        index[:count] = np.arange(count, dtype=np.int32)
        self.pos = np.frombuffer(sl._sprite_pos_angle_data, dtype=np.float32).reshape(-1, 4)[:count]
        self.size = np.frombuffer(sl._sprite_size_data, dtype=np.float32).reshape(-1, 2)[:count]
        self.color = np.frombuffer(sl._sprite_color_data, dtype=np.uint8).reshape(-1, 4)[:count]
        self.tex = np.frombuffer(sl._sprite_texture_data, dtype=np.float32)[:count]
        self.size[:] = (texture.width, texture.height)
        self.color[:] = 255
        self.tex[:] = self.texture_id(texture)
        sl._sprite_index_changed = True
        self.touch(size=True, color=True, tex=True)
        sl._sprite_pos_angle_changed = True

    def texture_id(self, texture: Any) -> int:
        """The atlas slot of ``texture`` (added to the atlas if needed)."""
        return int(self.list.atlas.add(texture)[0])

    def set_positions(self, xy: np.ndarray, dx: float = 0.0, dy: float = 0.0) -> None:
        self.pos[:, 0] = xy[:, 0]
        self.pos[:, 1] = xy[:, 1]
        if dx:
            self.pos[:, 0] += dx
        if dy:
            self.pos[:, 1] += dy
        self.list._sprite_pos_angle_changed = True

    def touch(self, size: bool = False, color: bool = False, tex: bool = False) -> None:
        """Tell the list which buffers were written through the views."""
        if size:
            self.list._sprite_size_changed = True
        if color:
            self.list._sprite_color_changed = True
        if tex:
            self.list._sprite_texture_changed = True

    def draw(self, pixelated: bool = True, rows: np.ndarray | None = None) -> None:
        """Draw every sprite, or only ``rows`` (those in view: the rest would still cost the
        geometry shader, which a software rasterizer runs slowly, 10,000 times a frame)."""
        if not self.count:
            return
        if rows is None:
            self.list.draw(pixelated=pixelated)
        elif len(rows):
            draw_rows(self.list, rows, pixelated=pixelated)


def draw_rows(sprite_list: Any, rows: np.ndarray, **draw_args: Any) -> None:
    """Draw only the sprites at ``rows`` (positions in the list) of an arcade SpriteList, leaving
    the list as it was: its index buffer is narrowed for this one draw and then put back."""
    slots = sprite_list._sprite_index_slots
    index = np.frombuffer(sprite_list._sprite_index_data, dtype=np.int32)
    every = index[:slots].copy()
    shown = every[np.asarray(rows, dtype=np.int64)]
    index[: len(shown)] = shown
    sprite_list._sprite_index_slots = len(shown)
    sprite_list._sprite_index_changed = True
    try:
        sprite_list.draw(**draw_args)
    finally:
        index[:slots] = every
        sprite_list._sprite_index_slots = slots
        sprite_list._sprite_index_changed = True


class CulledSprites:
    """An arcade SpriteList that never changes after it is built (buildings, objects), drawn
    only where the camera looks: close up a street shows a few dozen of a big town's thousands."""

    def __init__(self, sprite_list: Any, boxes: np.ndarray):
        self.list = sprite_list
        self.boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)  # left, bottom, right, top per sprite

    def __len__(self) -> int:
        return len(self.list)

    def draw(self, view: tuple[float, float, float, float], pixelated: bool = True) -> None:
        """``view``: left, right, bottom, top in world px (``MapCamera.world_rect``)."""
        left, right, bottom, top = view
        b = self.boxes
        rows = np.flatnonzero((b[:, 2] >= left) & (b[:, 0] <= right) & (b[:, 3] >= bottom) & (b[:, 1] <= top))
        if len(rows) == len(b):
            self.list.draw(pixelated=pixelated)
        elif len(rows):
            draw_rows(self.list, rows, pixelated=pixelated)


LabelKey = TypeVar("LabelKey", bound=Hashable)  # what a label shows: a person id, a building id, (speaker, words)


class LabelPool(Generic[LabelKey]):
    """A fixed number of text sprites handed out each frame to whoever needs a label.

    Labels keep a constant size on screen whatever the zoom: their world size is
    the image size divided by the zoom, recomputed every frame from numpy.
    """

    def __init__(self, slots: int, blank: Any, make: Callable[[LabelKey], Any], atlas: Any = None):
        self.sprites = NumpySprites(slots, blank, atlas)
        self._make = make  # key -> texture
        self._textures: dict[LabelKey, Any] = {}
        self._assigned: list[LabelKey | None] = [None] * slots
        self._px = np.zeros((slots, 2), dtype=np.float32)  # texture size in screen pixels
        self.sprites.color[:, 3] = 0  # nothing shows until a slot is handed out
        self.used = 0

    def screen_size(self, key: LabelKey, scale: float = 1.0) -> tuple[float, float]:
        texture = self.texture_for(key)
        return texture.width / scale, texture.height / scale

    def texture_for(self, key: LabelKey) -> Any:
        texture = self._textures.get(key)
        if texture is None:
            texture = self._textures[key] = self._make(key)
        return texture

    def ready(self, keys: list[LabelKey], budget: int) -> tuple[np.ndarray, bool]:
        """Indices of ``keys`` (best first) that can be shown this frame: those with a texture
        already, plus at most ``budget`` new ones (drawing a label costs ~5-10 ms; the first zoom
        into a big town would otherwise draw hundreds in one frame). True if some had to wait."""
        kept: list[int] = []
        waiting = False
        for i, key in enumerate(keys):
            if key not in self._textures:
                if budget <= 0:
                    waiting = True
                    continue
                budget -= 1
                self.texture_for(key)
            kept.append(i)
        return np.array(kept, dtype=np.int64), waiting

    def forget(self, keys: list[LabelKey]) -> None:
        """Drop cached textures: arcade frees a texture's atlas space when its last reference goes
        (a label still shown keeps it until replaced), on whichever thread that is (``app.map.atlas``)."""
        for key in keys:
            self._textures.pop(key, None)

    @property
    def cached(self) -> int:
        return len(self._textures)

    def cached_keys(self) -> list[LabelKey]:
        return list(self._textures)

    def show(self, keys: list[LabelKey], anchors: np.ndarray, zoom: float, lift_px: float = 0.0,
             scale: float = 1.0, alpha: np.ndarray | None = None) -> None:
        """Label ``keys`` at world ``anchors`` (bottom centre), ``lift_px`` screen pixels above."""
        sprites = self.sprites
        n = min(len(keys), sprites.count)
        changed_tex = False
        for slot in range(n):
            key = keys[slot]
            if self._assigned[slot] != key:
                texture = self.texture_for(key)
                sprites.tex[slot] = sprites.texture_id(texture)
                self._px[slot] = (texture.width / scale, texture.height / scale)
                self._assigned[slot] = key
                changed_tex = True
        size = self._px[:n] / max(zoom, 1e-6)
        sprites.size[:n] = size
        sprites.pos[:n, 0] = anchors[:n, 0]
        sprites.pos[:n, 1] = anchors[:n, 1] + size[:, 1] / 2 + lift_px / max(zoom, 1e-6)
        sprites.color[:n, 3] = 255 if alpha is None else alpha[:n]
        sprites.color[n:self.used, 3] = 0
        self.used = n
        sprites.touch(size=True, color=True, tex=changed_tex)
        sprites.list._sprite_pos_angle_changed = True

    def hide(self) -> None:
        if self.used:
            self.sprites.color[: self.used, 3] = 0
            self.sprites.touch(color=True)
            self.used = 0

    def draw(self) -> None:
        if self.used:
            self.sprites.draw(pixelated=True)


# A point in world px and its colour, through the camera: the dots' vertices, and the rectangles' (``app.map.rects``).
COLOURED_VERTEX = """
#version 330
uniform WindowBlock { mat4 projection; mat4 view; } window;
in vec2 in_pos;
in vec4 in_color;
out vec4 v_color;
void main() {
    gl_Position = window.projection * window.view * vec4(in_pos, 0.0, 1.0);
    v_color = in_color;
}
"""
_DOT_FRAGMENT = """
#version 330
in vec4 v_color;
out vec4 fragColor;
void main() {
    vec2 d = gl_PointCoord - vec2(0.5);
    if (dot(d, d) > 0.25) discard;
    fragColor = v_color;
}
"""


class DotLayer:
    """A crowd seen from far away: one GL point per person, no geometry shader.

    Sprites go through arcade's geometry shader, which a software rasterizer runs
    slowly; 10,000 round points straight from two numpy buffers cost a fraction.
    """

    def __init__(self, ctx: Any, count: int):
        self.ctx = ctx
        self.count = count
        self.xy = np.zeros((max(1, count), 2), dtype=np.float32)
        self.color = np.full((max(1, count), 4), 255, dtype=np.uint8)
        self._pos = ctx.buffer(data=self.xy.tobytes())
        self._col = ctx.buffer(data=self.color.tobytes())
        self._geometry = ctx.geometry([
            arcade.gl.BufferDescription(self._pos, "2f", ["in_pos"]),
            arcade.gl.BufferDescription(self._col, "4f1", ["in_color"]),
        ], mode=ctx.POINTS)
        self._program = ctx.program(vertex_shader=COLOURED_VERTEX, fragment_shader=_DOT_FRAGMENT)
        self._colour_dirty = True

    def set_positions(self, xy: np.ndarray, dy: float = 0.0) -> None:
        self.xy[: self.count] = xy
        if dy:
            self.xy[: self.count, 1] += dy
        self._pos.write(self.xy.tobytes())

    def colours_changed(self) -> None:
        self._colour_dirty = True

    def draw(self, size_px: float) -> None:
        if not self.count:
            return
        if self._colour_dirty:
            self._col.write(self.color.tobytes())
            self._colour_dirty = False
        self.ctx.point_size = max(1.0, size_px)
        self._geometry.render(self._program, vertices=self.count)


_HEAT_VERTEX = """
#version 330
uniform WindowBlock { mat4 projection; mat4 view; } window;
uniform vec4 rect;  // left, bottom, width, height in world px
in vec2 in_uv;
out vec2 v_uv;
void main() {
    gl_Position = window.projection * window.view * vec4(rect.xy + in_uv * rect.zw, 0.0, 1.0);
    v_uv = in_uv;
}
"""
_HEAT_FRAGMENT = """
#version 330
uniform sampler2D heat;
in vec2 v_uv;
out vec4 fragColor;
void main() {
    fragColor = texture(heat, v_uv);
}
"""


# A quad over a world rectangle: the picture's uv, and world px for an overlay laid over it.
QUAD_VERTEX = """
#version 330
uniform WindowBlock { mat4 projection; mat4 view; } window;
uniform vec4 rect;  // left, bottom, width, height in world px
in vec2 in_uv;
out vec2 v_uv;
out vec2 v_world;
void main() {
    v_world = rect.xy + in_uv * rect.zw;
    gl_Position = window.projection * window.view * vec4(v_world, 0.0, 1.0);
    v_uv = in_uv;
}
"""
_PICTURE_FRAGMENT = """
#version 330
uniform sampler2D day;
uniform sampler2D night;
uniform sampler2D overlay;
uniform vec4 tint;  // the day picture is multiplied by it (white by day, the night tint at night)
uniform float night_amount;  // 0: the day picture; 1: the night picture
uniform vec4 overlay_rect;  // where the overlay lies, in world px (left, bottom, width, height)
in vec2 v_uv;
in vec2 v_world;
out vec4 fragColor;
void main() {
#if PICTURE
    vec2 uv = vec2(v_uv.x, 1.0 - v_uv.y);  // the pictures' first row is the map's top
    vec4 colour = texture(day, uv) * tint;
#if NIGHT
    colour = mix(colour, texture(night, uv), night_amount);
#endif
#if OVERLAY
    vec4 over = texture(overlay, (v_world - overlay_rect.xy) / overlay_rect.zw);
    colour.rgb = mix(colour.rgb, over.rgb, over.a);
#endif
#else
    // The overlay alone, blended over the picture drawn before (where the picture lies only).
    vec4 colour = texture(overlay, (v_world - overlay_rect.xy) / overlay_rect.zw);
#endif
    fragColor = colour;
}
"""


class ShaderVariants:
    """One program per set of switches, compiled when first asked for.

    A software rasterizer runs both sides of a shader's ``if`` on every pixel (it masks lanes, it does
    not jump), uniform condition or not: what a pass does not need is compiled out instead."""

    def __init__(self, ctx: Any, vertex: str, fragment: str, **uniforms: Any):
        self.ctx = ctx
        self._vertex, self._fragment = vertex, fragment
        self._uniforms = uniforms  # set on every variant as it is made (sampler units, fixed rectangles)
        self._programs: dict[tuple[tuple[str, bool], ...], Any] = {}

    def get(self, **switches: bool) -> Any:
        key = tuple(sorted(switches.items()))
        program = self._programs.get(key)
        if program is None:
            version, _, body = self._fragment.lstrip().partition("\n")
            defines = "".join(f"#define {name.upper()} {int(on)}\n" for name, on in key)
            program = self.ctx.program(vertex_shader=self._vertex, fragment_shader=f"{version}\n{defines}{body}")
            for name, value in self._uniforms.items():
                program.set_uniform_safe(name, value)  # a sampler compiled out is not there to set
            self._programs[key] = program
        return program


UPLOAD_ROWS = 256  # rows of a picture written to the GPU at a time


class PictureLayer:
    """A picture of the town stretched over a world rectangle, optionally mixed with its night
    picture, drawn as one textured quad in one pass.

    The ground used to be an arcade sprite, and far out a day sprite with the night one blended
    over it: on a software rasterizer every full-screen pass costs ~10-25 ms, and an arcade
    ``Texture`` keeps its PIL image (50 MB for a 10,000-person town's ground) alive for as long
    as the sprite lives. Here the pixels go to the GPU and nothing of them stays in Python.
    """

    def __init__(self, ctx: Any, day: Image.Image, rect: tuple[float, float, float, float],
                 night: Image.Image | None = None):
        self.ctx = ctx
        self.size = day.size
        self.day = self._texture(day)
        self.night = self._texture(night) if night is not None else None
        corners = ctx.buffer(data=np.array([0, 0, 1, 0, 0, 1, 1, 1], dtype=np.float32).tobytes())
        self._geometry = ctx.geometry([arcade.gl.BufferDescription(corners, "2f", ["in_uv"])],
                                      mode=ctx.TRIANGLE_STRIP)
        self._programs = ShaderVariants(ctx, QUAD_VERTEX, _PICTURE_FRAGMENT, rect=rect, day=0, night=1, overlay=2)

    def _texture(self, image: Image.Image) -> Any:
        """The picture as it is, row 0 (the map's top) first: the shader turns it the right way up.
        Written a band of rows at a time, so a 50 MB ground never has a second whole copy in memory."""
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        width, height = image.size
        texture = self.ctx.texture((width, height), components=4)
        for top in range(0, height, UPLOAD_ROWS):
            rows = min(UPLOAD_ROWS, height - top)
            texture.write(image.crop((0, top, width, top + rows)).tobytes(), viewport=(0, top, width, rows))
        return texture

    def draw(self, tint: tuple[int, int, int] = (255, 255, 255), night_amount: float = 0.0,
             smooth: bool = True, overlay: GridLayer | None = None) -> None:
        """``overlay``: a grid layer (the density heat) laid over the picture in the same pass,
        as if drawn over it afterwards, without a second full-screen pass."""
        ctx = self.ctx
        sampling = ctx.LINEAR if smooth else ctx.NEAREST
        night = self.night if night_amount > 0 else None
        over = overlay if overlay is not None and overlay.written else None
        program = self._programs.get(picture=True, night=night is not None, overlay=over is not None)
        program["tint"] = (tint[0] / 255, tint[1] / 255, tint[2] / 255, 1.0)
        if night is not None:
            program["night_amount"] = float(night_amount)
        for unit, texture in ((0, self.day), (1, night or self.day)):
            texture.filter = (sampling, sampling)
            texture.use(unit)
        draw_opaque(ctx, self._geometry, program, over)

    def draw_overlay(self, overlay: GridLayer) -> None:
        """``overlay`` alone over where the picture lies, blended as the picture's own pass mixes it in
        (for a picture kept from an earlier frame, ``app.map.backdrop``)."""
        if not overlay.written:
            return
        program = self._programs.get(picture=False, night=False, overlay=True)
        program["overlay_rect"] = overlay.rect
        overlay.texture.use(2)
        overlay.times_drawn += 1
        self.ctx.enable(self.ctx.BLEND)
        self.ctx.blend_func = self.ctx.BLEND_DEFAULT
        self._geometry.render(program)


def draw_opaque(ctx: Any, geometry: Any, program: Any, overlay: GridLayer | None) -> None:
    """One pass of ``program`` that covers what is under it (no blending: nothing under it is read
    back), with ``overlay`` on texture unit 2 where it lies (``overlay_rect``)."""
    if overlay is not None:
        program["overlay_rect"] = overlay.rect
        overlay.texture.use(2)
        overlay.times_drawn += 1
    ctx.disable(ctx.BLEND)
    geometry.render(program)
    ctx.enable(ctx.BLEND)
    ctx.blend_func = ctx.BLEND_DEFAULT


class GridLayer:
    """A small RGBA picture, one texel per cell of the map, stretched over it: one textured quad.

    Far out, where people are (a texel per density cell, ``smooth``: linear filtering); and the
    ground sketched a texel per tile while the full ground picture is still being painted.
    """

    def __init__(self, ctx: Any, rows: int, cols: int, rect: tuple[float, float, float, float], smooth: bool = True):
        self.ctx = ctx
        self.shape = (rows, cols)
        sampling = ctx.LINEAR if smooth else ctx.NEAREST
        self.texture = ctx.texture((cols, rows), components=4, filter=(sampling, sampling))
        corners = ctx.buffer(data=np.array([0, 0, 1, 0, 0, 1, 1, 1], dtype=np.float32).tobytes())
        self._geometry = ctx.geometry([arcade.gl.BufferDescription(corners, "2f", ["in_uv"])],
                                      mode=ctx.TRIANGLE_STRIP)
        self._program = ctx.program(vertex_shader=_HEAT_VERTEX, fragment_shader=_HEAT_FRAGMENT)
        self.rect = rect
        self._program["rect"] = rect
        self._program["heat"] = 0
        self.written = False
        self.times_drawn = 0  # alone, or laid over a picture in its pass (``PictureLayer.draw``)

    def write(self, rgba: np.ndarray) -> None:
        """``rgba`` (rows, cols, 4) uint8, row 0 at the map's top (GL's first row is its bottom)."""
        self.texture.write(np.ascontiguousarray(rgba[::-1]).tobytes())
        self.written = True

    def draw(self) -> None:
        if self.written:
            self.ctx.enable(self.ctx.BLEND)  # arcade's own draws switch blending on; a raw geometry must
            self.ctx.blend_func = self.ctx.BLEND_DEFAULT
            self.texture.use(0)
            self._geometry.render(self._program)
            self.times_drawn += 1
