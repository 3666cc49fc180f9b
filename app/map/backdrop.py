"""What stays still between frames, drawn once and copied into the next frames.

Close up, most of a frame is the ground, the buildings and the objects, and none of them moves
while the camera stays put and the light does not change: on a software rasterizer drawing them
again is ~10 ms a frame, where copying the picture of them is a memory copy. The backdrop keeps
that picture in a framebuffer of its own, with what it was drawn for (``key``); a frame whose key
differs draws it anew.
"""

from __future__ import annotations

from typing import Any

from app.map.boot import arcade_module

arcade = arcade_module()
from pyglet import gl  # noqa: E402  (after arcade_module(): pyglet options must be set first)


class Backdrop:
    def __init__(self, ctx: Any):
        self.ctx = ctx
        self._fbo: Any = None
        self._key: tuple | None = None
        self.redrawn = 0  # times it was drawn anew (the tests count them)

    def holds(self, key: tuple) -> bool:
        return self._fbo is not None and self._key == key

    def begin(self, key: tuple, size: tuple[int, int]) -> Any:
        """The framebuffer to draw the backdrop into for ``key`` (``size`` as the frame's), made current."""
        if self._fbo is None or self._fbo.size != size:
            self._fbo = self.ctx.framebuffer(color_attachments=[self.ctx.texture(size, components=4)])
        self._key = key
        self.redrawn += 1
        self._fbo.use()
        return self._fbo

    def forget(self) -> None:
        self._fbo = None
        self._key = None

    def copy_into(self, target: Any) -> None:
        """Overwrite ``target`` (the frame's framebuffer, made current again) with the backdrop."""
        width, height = self._fbo.size
        gl.glBindFramebuffer(gl.GL_READ_FRAMEBUFFER, self._fbo.glo)
        gl.glBindFramebuffer(gl.GL_DRAW_FRAMEBUFFER, target.glo)
        gl.glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, gl.GL_COLOR_BUFFER_BIT, gl.GL_NEAREST)
        gl.glBindFramebuffer(gl.GL_FRAMEBUFFER, target.glo)
        target.use(force=True)
