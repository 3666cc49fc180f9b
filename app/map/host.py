"""GL hosts for the arcade map: arcade inside a ``QOpenGLWidget``, or offscreen.

Both hosts draw the same :class:`MapPainter` and expose the same small
interface (``request_frame``, ``render_now``, ``grab_map``, ``stats``, ``gl_error``), so
the map view does not care which one it got (see :mod:`app.map.boot`).

In the ``gl`` host Qt owns the context (arcade never creates a window of its own), a
pyglet context with no native handle only tells pyglet which context is
current, and a small stand-in for ``arcade.Window`` carries what arcade's
context, projectors and sprite lists read from "the window". The stand-in uses a
few private arcade attributes, which is why ``pyproject.toml`` pins arcade 3.3.x
and the GUI tests read pixels back.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
import traceback
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QWidget

from app.common.gil import short_gil_turns
from app.map.atlas import use_shared_atlas
from app.map.boot import arcade_module, choose_backend, default_surface_format
from app.map.render_thread import FRAME_SWITCH_INTERVAL_S, render_thread

log = logging.getLogger(__name__)
__all__ = ["GLMapWidget", "MapPainter", "OffscreenMapWidget", "create_map_widget", "default_surface_format"]
arcade = arcade_module()
import pyglet  # noqa: E402  (after arcade_module(): pyglet options must be set first)
from pyglet import gl  # noqa: E402
from pyglet.math import Mat4  # noqa: E402


class MapPainter(Protocol):
    """What a host draws: the scene. ``paint`` draws into the active framebuffer."""

    def gl_ready(self, ctx: Any) -> None: ...

    def paint(self, ctx: Any, width: float, height: float) -> None: ...

    def freeze(self, width: float, height: float) -> MapPainter:
        """A copy to paint on another thread while this one goes on changing the original."""
        ...

    def animating(self) -> bool: ...


@dataclass
class FrameStats:
    """Timings of the last frame in milliseconds (the benchmark reads these)."""

    draw_ms: float = 0.0
    present_ms: float = 0.0
    frames: int = 0


def force_opaque_alpha() -> None:
    """Write alpha = 1 everywhere: blended sprites leave alpha < 1, and Qt would show through."""
    gl.glColorMask(gl.GL_FALSE, gl.GL_FALSE, gl.GL_FALSE, gl.GL_TRUE)
    gl.glClearColor(0.0, 0.0, 0.0, 1.0)
    gl.glClear(gl.GL_COLOR_BUFFER_BIT)
    gl.glColorMask(gl.GL_TRUE, gl.GL_TRUE, gl.GL_TRUE, gl.GL_TRUE)


# --------------------------------------------------------------------------- gl host


class _NoConfig:
    """pyglet's Context wants a DisplayConfig; Qt made the real one."""

    def compatible(self, canvas: object) -> bool:
        return True


class _QtOwnedContext(pyglet.gl.base.Context):
    """A pyglet context with no native handle: Qt does the real ``makeCurrent``."""

    def __init__(self) -> None:
        super().__init__(_NoConfig(), None)  # type: ignore[arg-type]  # a stand-in: pyglet only asks it compatible()
        # set_current() refuses a context without a canvas. pyglet types the attribute by its None default.
        self.canvas = object()  # type: ignore[assignment]


class _HostWindow:
    """Stands in for ``arcade.Window``: what ArcadeContext, projectors and sprite lists read."""

    headless = False

    def __init__(self, widget: QWidget):
        self._widget = widget
        self._projection_matrix = Mat4()
        self._view_matrix = Mat4()
        # The WindowBlock UBO every arcade/pyglet shader reads projection and view from.
        program = pyglet.graphics.shader.ShaderProgram(
            pyglet.graphics.shader.Shader(pyglet.window.BaseWindow._default_vertex_source, "vertex"),
            pyglet.graphics.shader.Shader(pyglet.window.BaseWindow._default_fragment_source, "fragment"),
        )
        self._default_program = program
        self.ubo = program.uniform_blocks["WindowBlock"].create_ubo()
        self.view = Mat4()
        self.projection = Mat4.orthogonal_projection(0, self.width, 0, self.height, -100, 100)
        self.ctx: Any = None

    # As pyglet's BaseWindow does: keep each matrix, and write it to the WindowBlock every shader reads.
    @property
    def projection(self) -> Mat4:
        return self._projection_matrix

    @projection.setter
    def projection(self, matrix: Mat4) -> None:
        with self.ubo as window_block:
            window_block.projection[:] = matrix
        self._projection_matrix = matrix

    @property
    def view(self) -> Mat4:
        return self._view_matrix

    @view.setter
    def view(self, matrix: Mat4) -> None:
        with self.ubo as window_block:
            window_block.view[:] = matrix
        self._view_matrix = matrix

    @property
    def width(self) -> int:
        return max(1, self._widget.width())

    @property
    def height(self) -> int:
        return max(1, self._widget.height())

    def get_size(self) -> tuple[int, int]:
        return self.width, self.height

    def get_pixel_ratio(self) -> float:
        return float(self._widget.devicePixelRatioF())

    def get_framebuffer_size(self) -> tuple[int, int]:
        ratio = self.get_pixel_ratio()
        return round(self.width * ratio), round(self.height * ratio)

    @property
    def current_camera(self) -> Any:
        return self.ctx.current_camera

    @current_camera.setter
    def current_camera(self, camera: Any) -> None:
        self.ctx.current_camera = camera


class GLMapWidget(QOpenGLWidget):
    """The map drawn by arcade straight into Qt's GL widget."""

    frame_painted = Signal()
    backend = "gl"

    def __init__(self, painter: MapPainter, parent: QWidget | None = None):
        super().__init__(parent)
        self._painter = painter
        self._pyglet_ctx: _QtOwnedContext | None = None
        self._host: _HostWindow | None = None
        self.ctx: Any = None
        self.gl_error: str | None = None
        self.stats = FrameStats()
        self.setUpdateBehavior(QOpenGLWidget.UpdateBehavior.NoPartialUpdate)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def initializeGL(self) -> None:
        # PySide6 swallows exceptions raised here: keep them for the log and the tests.
        try:
            self._initialize()
        except Exception:
            self.gl_error = traceback.format_exc()
            log.error("map GL initialisation failed:\n%s", self.gl_error)

    def _initialize(self) -> None:
        self._pyglet_ctx = _QtOwnedContext()
        self._pyglet_ctx.set_current()
        # On EGL the scissor box is 0x0 here, and arcade derives the screen size from it.
        ratio = self.devicePixelRatioF()
        fb_w, fb_h = max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))
        gl.glViewport(0, 0, fb_w, fb_h)
        gl.glScissor(0, 0, fb_w, fb_h)
        self._host = _HostWindow(self)
        self.ctx = arcade.gl.provider.get_arcade_context(self._host, gl_api="opengl")
        self._host.ctx = self.ctx
        use_shared_atlas(self.ctx)
        arcade.set_window(self._host)
        self._painter.gl_ready(self.ctx)

    def paintGL(self) -> None:
        if self.ctx is None or self._pyglet_ctx is None or self.gl_error:  # both are made in initializeGL
            return
        started = time.perf_counter()
        try:
            self._pyglet_ctx.set_current()
            arcade.set_window(self._host)
            self._bind_screen()
            self._painter.paint(self.ctx, float(self.width()), float(self.height()))
            force_opaque_alpha()
        except Exception:
            self.gl_error = traceback.format_exc()
            log.error("map paint failed:\n%s", self.gl_error)
        self.stats.draw_ms = (time.perf_counter() - started) * 1000
        self.stats.frames += 1
        self.frame_painted.emit()

    def _bind_screen(self) -> None:
        """Point arcade's screen at Qt's framebuffer: its id changes on every resize."""
        ctx = self.ctx
        screen = ctx.screen
        ratio = self.devicePixelRatioF()
        fb_w, fb_h = max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))
        screen._glo = gl.GLuint(self.defaultFramebufferObject())
        screen._width, screen._height = fb_w, fb_h
        screen._viewport = (0, 0, fb_w, fb_h)
        screen._scissor = None
        ctx.active_program = None  # Qt may have used its own programs on this context
        screen.use(force=True)
        gl.glViewport(0, 0, fb_w, fb_h)
        gl.glScissor(0, 0, fb_w, fb_h)
        ctx.bind_window_block()
        ctx.enable_only(ctx.BLEND)
        ctx.blend_func = ctx.BLEND_DEFAULT
        ctx.current_camera = ctx._default_camera

    def request_frame(self) -> None:
        self.update()

    def render_now(self) -> None:
        self.update()
        self.repaint()

    def grab_map(self) -> QImage:
        return self.grabFramebuffer()


# --------------------------------------------------------------------------- offscreen host


# The render thread's own pace while the map moves: a little over the 30 frames a second the map is to keep
# (late frames are made up, ``next_frame_due``); no more, as on software GL every frame is CPU the engine needs.
FRAME_S = 1 / 32
FRAMES_MADE_UP = 3  # late frames made up at most, by starting the next ones at once
RUN_ON_S = 0.5  # frames go on without word from the GUI thread this long, then rest until it asks again


def next_frame_due(due: float, finished: float) -> float:
    """When the frame after one due at ``due`` that finished at ``finished`` is due.

    Frames keep to a grid of ``FRAME_S``: a frame that started late (waiting for the GIL, or a job
    before it) or took long is made up by the next ones starting at once, for up to ``FRAMES_MADE_UP``
    frames, so that a long stall is not followed by a long burst. Putting each frame off ``FRAME_S``
    from its own start lost every such delay for good: close up in the 10,000-person town at max
    speed, where a frame takes 23 ms at the median and 43 at the 90th centile, the map drew 26-30 fps
    paced for 36 (``benchmarks/gui.py``); on the grid it draws its 31 from a pace of 32, and far out
    31-32 where 36 drew 32-33, leaving the engine as much as before.
    """
    return max(due + FRAME_S, finished - FRAMES_MADE_UP * FRAME_S)


@dataclass
class _Frame:
    """One frame read back on the render thread: its pixels (rows bottom-up) and timings."""

    number: int
    pixels: np.ndarray
    draw_ms: float
    present_ms: float


class OffscreenMapWidget(QWidget):
    """The map rendered by a headless arcade context and painted as an image.

    Every GL call runs on the render thread (``app.map.render_thread``), on a clock of its own: the
    GUI thread hands over a frozen copy of the scene (``Scene.freeze``: the camera, the people's
    interpolation state, the bubbles, what is selected) and goes on at once; the render thread draws
    the newest copy it was given, a frame every ``FRAME_S`` while the picture moves (people glide
    between snapshots from the copy, on the render thread's clock), and queues a signal for each.
    The GUI thread only puts the newest finished frame on screen. At most one finished frame waits
    for it: a frame drawn over one not yet shown would be thrown away, CPU the engine needs, so the
    render thread waits for the GUI thread to take it first. Before, it waited while each
    frame's draw calls read the live scene, and asked for the next frame only once it came round to
    the last one: at 10,000 people busy with snapshots and docks, that wait and that gap were most
    of a frame.
    """

    frame_painted = Signal()
    _frame_done = Signal()  # a frame finished on the render thread
    backend = "offscreen"
    _window: Any = None  # one headless arcade window per process, used on the render thread only

    def __init__(self, painter: MapPainter, parent: QWidget | None = None):
        super().__init__(parent)
        self._painter = painter
        self.gl_error: str | None = None
        self.stats = FrameStats()
        self.ctx: Any = None
        self._fbo: Any = None
        self._fbo_size = (0, 0)
        self._image = QImage()
        self._shown = 0  # number of the frame on screen
        self._drawn = 0  # frames drawn (render thread)
        self._lock = threading.Lock()  # the fields below are the two threads' meeting place
        self._scene: tuple[MapPainter, tuple[int, int, float, float]] | None = None  # the newest copy, its size
        self._asked_at = 0.0  # when the GUI thread last handed a copy over
        self._due = 0.0  # when the frame being drawn was due (render thread; set by request_frame on a start)
        self._fresh = False  # a copy came since the render thread last took one
        self._looping = False  # a frame is due on the render thread, or parked (below)
        self._parked = False  # the loop waits for the GUI thread to take the last frame before drawing another
        self._newest: _Frame | None = None  # the newest finished frame
        self._pixels = np.zeros((1, 1, 4), dtype=np.uint8)  # the picture on screen: never drawn into
        self._buffers: list[np.ndarray] = []  # frames are read into these, in turn
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._frame_done.connect(self._take_newest, Qt.ConnectionType.QueuedConnection)
        try:
            render_thread().call(self._initialize)
        except Exception:
            self.gl_error = traceback.format_exc()
            log.error("offscreen map initialisation failed:\n%s", self.gl_error)

    def _initialize(self) -> None:
        cls = type(self)
        if cls._window is None:
            cls._window = arcade.Window(64, 64, visible=False)
        cls._window.switch_to()
        arcade.set_window(cls._window)
        self.ctx = cls._window.ctx
        use_shared_atlas(self.ctx)  # drawn on the render thread, its textures dropped on others
        self._painter.gl_ready(self.ctx)

    def _ensure_fbo(self, width: int, height: int) -> None:
        if self._fbo_size == (width, height):
            return
        texture = self.ctx.texture((width, height), components=4)
        self._fbo = self.ctx.framebuffer(color_attachments=[texture])
        self._fbo_size = (width, height)

    def _freeze(self) -> tuple[MapPainter, tuple[int, int, float, float]]:
        """On the GUI thread: the scene as the next frame draws it, and the frame's size."""
        ratio = self.devicePixelRatioF()
        sizes = (max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)),
                 float(self.width()), float(self.height()))
        return self._painter.freeze(sizes[2], sizes[3]), sizes

    def _buffer(self, width: int, height: int) -> np.ndarray:
        """On the render thread: a buffer to read a frame into, neither on screen nor waiting to be."""
        with self._lock:
            busy = [self._pixels] if self._newest is None else [self._pixels, self._newest.pixels]
            self._buffers = [b for b in self._buffers if b.shape[:2] == (height, width)]
            for buffer in self._buffers:
                if all(buffer is not b for b in busy):
                    return buffer
            buffer = np.empty((height, width, 4), dtype=np.uint8)
            self._buffers.append(buffer)
            return buffer

    def _draw_frame(self, scene: MapPainter, sizes: tuple[int, int, float, float]) -> None:
        """On the render thread: draw ``scene``, read it back, and make it the newest frame."""
        with short_gil_turns(FRAME_SWITCH_INTERVAL_S):
            self._draw_and_read(scene, sizes)

    def _draw_and_read(self, scene: MapPainter, sizes: tuple[int, int, float, float]) -> None:
        width, height, logical_w, logical_h = sizes
        pixels = self._buffer(width, height)
        started = time.perf_counter()
        type(self)._window.switch_to()
        arcade.set_window(type(self)._window)
        self._ensure_fbo(width, height)
        ctx = self.ctx
        ctx.active_program = None
        self._fbo.use()
        self._fbo.viewport = (0, 0, width, height)
        ctx.bind_window_block()
        ctx.enable_only(ctx.BLEND)
        ctx.blend_func = ctx.BLEND_DEFAULT
        # No force_opaque_alpha() here: the picture is shown as RGB32, whose alpha byte Qt never
        # reads, and on llvmpipe that masked clear is a full-screen pass (~2 ms a frame).
        scene.paint(ctx, logical_w, logical_h)
        issued = time.perf_counter()
        gl.glPixelStorei(gl.GL_PACK_ALIGNMENT, 4)
        gl.glReadPixels(0, 0, width, height, gl.GL_BGRA, gl.GL_UNSIGNED_BYTE,
                        pixels.ctypes.data_as(ctypes.POINTER(ctypes.c_ubyte)))
        self.ctx.screen.use()
        done = time.perf_counter()
        self._drawn += 1
        frame = _Frame(self._drawn, pixels, (issued - started) * 1000, (done - issued) * 1000)
        with self._lock:
            self._newest = frame

    def request_frame(self) -> None:
        """Hand the render thread the scene as it is now; frames follow on its clock (``frame_painted``)."""
        if self.ctx is None or self.gl_error:
            return
        scene = self._freeze()
        with self._lock:
            self._scene = scene
            self._fresh = True
            self._asked_at = time.perf_counter()
            start, self._looping = not self._looping, True
            if start:
                self._due = self._asked_at
        if start:
            render_thread().submit(self._loop)

    def _loop(self) -> None:
        """On the render thread: a frame from the newest copy, and the next one due ``FRAME_S`` after this
        one was (``next_frame_due``) while the picture moves (or a newer copy came), for up to ``RUN_ON_S``
        after the last copy."""
        started = time.perf_counter()
        with self._lock:
            assert self._scene is not None  # request_frame handed one over before starting the loop
            if self._newest is not None and self._newest.number > self._shown:
                # The last frame is not on screen yet: another now would overtake it, drawn for nothing.
                # Taking it starts this again (``_take_newest``).
                self._parked = True
                return
            scene, sizes = self._scene
            self._fresh = False
        try:
            self._draw_frame(scene, sizes)
            self._frame_done.emit()
        except RuntimeError as error:  # the widget was deleted while its frame was drawn
            if "deleted" not in str(error):
                self._failed()
            with self._lock:
                self._looping = False
            return
        except Exception:
            self._failed()
            with self._lock:
                self._looping = False
            return
        moving = scene.animating()
        finished = time.perf_counter()
        with self._lock:
            again = self._fresh or (moving and started - self._asked_at < RUN_ON_S)
            self._looping = again
            self._due = due = next_frame_due(self._due, finished)
        if again:
            render_thread().submit_at(due, self._loop)

    def _failed(self) -> None:
        self.gl_error = traceback.format_exc()
        log.error("offscreen map paint failed:\n%s", self.gl_error)

    def _take_newest(self) -> None:
        """Put the newest finished frame on screen (frames that were overtaken are not shown)."""
        with self._lock:
            frame = self._newest
            if frame is None or frame.number <= self._shown:
                return
            self._shown = frame.number
            self._pixels = frame.pixels
            resume, self._parked = self._parked, False
        if resume:
            render_thread().submit(self._loop)
        height, width = frame.pixels.shape[:2]
        # Wraps the numpy buffer without a copy; RGB32 ignores the alpha channel.
        self._image = QImage(frame.pixels.data, width, height, width * 4, QImage.Format.Format_RGB32)
        self.stats.draw_ms, self.stats.present_ms = frame.draw_ms, frame.present_ms
        self.stats.frames += 1
        self.update()

    def render_frame(self) -> None:
        """Render one frame and wait for it (tests, screenshots)."""
        if self.ctx is None or self.gl_error:
            return
        scene, sizes = self._freeze()
        with self._lock:
            self._scene = (scene, sizes)  # the loop, if running, goes on from this copy, not an older one
        try:
            render_thread().call(partial(self._draw_frame, scene, sizes))
        except Exception:
            self._failed()
            return
        self._take_newest()

    def render_now(self) -> None:
        self.render_frame()
        self.repaint()

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        if not self._image.isNull():
            # GL rows run bottom-up: paint the image flipped instead of copying it.
            painter.translate(0, self.height())
            painter.scale(1, -1)
            self._image.setDevicePixelRatio(self.devicePixelRatioF())
            painter.drawImage(0, 0, self._image)
        painter.end()
        self.frame_painted.emit()

    def grab_map(self) -> QImage:
        self.render_frame()
        return self._image.flipped(Qt.Orientation.Vertical)


def create_map_widget(painter: MapPainter, parent: QWidget | None = None) -> GLMapWidget | OffscreenMapWidget:
    """The host for this process's backend (see :func:`app.map.boot.choose_backend`)."""
    if choose_backend() == "offscreen":
        return OffscreenMapWidget(painter, parent)
    return GLMapWidget(painter, parent)
