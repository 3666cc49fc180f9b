"""Unsaved work is never dropped silently: the title's marker, Save / Discard / Cancel, autosave, lost memories.

The real window on a copy of a small village; the question box is answered by clicking
its buttons, as a user would.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gui.conftest import run_ticks, wait_until
from tests.gui.test_first_run import user_home  # noqa: F401  (a fixture: throw-away user folders)


@pytest.fixture
def village_copy(tmp_path: Path, worlds) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "mine.town"
    shutil.copy2(worlds["village"], path)
    return path


@pytest.fixture
def asking(open_controller) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The window as a user has it: it asks before dropping work (the other GUI tests run quiet)."""
    made: list[object] = []

    def make(path: Path):  # type: ignore[no-untyped-def]
        controller = open_controller(path, quiet=False)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.gate.ask = False  # (pytest-qt closes the windows before this runs: tests call done())


def done(*controllers) -> None:  # type: ignore[no-untyped-def]
    """The test is over: closing the window at teardown must not ask (nobody would answer)."""
    for controller in controllers:
        controller.gate.ask = False


def answer(button: str, seen: list[str]) -> None:
    """Click ``button`` (Save, Discard, Cancel) in the unsaved-changes question as soon as it shows."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.shell.save_prompt import PROMPT_NAME

    def click() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == PROMPT_NAME and w.isVisible()]
        if not boxes:
            QTimer.singleShot(20, click)
            return
        box = boxes[0]
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(getattr(QMessageBox.StandardButton, button)).click()

    QTimer.singleShot(0, click)


def _changed(controller) -> int:  # type: ignore[no-untyped-def]
    tick = run_ticks(controller, 30)
    wait_until(lambda: controller.unsaved.dirty, 10, "the world to count as changed")
    return tick


def test_the_title_marks_unsaved_changes_and_a_save_clears_it(asking, village_copy: Path) -> None:  # type: ignore[no-untyped-def]
    from engine import api

    controller = asking(village_copy)
    window = controller.window
    assert not window.isWindowModified() and "[*]" in window.windowTitle()
    tick = _changed(controller)
    assert window.isWindowModified()
    controller.save()
    wait_until(lambda: not window.isWindowModified(), 20, "the save to clear the marker")
    assert api.open_world(village_copy).tick == tick


def test_quit_with_unsaved_changes_asks_and_cancel_keeps_the_window_and_the_world(  # type: ignore[no-untyped-def]
        asking, village_copy: Path, worlds) -> None:
    controller = asking(village_copy)
    tick = _changed(controller)
    before = village_copy.read_bytes()
    seen: list[str] = []
    answer("Cancel", seen)
    controller.window.window_actions.quit.trigger()
    assert len(seen) == 1 and "not saved" in seen[0] and "closing" in seen[0]
    assert controller.window.isVisible() and controller.bridge.attached
    assert controller.bridge.latest.tick == tick and controller.unsaved.dirty
    answer("Cancel", seen)  # Open... and New... ask too, and Cancel there keeps this world
    controller.open_path(worlds["town"])
    answer("Cancel", seen)
    controller.new_dialog()
    assert len(seen) == 3 and "opening another world" in seen[1] and "making a new world" in seen[2]
    assert controller.path == village_copy and controller.bridge.latest.tick == tick
    assert village_copy.read_bytes() == before
    done(controller)


def test_save_in_the_question_writes_the_world_then_closes(asking, village_copy: Path) -> None:  # type: ignore[no-untyped-def]
    from engine import api

    controller = asking(village_copy)
    tick = _changed(controller)
    seen: list[str] = []
    answer("Save", seen)
    controller.window.close()
    assert seen and not controller.window.isVisible()
    assert api.open_world(village_copy).tick == tick


def test_discard_closes_and_leaves_the_file_as_it_was(asking, village_copy: Path) -> None:  # type: ignore[no-untyped-def]
    controller = asking(village_copy)
    _changed(controller)
    before = village_copy.read_bytes()
    seen: list[str] = []
    answer("Discard", seen)
    controller.window.close()
    assert seen and not controller.window.isVisible()
    assert village_copy.read_bytes() == before


def test_quitting_during_a_save_waits_for_it(asking, village_copy: Path) -> None:  # type: ignore[no-untyped-def]
    from engine import api

    controller = asking(village_copy)
    tick = _changed(controller)
    assert controller.save()
    controller.window.close()  # at once: the save is still in the engine's hands
    assert not controller.window.isVisible() and controller.gate.asked == []  # it waited; nothing left to ask
    assert api.open_world(village_copy).tick == tick


def test_autosave_writes_a_recovery_that_the_next_start_offers(  # type: ignore[no-untyped-def]
        app_qt, qtbot, user_home, monkeypatch, asking, village_copy: Path) -> None:  # noqa: F811
    from PySide6.QtWidgets import QMessageBox

    from app.files import crash
    from app.files.settings import Settings
    from app.files.user_paths import recovery_dir
    from engine import api
    from tests.gui.test_first_run import _start, _wait_loaded

    Settings().set_value("files/autosave_minutes", 0.01)  # every 0.6 s instead of every 5 minutes
    first = asking(village_copy)
    tick = _changed(first)
    first.play(False)
    wait_until(lambda: crash.marker_path().is_file(), 20, "the autosave")
    found = crash.read_marker()
    assert found is not None and found.kind == "autosave" and found.original == village_copy
    assert found.recovery.parent == recovery_dir() and api.open_world(found.recovery).tick >= tick
    # The next start (as after a kill or a power cut: this window never closed) offers it.
    offers: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *_a: offers.append(text)
                        or QMessageBox.StandardButton.Yes)
    again = _start(qtbot)
    assert len(offers) == 1 and "mine.town" in offers[0] and "kept automatically" in offers[0]
    _wait_loaded(again)
    assert again.path == found.recovery and again.unsaved.dirty  # a recovery is not yet anyone's saved file
    assert again.recovery_original() == village_copy
    done(first, again)


def test_a_world_without_its_memory_folder_opens_runs_and_saves_in_the_window(  # type: ignore[no-untyped-def]
        asking, tmp_path: Path) -> None:
    from engine import api
    from tests.persistence.pairs import read_pair, thinking_world

    world, memory = thinking_world()
    (tmp_path / "home").mkdir()
    api.save_world(world, tmp_path / "home" / "sent.town", memory=memory)
    moved = tmp_path / "sent.town"
    shutil.copy2(tmp_path / "home" / "sent.town", moved)  # the file alone
    controller = asking(moved)
    expected = (f"{moved}: its memory folder sent.memory/ is missing; people keep their history in the world "
                "file and start a new memory stream")
    assert controller.notices == [expected]
    assert controller.window.statusBar().currentMessage() == expected
    tick = _changed(controller)
    controller.save()
    wait_until(lambda: not controller.unsaved.dirty, 20, "the save")
    saved = read_pair(moved)
    assert saved.warning is None and saved.tick == tick


def test_a_clean_close_takes_the_autosave_with_it(  # type: ignore[no-untyped-def]
        user_home, asking, village_copy: Path) -> None:  # noqa: F811
    from app.files import crash
    from app.files.settings import Settings
    from app.files.user_paths import recovery_dir

    Settings().set_value("files/autosave_minutes", 0.01)
    controller = asking(village_copy)
    _changed(controller)
    controller.play(False)
    wait_until(lambda: crash.marker_path().is_file(), 20, "the autosave")
    seen: list[str] = []
    answer("Discard", seen)
    controller.window.close()
    assert seen and not controller.window.isVisible()
    assert crash.read_marker() is None  # nothing to offer: the user chose to drop the changes
    assert not list(recovery_dir().glob("autosave-*"))  # the copy and its memory folder are gone


def test_a_new_world_counts_as_unsaved_until_it_is_saved(asking, village_copy: Path) -> None:  # type: ignore[no-untyped-def]
    controller = asking(village_copy)
    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    controller.loader.new("village", 12, 1)  # what New world... does once its dialog is answered
    wait_until(lambda: loaded, 60, "the new world")
    assert controller.path is None and controller.unsaved.dirty and controller.window.isWindowModified()
    seen: list[str] = []
    answer("Discard", seen)
    controller.window.close()
    assert len(seen) == 1 and not controller.window.isVisible()
