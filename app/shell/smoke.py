"""``townsfolk --smoke-test OUT.png``: prove the real window starts, runs and renders.

Opens the main window on a world (the bundled village by default), runs N
ticks at full speed, renders the map, saves a screenshot of the whole window
and exits 0 — or prints what went wrong and exits 1. A blank or black map
counts as a failure. Settings go to a throw-away folder, never the user's.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from app.shell.controller import Controller
    from app.window.main_window import MainWindow

LOAD_TIMEOUT = 180.0
RUN_TIMEOUT = 300.0


def _pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.005)


def image_array(image: QImage) -> np.ndarray:
    """(h, w, 4) uint8 copy of a QImage (BGRA byte order on little-endian machines)."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    ptr = image.constBits()
    data = np.frombuffer(ptr, dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()].copy()


def blank_reason(image: QImage) -> str | None:
    """Why a map image looks broken (all black, or one flat colour), or None if it looks drawn."""
    if image.isNull() or image.width() < 8 or image.height() < 8:
        return "the map image is empty"
    pixels = image_array(image)[..., :3].astype(np.float32)
    if pixels.max() < 8:
        return "the map is black"
    if pixels.reshape(-1, 3).std(axis=0).max() < 4:
        return "the map is a single flat colour"
    return None


def grab_window(window: QWidget, map_widget: QWidget, map_image: QImage) -> QImage:
    """The whole window, with the map pasted from its GL/offscreen render (never black)."""
    shot = window.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    painter = QPainter(shot)
    top_left = map_widget.mapTo(window, QPoint(0, 0))
    map_image = map_image.scaled(map_widget.size() * shot.devicePixelRatio())
    map_image.setDevicePixelRatio(shot.devicePixelRatio())
    painter.drawImage(top_left, map_image)
    painter.end()
    return shot


def run_smoke(out: str, world: str | None, ticks: int, size: tuple[int, int] = (1280, 800),
              dock: str | None = None, select: int = -1, save_to: str | None = None) -> int:
    os.environ.setdefault("TOWNSFOLK_CONFIG_DIR", tempfile.mkdtemp(prefix="townsfolk-smoke-"))
    from app.shell.controller import Controller

    controller = Controller(quiet=True)
    try:
        return _run(controller, out, world, ticks, size, dock, select, save_to)
    finally:
        # Tear the window (and its GL context) down while Qt is still fully alive.
        controller.window.close()
        controller.window.deleteLater()
        _pump(0.05)


def _run(controller: Controller, out: str, world: str | None, ticks: int, size: tuple[int, int],
         dock: str | None, select: int, save_to: str | None) -> int:
    from app.common.resources import bundled_world
    from engine.contracts import SetSpeed, Step

    def fail(message: str) -> int:
        print(f"townsfolk: smoke test failed: {message}", file=sys.stderr)
        return 1

    window = controller.window
    window.resize(*size)
    window.show()
    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    target = world or (str(bundled_world()) if bundled_world().is_file() else None)
    if target:
        controller.open_path(target)
    else:
        controller.loader.new("village", 25, 0)
    deadline = time.monotonic() + LOAD_TIMEOUT
    while not loaded and not controller.errors and time.monotonic() < deadline:
        _pump(0.02)
    if controller.errors:
        return fail("; ".join(controller.errors))
    if not loaded:
        return fail(f"the world did not load within {LOAD_TIMEOUT:.0f} s")
    view = window.map_view
    if view.gl_error:
        return fail(f"the map could not start: {view.gl_error.strip().splitlines()[-1]}")
    bridge = controller.bridge
    deadline = time.monotonic() + 30
    while bridge.latest is None and time.monotonic() < deadline:
        _pump(0.02)
    if bridge.latest is None:
        return fail("the engine published no snapshot")
    start_tick = bridge.latest.tick
    bridge.send(SetSpeed(ticks_per_second=0))
    if ticks > 0:
        bridge.send(Step(ticks=ticks))
    deadline = time.monotonic() + RUN_TIMEOUT
    while bridge.latest.tick < start_tick + ticks and time.monotonic() < deadline:
        if controller.errors:
            return fail("; ".join(controller.errors))
        _pump(0.02)
    if bridge.latest.tick < start_tick + ticks:
        return fail(f"ran only {bridge.latest.tick - start_tick} of {ticks} ticks in {RUN_TIMEOUT:.0f} s")
    deadline = time.monotonic() + 30
    while not view.scene.ready and time.monotonic() < deadline:  # the ground is painted on a worker
        view.render_now()
        _pump(0.05)
    if select >= 0:
        controller.selection.select_person(select)
    _pump(0.3)  # let the docks and the map catch up with the last snapshot
    view.render_now()
    _pump(0.1)
    if view.gl_error:
        return fail(f"the map failed to draw: {view.gl_error.strip().splitlines()[-1]}")
    map_image = view.grab_map()
    reason = blank_reason(map_image)
    if reason:
        return fail(reason)
    shot = grab_window(window, view.host, map_image)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    if not shot.save(out):
        return fail(f"could not write {out}")
    snap = bridge.latest
    share = view.width() * view.height() / max(1, window.width() * window.height())
    print(f"smoke test ok: {controller.world_name}, {len(snap.static.people)} people, ran {ticks} ticks to "
          f"{snap.clock_text}; map backend {view.backend}; map {view.width()}x{view.height()} = {share:.0%} of "
          f"the {window.width()}x{window.height()} window; screenshot {out}")
    if save_to:
        failed = _save(controller, save_to)
        if failed:
            return fail(failed)
    if dock:
        return _grab_dock(window, dock, out, fail)
    return 0


def _save(controller: Controller, path: str) -> str | None:
    """Save the world to ``path`` as the autosave does (a world on the rule brain has its memories written by a
    process of its own: in the frozen app, the app's executable again); None, or why it failed."""
    from engine import api
    from engine.contracts import SaveWorld

    done: list[str] = []
    controller.bridge.world_saved.connect(lambda _path: done.append(""))
    controller.bridge.save_failed.connect(lambda _path, reason: done.append(reason))
    began = time.monotonic()
    controller.bridge.send(SaveWorld(path=path))
    deadline = began + RUN_TIMEOUT
    while not done and time.monotonic() < deadline:
        _pump(0.02)
    if not done:
        return f"the save to {path} did not finish within {RUN_TIMEOUT:.0f} s"
    if done[0]:
        return done[0]
    version = api.read_meta(path).get("x.memory_version")
    if version and not (Path(path).with_suffix(".memory") / version).is_dir():
        return f"the save to {path} names memories ({version}) that are not beside it"
    print(f"smoke test saved {path} in {time.monotonic() - began:.1f} s (memories: {version or 'none'})")
    return None


def _grab_dock(window: MainWindow, key: str, out: str, fail: Callable[[str], int]) -> int:
    """Float one dock at a readable size and save it beside the window's screenshot."""
    dock = window.docks.get(key)
    if dock is None:
        return fail(f"no dock called {key!r} (there are {', '.join(sorted(window.docks))})")
    dock.setFloating(True)
    dock.resize(900, 700)
    dock.show()
    dock.raise_()
    _pump(2.0)  # the graph's layout comes from a worker thread
    path = Path(out).with_name(f"{Path(out).stem}-{key}.png")
    if not dock.grab().save(str(path)):
        return fail(f"could not write {path}")
    print(f"dock {key}: {path}")
    return 0
