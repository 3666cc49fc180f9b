"""Import arcade the one way that works inside Qt, and decide which map backend to use.

Two backends share one scene:

* ``gl``: arcade draws straight into a ``QOpenGLWidget``; Qt owns the GL context.
* ``offscreen``: arcade renders into its own framebuffer in a headless (EGL)
  context, on a render thread of its own (``app.map.render_thread``), and the
  pixels are painted as a ``QImage``. This is what
  ``QT_QPA_PLATFORM=offscreen`` needs, because there a ``QOpenGLWidget`` gets
  no context. It is also chosen when the GL driver is a software rasterizer
  (llvmpipe, softpipe, swrast): there Qt composites a GL widget in software at
  ~30-90 ms a frame, while a readback costs under a millisecond, so the
  offscreen path is the faster one on such machines.

pyglet reads its options when arcade is imported, and headless mode cannot be
switched afterwards, so the choice is made once per process, here, before the
first ``import arcade``. Set ``TOWNSFOLK_MAP_BACKEND=gl|offscreen`` to force one.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

from PySide6.QtGui import QSurfaceFormat

from app.map.gl_calls import keep_gil_in_quick_calls

_BACKENDS = ("gl", "offscreen")
_chosen: str | None = None
_arcade: ModuleType | None = None


def choose_backend() -> str:
    """The backend this process uses (fixed on first call)."""
    global _chosen
    if _chosen is not None:
        return _chosen
    forced = os.environ.get("TOWNSFOLK_MAP_BACKEND", "").strip().lower()
    if forced in _BACKENDS:
        _chosen = forced
        return _chosen
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    try:
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance()
        if app is not None:
            platform = QGuiApplication.platformName().lower()
    except ImportError:  # pragma: no cover - PySide6 is a hard dependency
        pass
    if platform in ("offscreen", "minimal", "vnc"):
        _chosen = "offscreen"
    else:
        renderer = gl_renderer()
        _chosen = "offscreen" if renderer and any(s in renderer.lower() for s in _SOFTWARE) else "gl"
    return _chosen


_SOFTWARE = ("llvmpipe", "softpipe", "swrast", "software rasterizer")


def gl_renderer() -> str | None:
    """The GL renderer Qt would get (needs a QGuiApplication), or None if unknown."""
    try:
        from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext
    except ImportError:  # pragma: no cover
        return None
    if QGuiApplication.instance() is None:
        return None
    context = QOpenGLContext()
    if not context.create():
        return None
    surface = QOffscreenSurface()
    surface.create()
    try:
        if not context.makeCurrent(surface):
            return None
        return str(context.functions().glGetString(0x1F01))  # GL_RENDERER
    finally:
        context.doneCurrent()
        surface.destroy()


def default_surface_format() -> QSurfaceFormat:
    """OpenGL 3.3 core, set as Qt's default *before* the QApplication exists."""
    fmt = QSurfaceFormat()
    fmt.setVersion(3, 3)
    fmt.setProfile(QSurfaceFormat.OpenGLContextProfile.CoreProfile)
    fmt.setDepthBufferSize(0)
    fmt.setStencilBufferSize(0)
    fmt.setAlphaBufferSize(8)
    fmt.setSwapInterval(0)  # never block the GUI thread on vsync
    return fmt


def arcade_module() -> ModuleType:
    """``import arcade`` with the pyglet options the chosen backend needs."""
    global _arcade
    if _arcade is not None:
        return _arcade
    backend = choose_backend()
    if "arcade" not in sys.modules:
        if backend == "offscreen":
            os.environ["ARCADE_HEADLESS"] = "1"
        else:
            os.environ.pop("ARCADE_HEADLESS", None)
        import pyglet

        # No hidden pyglet window: in the gl backend Qt makes every context.
        pyglet.options.shadow_window = False
        pyglet.options.debug_gl = False
        if backend == "offscreen":
            pyglet.options.headless = True
    import arcade
    import pyglet.gl
    import pyglet.gl.gl

    keep_gil_in_quick_calls(pyglet.gl, pyglet.gl.gl)
    _arcade = arcade
    return arcade
