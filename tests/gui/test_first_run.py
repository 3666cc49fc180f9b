"""First run, user folders, crash safety and the bundle fixes, on the real window.

Every user folder (config, data, logs, documents) points at a temporary HOME, so
nothing here touches the developer's own files or the repository's ``worlds/``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.gui.conftest import wait_until


@pytest.fixture
def user_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A throw-away HOME with its XDG folders (platformdirs reads these on Linux)."""
    home = tmp_path / "home"
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        (home / sub).mkdir(parents=True)
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    return home


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def _start(qtbot, path: str | None = None):  # type: ignore[no-untyped-def]
    """Build the window the way ``run_gui`` does, and start it (no world given: recovery, last, or welcome)."""
    from app.shell.controller import Controller

    controller = Controller(quiet=True)
    qtbot.addWidget(controller.window)
    controller.window.resize(1280, 800)
    controller.window.show()
    qtbot.waitExposed(controller.window)
    controller.open_initial(path)
    return controller


def _wait_loaded(controller) -> None:  # type: ignore[no-untyped-def]
    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    wait_until(lambda: loaded or controller.errors, 60, "the world to load")
    assert not controller.errors, controller.errors
    wait_until(lambda: controller.bridge.latest is not None, 20, "the first snapshot")


def _close(controller) -> None:  # type: ignore[no-untyped-def]
    view = controller.window.map_view
    wait_until(lambda: view.scene.ready or view.gl_error, 30, "the map to be built")  # never close mid-build
    controller.window.close()


def test_welcome_then_sample_then_save_goes_to_documents(app_qt, qtbot, user_home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    from app.common.resources import bundled_world, resource_root
    from app.files.settings import Settings
    from app.files.user_paths import worlds_dir

    samples = resource_root() / "worlds"
    before = _tree(samples)
    controller = _start(qtbot)
    welcome = controller.welcome
    assert welcome is not None and welcome.isVisible()
    assert not controller.bridge.attached
    # The Ollama panel asks on a worker thread and ends in a state with steps to follow.
    wait_until(lambda: welcome.ollama.state != "checking", 15, "the Ollama check")
    assert "ollama" in welcome.ollama.text.text().lower()
    assert welcome.ollama.again.isEnabled()

    welcome.village.click()
    _wait_loaded(controller)
    assert controller.path == bundled_world("village")
    assert not welcome.isVisible()
    assert Settings().last_world() is None  # a bundled sample is never the world to reopen

    asked: list[str] = []
    target = worlds_dir() / "my village.town"

    def save_dialog(_parent, _title, start, _filter):  # type: ignore[no-untyped-def]
        asked.append(start)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    saved: list[str] = []
    controller.bridge.world_saved.connect(saved.append)
    controller.save()
    assert asked, "Save on a bundled sample must ask where to save"
    assert Path(asked[0]).parent == worlds_dir()
    wait_until(lambda: saved, 30, "the save")
    assert target.is_file()
    assert Settings().last_world() == str(target.resolve())
    assert _tree(samples) == before, "nothing may be written into the bundled worlds/"
    _close(controller)


@pytest.mark.qt_no_exception_capture  # the app's own hook must see the exception, not pytest-qt's
def test_a_crash_in_a_slot_autosaves_and_the_next_start_recovers(  # type: ignore[no-untyped-def]
        app_qt, qtbot, user_home, monkeypatch, open_controller, worlds) -> None:
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from app.files import crash

    controller = open_controller(worlds["village"])
    guard = crash.CrashGuard(controller).install()

    class Boom(QObject):
        fired = Signal()

    def explode() -> None:
        raise RuntimeError("a deliberate test crash")

    boom = Boom()
    boom.fired.connect(explode)
    try:
        QTimer.singleShot(0, boom.fired.emit)
        wait_until(lambda: guard.crashes and not guard._handling, 10, "the crash handler")
        # The window is not held while the copy is saved: the dialog says so, then what became of it.
        assert guard.dialog is not None and crash.SAVING in guard.dialog.text()
        wait_until(lambda: guard.recovered is not None, 60, "the recovery copy")
    finally:
        guard.uninstall()
    assert crash.SAVED in guard.dialog.text()
    assert "a deliberate test crash" in crash.log_path().read_text(encoding="utf-8")
    assert crash.log_path().is_relative_to(user_home)
    marker = json.loads(crash.marker_path().read_text(encoding="utf-8"))
    assert marker["original"] == str(worlds["village"])
    recovery = Path(marker["recovery"])
    assert recovery.is_file() and recovery.is_relative_to(user_home)
    assert guard.dialog is not None and guard.dialog.isVisible()
    assert str(crash.log_path()) in guard.dialog.text()
    guard.dialog.close()
    _close(controller)

    asked: list[str] = []
    def question(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        asked.append("recover")
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    again = _start(qtbot)
    assert asked == ["recover"]
    _wait_loaded(again)
    assert again.path == recovery
    assert crash.read_marker() is None  # offered once
    starts: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, start, _f: starts.append(start) or ("", ""))
    again.save()  # a recovery copy is never saved over: Save asks, starting at the original file
    assert starts == [str(worlds["village"])]
    _close(again)


@pytest.mark.qt_no_exception_capture
def test_a_crash_whose_recovery_save_kills_the_engine_says_no_copy_was_saved(  # type: ignore[no-untyped-def]
        app_qt, qtbot, user_home, monkeypatch, open_controller, worlds) -> None:
    from PySide6.QtCore import QTimer

    import engine.runtime.engine_thread as engine_thread
    from app.files import crash

    def broken_save(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the save itself went wrong")  # not a file error: the engine thread dies of it

    controller = open_controller(worlds["village"])
    monkeypatch.setattr(engine_thread, "save_pair", broken_save)
    guard = crash.CrashGuard(controller).install()

    def explode() -> None:
        raise RuntimeError("a deliberate test crash")

    try:
        QTimer.singleShot(0, explode)
        wait_until(lambda: guard.crashes and guard.dialog is not None, 10, "the crash handler")
        wait_until(lambda: "could not save" in guard.dialog.text(), 30, "the dialog to say what became of the copy")
    finally:
        guard.uninstall()
    assert crash.SAVING not in guard.dialog.text()
    assert "The simulation stopped" in guard.dialog.text() and "the save itself went wrong" in guard.dialog.text()
    assert crash.read_marker() is None and guard.recovered is None  # nothing half-saved is ever offered
    guard.dialog.close()
    _close(controller)


def test_font_fallback_sees_through_fontconfig_aliases() -> None:
    from app.shell.gui import needs_fallback_font

    assert needs_fallback_font([])
    assert needs_fallback_font(["Monospace", "Sans Serif", "Serif"])
    assert not needs_fallback_font(["Sans Serif", "DejaVu Sans"])


def test_bundle_children_get_the_original_library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.shell.gui import restore_child_environment

    env = {"LD_LIBRARY_PATH": "/bundle/_internal", "LD_LIBRARY_PATH_ORIG": "/usr/local/lib"}
    restore_child_environment(env)
    assert env["LD_LIBRARY_PATH"] == "/bundle/_internal"  # not frozen: left alone
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    restore_child_environment(env)
    assert env["LD_LIBRARY_PATH"] == "/usr/local/lib"
    env = {"LD_LIBRARY_PATH": "/bundle/_internal"}
    restore_child_environment(env)
    assert "LD_LIBRARY_PATH" not in env
