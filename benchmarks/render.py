"""Map render benchmark: frames per second of the real map widget at 100, 1,000 and 10,000 people.

    python benchmarks/render.py [--agents N] [--frames F] [--zoom fit|street] [--backend gl|offscreen] [--json]

Every frame gets a *new* snapshot (everyone moved), so a frame pays for the
whole path: snapshot -> sprite buffers (``sync``), the arcade draw calls
(``draw``), and getting the pixels on screen (``present``: Qt compositing the GL
widget, or the offscreen readback). Without a display it uses the offscreen
backend (QT_QPA_PLATFORM=offscreen); under Xvfb, the QOpenGLWidget.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZE = (1280, 800)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, action="append", help="people in the town (repeatable)")
    parser.add_argument("--frames", type=int, default=120, help="frames to time per size (default 120)")
    parser.add_argument("--zoom", choices=("fit", "street"), default="fit",
                        help="fit: the whole town (everyone on screen); street: close up, names and icons")
    parser.add_argument("--backend", choices=("gl", "offscreen"), help="default: gl with a display, else offscreen")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-people", action="store_true", help="draw the town without its people (for comparison)")
    return parser.parse_args()


def _choose_backend(requested: str | None) -> None:
    """``--backend`` forces one; otherwise the app's own choice (offscreen without a display)."""
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if requested:
        os.environ["TOWNSFOLK_MAP_BACKEND"] = requested
    if requested == "offscreen" or not has_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _snapshot(agents: int):  # type: ignore[no-untyped-def]
    from engine import api

    template = "village" if agents <= 60 else "city"
    handle = api.EngineHandle(api.new_world(agents, 1, template))
    handle.start()
    try:
        deadline = time.monotonic() + 60
        while handle.latest_snapshot() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return handle.latest_snapshot()
    finally:
        handle.stop()


def run(agents: int, frames: int, zoom: str, people: bool = True) -> dict[str, object]:
    import numpy as np
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.map.view import MapView

    snapshot = _snapshot(agents)
    view = MapView()
    view.resize(*SIZE)
    view.show()
    QApplication.processEvents()
    view.set_snapshot(snapshot)
    view.render_now()
    for _ in range(5):
        QApplication.processEvents()
    if zoom == "street":
        view.camera.zoom = 2.5
        view.scene.camera.look_at(*view.scene.person_xy(0))
    rng = np.random.default_rng(0)
    steps = rng.normal(0, 0.05, size=(8, len(snapshot.positions), 2)).astype(np.float32)
    host, scene = view.host, view.scene
    scene.show_people = people
    view._timer.stop()  # the benchmark drives frames itself, as fast as they go
    sync_ms, draw_ms = [], []
    state = {"positions": snapshot.positions.copy(), "frame": 0}

    def feed() -> None:
        frame = state["frame"]
        started = time.perf_counter()
        state["positions"] = state["positions"] + steps[frame % len(steps)]
        view.set_snapshot(dataclasses.replace(snapshot, tick=snapshot.tick + frame + 1, positions=state["positions"]))
        state["fed_ms"] = (time.perf_counter() - started) * 1000
        host.update()

    def on_frame() -> None:
        # Called after each paint: record this frame's stages, then queue the next one.
        state["frame"] += 1
        if state["frame"] > 10:
            sync_ms.append(state["fed_ms"] + scene.times.sync_ms)
            draw_ms.append(scene.times.draw_ms)
        if state["frame"] == 10:
            state["t0"] = time.perf_counter()
        if state["frame"] < frames + 10:
            QTimer.singleShot(0, feed)

    host.frame_painted.connect(on_frame)
    feed()
    deadline = time.monotonic() + 300
    while state["frame"] < frames + 10 and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    elapsed = time.perf_counter() - state["t0"]
    host.frame_painted.disconnect(on_frame)
    total_ms = elapsed * 1000 / max(1, state["frame"] - 10)
    view.close()
    QApplication.processEvents()
    sync, draw = statistics.fmean(sync_ms), statistics.fmean(draw_ms)
    return {
        "agents": len(snapshot.positions),
        "frames": frames,
        "fps": round(1000 / total_ms, 1),
        "ms_per_frame": round(total_ms, 2),
        "snapshot_to_sprites_ms": round(sync, 3),
        "draw_ms": round(draw, 3),
        "present_ms": round(max(0.0, total_ms - sync - draw), 3),
        "zoom": round(view.camera.zoom, 3),
        "gl_error": view.gl_error,
    }


def main() -> int:
    options = _parse()
    _choose_backend(options.backend)
    from app.map.boot import choose_backend
    from app.shell.gui import make_application

    make_application()
    results = [run(n, options.frames, options.zoom, not options.no_people) for n in (options.agents or [100, 1000, 10_000])]
    report = {"backend": choose_backend(), "size": list(SIZE), "zoom": options.zoom, "results": results}
    if options.json:
        print(json.dumps(report))
    else:
        for r in results:
            print(f"{r['agents']:>6} people: {r['fps']:6.1f} fps  ({r['ms_per_frame']:.1f} ms/frame: sync "
                  f"{r['snapshot_to_sprites_ms']:.2f}, draw {r['draw_ms']:.2f}, present {r['present_ms']:.2f})"
                  f"  [{report['backend']}, {options.zoom}]")
    return 0 if all(r["gl_error"] is None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
