"""Start the desktop app: ``townsfolk [WORLD]`` or ``townsfolk --smoke-test OUT.png``.

Qt is set up here in the order it needs: the GL surface format and context
sharing before the ``QApplication`` exists, fonts and the app icon after.
Also the desktop integration a bundle needs: the environment its child
processes get, the Wayland desktop-file name, the macOS open-document event,
and the crash guard.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import cast

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFileOpenEvent, QFont, QFontDatabase, QGuiApplication, QIcon, QSurfaceFormat
from PySide6.QtWidgets import QApplication

from app.map.boot import default_surface_format
from app.shell.qt_compat import protect_singletons
from engine import api

# How long a thread may hold the GIL while another waits for it (Python's default is 5 ms). The engine
# thread runs Python flat out at max speed; every time the GUI thread comes back from C (a Qt event,
# a GL call, a paint) it waits for the engine to give the GIL up, so at 5 ms a frame made of dozens
# of such returns took hundreds of milliseconds and a key press waited as long. Measured with the
# 10,000-person town at max speed: frames, key presses and the engine's ticks each about twice as fast.
GUI_SWITCH_INTERVAL_S = 0.0005
GENERIC_FAMILIES = frozenset({"Monospace", "Sans Serif", "Serif"})  # fontconfig's aliases, even with no fonts


def restore_child_environment(environ: dict[str, str] | None = None) -> None:
    """A PyInstaller bundle points ``LD_LIBRARY_PATH`` at its own libraries; anything the app launches
    (``xdg-open``, a browser, a file manager) must get the user's original value back, or none."""
    env = os.environ if environ is None else environ
    if not getattr(sys, "frozen", False):
        return
    original = env.get("LD_LIBRARY_PATH_ORIG")
    if original is not None:
        env["LD_LIBRARY_PATH"] = original
    else:
        env.pop("LD_LIBRARY_PATH", None)


def needs_fallback_font(families: Iterable[str]) -> bool:
    """True when there is no real font: none at all, or only fontconfig's generic aliases."""
    return not [family for family in families if family not in GENERIC_FAMILIES]


def install_fallback_font(app: QGuiApplication) -> bool:
    """On a system without fonts, use the Liberation Sans that arcade ships (else labels are boxes)."""
    if not needs_fallback_font(QFontDatabase.families()):
        return False
    from app.map.textures import font_path

    for bold in (False, True):
        QFontDatabase.addApplicationFont(str(font_path(bold)))
    app.setFont(QFont("Liberation Sans", app.font().pointSize()))
    return True


class FileOpenFilter(QObject):
    """macOS Finder sends a double-clicked ``.town`` file as an open-document event, not in ``argv``."""

    file_opened = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pending: list[str] = []  # files that arrived before anyone listened (at launch)
        self.listening = False

    def listen(self, open_file: Callable[[str], object]) -> None:
        self.file_opened.connect(open_file)
        self.listening = True
        for path in self.pending:
            open_file(path)
        self.pending.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent) and event.file():
            if self.listening:
                self.file_opened.emit(event.file())
            else:
                self.pending.append(event.file())
            return True
        return super().eventFilter(watched, event)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="townsfolk", description="A living city of generative agents.")
    parser.add_argument("world", nargs="?", help="a .town world file to open")
    parser.add_argument("--smoke-test", metavar="OUT.png",
                        help="open the window, run some ticks, save a screenshot and exit (0 = fine)")
    parser.add_argument("--world", dest="world_option", metavar="WORLD", help="the world for --smoke-test")
    parser.add_argument("--ticks", type=int, default=30, help="ticks to run in --smoke-test (default 30)")
    parser.add_argument("--size", default="1280x800", help="window size for --smoke-test (default 1280x800)")
    parser.add_argument("--dock", metavar="NAME", help="--smoke-test also floats this dock (graph, timeline, "
                        "inspector, ...) at 900x700 and saves it beside the screenshot as OUT-NAME.png")
    parser.add_argument("--select", type=int, default=-1, metavar="PERSON",
                        help="--smoke-test selects this person (by id) before the screenshots")
    parser.add_argument("--save-to", metavar="WORLD.town",
                        help="--smoke-test then saves the world there, memories included, as the autosave does")
    return parser


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, configured for the arcade map (call once, before any widget)."""
    protect_singletons()
    existing = QApplication.instance()
    if existing is not None:
        return cast(QApplication, existing)  # this process only ever makes a QApplication (Qt types it as the core one)
    QSurfaceFormat.setDefaultFormat(default_surface_format())
    # Docks can float: a QOpenGLWidget moved between windows needs shared contexts.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(argv or ["townsfolk"])
    configure_application(app)
    return app


GARBAGE_TENDED_EVERY_MS = 200


def collect_garbage_on_gui_thread(app: QGuiApplication) -> None:
    """Garbage that holds Qt objects (a closed dock, the window of a world opened before) is collected on this
    thread only: a collection on the engine thread would destroy them there, and Qt deadlocks. A timer stands
    in for the automatic collections (engine/runtime/collector.py)."""
    if app.property("townsfolk-garbage-timer"):
        return
    api.collect_garbage_on_this_thread_only()
    timer = QTimer(app)
    timer.timeout.connect(api.tend_garbage_collection)
    timer.start(GARBAGE_TENDED_EVERY_MS)
    app.setProperty("townsfolk-garbage-timer", True)


def configure_application(app: QGuiApplication) -> None:
    protect_singletons()  # tests build their QApplication themselves and come in here
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    collect_garbage_on_gui_thread(app)
    app.setApplicationName("Townsfolk")
    app.setOrganizationName("Townsfolk")
    app.setApplicationDisplayName("Townsfolk")
    QGuiApplication.setDesktopFileName("townsfolk")  # Wayland matches the window to townsfolk.desktop
    from app.common.art import load_art

    icon = QIcon()
    for path in load_art().app_icons.values():
        if path.suffix == ".png" and path.is_file():
            icon.addFile(str(path))
    if not icon.isNull():
        app.setWindowIcon(icon)
    install_fallback_font(app)


def run_gui(args: list[str]) -> int:
    restore_child_environment()  # before anything can launch a process
    options = _parser().parse_args(args)
    logging.basicConfig(level=os.environ.get("TOWNSFOLK_LOG", "WARNING").upper(),
                        format="%(levelname)s %(name)s: %(message)s")
    app = make_application([sys.argv[0] if sys.argv else "townsfolk"])
    file_open = FileOpenFilter(app)
    app.installEventFilter(file_open)
    if options.smoke_test:
        from app.shell.smoke import run_smoke

        width, _, height = options.size.partition("x")
        return run_smoke(options.smoke_test, options.world_option or options.world, options.ticks,
                         (int(width or 1280), int(height or 800)), dock=options.dock, select=options.select,
                         save_to=options.save_to)
    from app.files.crash import CrashGuard
    from app.shell.controller import Controller

    controller = Controller()
    CrashGuard(controller).install()
    controller.window.show()
    controller.open_initial(options.world or options.world_option or (file_open.pending.pop(0)
                                                                       if file_open.pending else None))
    file_open.listen(controller.open_path)
    # Let Ctrl+C in the terminal quit: Python only sees signals between Qt events.
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    return app.exec()
