"""GUI test setup: a real Qt window (Xvfb or QT_QPA_PLATFORM=offscreen), small worlds, clean settings.

Run: ``xvfb-run -a -s "-screen 0 1600x1000x24" python -m pytest tests/gui -q``.
Tests that need a window are skipped, with the reason printed, when no display
is available; the pure tests (sprite sync, camera, graph layout...) always run.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Settings must never touch the developer's own config.
os.environ.setdefault("TOWNSFOLK_CONFIG_DIR", tempfile.mkdtemp(prefix="townsfolk-test-config-"))

NEEDS_QT = {"qtbot", "qapp", "controller", "app_qt"}
# Under a real display, test the QOpenGLWidget recipe itself (the app picks the offscreen
# path on software GL for speed; QT_QPA_PLATFORM=offscreen runs cover that path).
if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] != "offscreen":
    os.environ.setdefault("TOWNSFOLK_MAP_BACKEND", "gl")


def display_problem() -> str | None:
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform == "offscreen":
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("no display: run under xvfb-run -a -s '-screen 0 1600x1000x24' "
            "or set QT_QPA_PLATFORM=offscreen")


def pytest_report_header(config: pytest.Config) -> str:
    problem = display_problem()
    if problem:
        return f"townsfolk GUI tests: SKIPPING window tests ({problem})"
    return f"townsfolk GUI tests: map backend {os.environ.get('TOWNSFOLK_MAP_BACKEND', 'offscreen')}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problem = display_problem()
    if problem is None:
        return
    skip = pytest.mark.skip(reason=problem)
    for item in items:
        if NEEDS_QT & set(getattr(item, "fixturenames", ())):
            item.add_marker(skip)


def _prepare_qt() -> None:
    """What app.shell.gui.make_application does before the QApplication exists."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QSurfaceFormat

    from app.map.boot import default_surface_format
    from app.shell.qt_compat import protect_singletons

    protect_singletons()  # PySide6 6.12.0 on Python 3.11 (see app/shell/qt_compat.py)
    QSurfaceFormat.setDefaultFormat(default_surface_format())
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


if display_problem() is None:
    _prepare_qt()


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each test starts from clean settings (one test's thinking choices never leak into the next), and
    memories embed with the fast hashing embedder: the default wordllama costs 1.6 s per world opened."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("TOWNSFOLK_CONFIG_DIR", str(folder))
    (folder / "townsfolk.ini").write_text("[minds]\nembedder=hashing\n")
    return folder


_qt_garbage = False  # the last test made windows whose Python side is still to be collected


@pytest.fixture(autouse=True)
def free_windows(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[None]:
    """What a test built in Qt is deleted when it ends, not kept until the process exits.

    A controller and its helpers refer to each other through Qt's parent links and signal connections,
    which Python's collector cannot see: left alone, every window a test opened (its map, its world's
    snapshots and events) stayed in memory to the end of the run, some 40-60 MB a window. The closed
    windows' own deleteLater() (pytest-qt asks for it) only runs in an event loop, which tests never enter.
    What is left then is ordinary garbage, collected in pytest_runtest_logfinish below.
    """
    global _qt_garbage
    from app.shell.controller import Controller

    made: weakref.WeakSet[Controller] = weakref.WeakSet()
    build = Controller.__init__

    def build_and_remember(self: Controller, *args: object, **kwargs: object) -> None:
        build(self, *args, **kwargs)  # type: ignore[arg-type]
        made.add(self)

    monkeypatch.setattr(Controller, "__init__", build_and_remember)
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is None:
        return
    _qt_garbage = bool(made) or "qtbot" in request.fixturenames
    for controller in list(made):
        controller.window.close()  # a no-op when the test or pytest-qt closed it already
        controller.window.deleteLater()
        controller.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """Collect a finished test's Qt objects here, on the main thread, once pytest has let go of its fixtures.

    Collections run only on the main thread in a process with a window (engine/runtime/collector.py), but
    there only when the event loop turns; collected here, the next test starts without the last one's windows.
    """
    global _qt_garbage
    if not _qt_garbage:
        return
    _qt_garbage = False
    from PySide6.QtCore import QCoreApplication, QEvent

    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Once a test's QApplication exists, garbage is collected on the main thread only, as in the app."""
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is not None:
        from app.shell.gui import collect_garbage_on_gui_thread

        collect_garbage_on_gui_thread(app)  # type: ignore[arg-type]  # the tests' QApplication is a QGuiApplication


@pytest.fixture(scope="session")
def app_qt(qapp):  # type: ignore[no-untyped-def]
    from app.shell.gui import configure_application

    configure_application(qapp)
    return qapp


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small worlds made once per run (the sample worlds may not exist yet)."""
    from engine import api

    folder = tmp_path_factory.mktemp("worlds")
    out = {}
    for key, agents, template in (("village", 25, "village"), ("town", 600, "city")):
        path = folder / f"{key}.town"
        api.save_world(api.new_world(agents, 3, template), path)
        out[key] = path
    bad = folder / "broken.town"
    bad.write_bytes(b"this is not a world file at all")
    out["broken"] = bad
    return out


@pytest.fixture(scope="session")
def thinking_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[object]]:
    """The village after a day and a bit of thinking on the fake model, saved with its memories.

    Run headless on a live engine (a second or two; the same run behind the window's docks takes far
    longer), so the GUI tests open a town whose people already remember, plan and have reflected.
    Returns the file and the ``ReflectionMade`` events of the run.
    """
    from engine import api
    from engine.contracts import ReflectionMade, SaveWorld, SetSpeed, Step, WorldSaved

    path = tmp_path_factory.mktemp("thinking") / "thinking.town"
    handle = api.EngineHandle(api.new_world(25, 3, "village"), llm=api.LLMConfig(brain="fake"), embedder="hashing")
    handle.start()
    events: list[object] = []
    try:
        handle.submit(SetSpeed(ticks_per_second=0))
        deadline = time.monotonic() + 90
        target = 0
        while time.monotonic() < deadline and target < 2400:
            # In chunks, until someone has reflected on memories they cite (about a day in).
            target += 200
            handle.submit(Step(ticks=200))
            while time.monotonic() < deadline:
                events += handle.drain_events()
                snapshot = handle.latest_snapshot()
                if snapshot is not None and snapshot.tick >= target:
                    break
                time.sleep(0.01)
            if any(isinstance(e, ReflectionMade) and e.evidence for e in events):
                break
        handle.submit(SaveWorld(path=str(path)))
        while time.monotonic() < deadline and not any(isinstance(e, WorldSaved) for e in events):
            events += handle.drain_events()
            time.sleep(0.01)
    finally:
        handle.stop()
    assert path.is_file(), "the thinking world was not saved"
    return path, [e for e in events if isinstance(e, ReflectionMade)]


def run_ticks(controller, ticks: int, timeout: float = 60.0) -> int:  # type: ignore[no-untyped-def]
    """Run ``ticks`` ticks at full speed and wait for them; returns the tick reached."""
    from engine.contracts import SetSpeed, Step

    bridge = controller.bridge
    target = bridge.latest.tick + ticks
    bridge.send(SetSpeed(ticks_per_second=0))
    bridge.send(Step(ticks=ticks))
    wait_until(lambda: bridge.latest.tick >= target, timeout, f"{ticks} ticks")
    return bridge.latest.tick


def here_on_the_offscreen_map(request: pytest.FixtureRequest) -> bool:
    """True where this process draws the offscreen map. A process under a real display tests the GL
    widget instead (its map backend is fixed at start), so there the test runs in a child process on
    the offscreen platform, and must pass there."""
    from app.map.boot import choose_backend

    if choose_backend() == "offscreen":
        return True
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("TOWNSFOLK_MAP_BACKEND", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"{request.node.path}::{request.node.name}"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return False


def wait_until(predicate: Callable[[], object], timeout: float = 20.0, message: str = "condition") -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if predicate():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")


@pytest.fixture
def open_controller(app_qt, qtbot):  # type: ignore[no-untyped-def]
    """A factory: the real main window on a world, loaded and showing its first snapshot."""
    from app.shell.controller import Controller

    made: list[Controller] = []

    def make(world: Path, quiet: bool = True, llm: object = None) -> Controller:
        """``llm``: an ``app.thinking.llm_settings.LLMSettings`` to save first, so the world opens thinking that way."""
        if llm is not None:
            from app.files.settings import Settings

            llm.save(Settings())  # type: ignore[attr-defined]
        controller = Controller(quiet=quiet)
        made.append(controller)
        window = controller.window
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        loaded: list[object] = []
        controller.world_loaded.connect(loaded.append)
        controller.open_path(world)
        wait_until(lambda: loaded or controller.errors, 60, "the world to load")
        assert not controller.errors, controller.errors
        wait_until(lambda: controller.bridge.latest is not None, 20, "the first snapshot")
        view = window.map_view
        view.render_now()
        wait_until(lambda: view.scene.ready and view.host.stats.frames > 0, 30, "the map to be built")
        assert view.gl_error is None, view.gl_error
        return controller

    yield make
    for controller in made:
        controller.window.close()


@pytest.fixture
def controller(open_controller, worlds) -> Iterator[object]:  # type: ignore[no-untyped-def]
    yield open_controller(worlds["village"])
