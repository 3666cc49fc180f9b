"""Rectangles over the map, filled and outlined, gathered through a frame and drawn in one call.

The selection's outline, a group's boxes, the resize handle and the ghosts of buildings being
dragged were each drawn with ``arcade.draw_lbwh_rectangle_*``: a program, a buffer write and a
draw call apiece, each GL call letting the GIL go. Close up on a selected building those five
took ~6% of the render thread's time. Here they are triangles in one buffer, drawn in the order
they were added (so what is translucent blends as before), with the geometry arcade's outline uses:
a band ``border`` wide centred on the rectangle's edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.map.boot import arcade_module
from app.map.layers import COLOURED_VERTEX

arcade = arcade_module()

__all__ = ["RectBatch"]

_FRAGMENT = """
#version 330
in vec4 v_color;
out vec4 fragColor;
void main() {
    fragColor = v_color;
}
"""
_CORNERS = np.array([(0, 0), (1, 0), (1, 1), (0, 0), (1, 1), (0, 1)], dtype=np.float32)  # two triangles


class RectBatch:
    """Filled and outlined rectangles (world px) added through a frame, drawn by ``draw``, then forgotten."""

    def __init__(self, ctx: Any):
        self.ctx = ctx
        self._quads: list[tuple[float, float, float, float]] = []  # left, bottom, right, top
        self._colours: list[tuple[int, int, int, int]] = []
        self._capacity = 0
        self._pos: Any = None
        self._col: Any = None
        self._geometry: Any = None
        self._program = ctx.program(vertex_shader=COLOURED_VERTEX, fragment_shader=_FRAGMENT)

    def fill(self, left: float, bottom: float, width: float, height: float, rgba: tuple[int, ...]) -> None:
        self._quad(left, bottom, left + width, bottom + height, rgba)

    def outline(self, left: float, bottom: float, width: float, height: float, rgba: tuple[int, ...],
                border: float) -> None:
        half = border / 2
        right, top = left + width, bottom + height
        o_left, o_bottom, o_right, o_top = left - half, bottom - half, right + half, top + half
        i_left, i_bottom, i_right, i_top = left + half, bottom + half, right - half, top - half
        self._quad(o_left, i_top, o_right, o_top, rgba)  # top
        self._quad(o_left, o_bottom, o_right, i_bottom, rgba)  # bottom
        self._quad(o_left, i_bottom, i_left, i_top, rgba)  # left
        self._quad(i_right, i_bottom, o_right, i_top, rgba)  # right

    def _quad(self, left: float, bottom: float, right: float, top: float, rgba: tuple[int, ...]) -> None:
        self._quads.append((left, bottom, right, top))
        self._colours.append((*rgba[:3], rgba[3] if len(rgba) > 3 else 255))  # type: ignore[arg-type]

    def draw(self) -> None:
        """Draw what was added since the last ``draw``, in one call, and start afresh."""
        count = len(self._quads)
        if not count:
            return
        quads = np.array(self._quads, dtype=np.float32)
        corners = np.empty((count, 6, 2), dtype=np.float32)
        corners[..., 0] = quads[:, None, 0] + _CORNERS[:, 0] * (quads[:, None, 2] - quads[:, None, 0])
        corners[..., 1] = quads[:, None, 1] + _CORNERS[:, 1] * (quads[:, None, 3] - quads[:, None, 1])
        colours = np.repeat(np.array(self._colours, dtype=np.uint8), 6, axis=0)
        self._quads.clear()
        self._colours.clear()
        if count > self._capacity:
            self._grow(max(count, 2 * self._capacity, 8))
        self.ctx.enable(self.ctx.BLEND)  # as arcade's own drawing does: what is translucent blends
        self._pos.write(corners.tobytes())
        self._col.write(colours.tobytes())
        self._geometry.render(self._program, vertices=6 * count)

    def _grow(self, quads: int) -> None:
        ctx = self.ctx
        self._capacity = quads
        self._pos = ctx.buffer(reserve=quads * 6 * 2 * 4)
        self._col = ctx.buffer(reserve=quads * 6 * 4)
        self._geometry = ctx.geometry([
            arcade.gl.BufferDescription(self._pos, "2f", ["in_pos"]),
            arcade.gl.BufferDescription(self._col, "4f1", ["in_color"]),
        ], mode=ctx.TRIANGLES)
