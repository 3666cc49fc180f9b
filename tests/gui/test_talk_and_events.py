"""Talking to the town in the real window: injected events, news, chat, the god console, Tiled files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.common.selection import PERSON
from app.files.user_paths import needs_save_as
from app.thinking.llm_settings import LLMSettings
from engine.contracts import ChatReply, EditMade, WorldEventHappened
from tests.llm.conftest import ollama_server  # noqa: F401 - fixture

from .conftest import wait_until
from .test_god_tools import _aim, _mouse, _undo

# Found without importing arcade: that would set pyglet up for a real display before the map's
# headless (offscreen platform) set-up gets to choose.
ARCADE_MAPS = Path(importlib.util.find_spec("arcade").origin).parent / "resources" / "assets" / "tiled_maps"  # type: ignore[arg-type, union-attr]


@pytest.fixture
def no_dialogs(monkeypatch):  # type: ignore[no-untyped-def]
    """Fail on any modal message box: problems must be said inline."""
    shown: list[str] = []
    for name in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, _n=name, **k: shown.append(_n))
    yield shown
    assert not shown, f"a modal box was shown: {shown}"


def _collect(controller, kind: type) -> list:  # type: ignore[no-untyped-def]
    seen: list = []
    controller.bridge.events_arrived.connect(lambda events: seen.extend(e for e in events if isinstance(e, kind)))
    return seen


def _present(snapshot) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.name for p in snapshot.static.people if not p.removed]


def _busiest_building(snapshot, radius: float):  # type: ignore[no-untyped-def]
    """The building with the most people within ``radius`` of its centre, but not everyone."""
    xy = snapshot.positions
    best, best_count = None, -1
    for b in snapshot.static.buildings:
        cx, cy = b.x + b.width // 2, b.y + b.height // 2
        count = int((np.hypot(xy[:, 0] - (cx + 0.5), xy[:, 1] - (cy + 0.5)) <= radius).sum())
        if best_count < count < len(xy):
            best, best_count = b, count
    assert best is not None and best_count > 0
    return best


def test_a_preset_event_at_a_picked_place_is_noticed_by_those_near(controller, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    happened = _collect(controller, WorldEventHappened)
    window.window_actions.inject_event.trigger()
    dialog = controller.world_tools.events_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.place is not None  # the map centre until something is picked

    fire = dialog.presets.findText("Fire")
    dialog.presets.setCurrentIndex(fire)
    dialog.presets.activated.emit(fire)
    assert dialog.text.text().startswith("A fire breaks out") and dialog.radius.value() == 8
    assert dialog.importance.value() == 9

    snapshot = bridge.latest
    target = _busiest_building(snapshot, 8)
    dialog.pick_button.click()
    assert controller.tools.mode != "select"
    cx, cy = target.x + target.width // 2, target.y + target.height // 2
    point = _aim(window.map_view, cx, cy)
    _mouse(window.map_view, QEvent.Type.MouseButtonPress, point)
    _mouse(window.map_view, QEvent.Type.MouseButtonRelease, point)
    assert (dialog.place.x, dialog.place.y) == (cx, cy)
    assert dialog.text.text() == f"A fire breaks out at {target.name}"  # the preset followed the place

    dialog.radius.setValue(6)
    assert dialog.radius_slider.value() == 6
    dialog.fire_button.click()
    wait_until(lambda: happened, 20, "the event to happen")
    event = happened[0]
    assert (event.x, event.y, event.radius) == (cx, cy, 6.0) and event.text == dialog.text.text()

    xy = bridge.latest.positions  # paused: nobody has moved since
    near = np.flatnonzero(np.hypot(xy[:, 0] - (cx + 0.5), xy[:, 1] - (cy + 0.5)) <= 6).tolist()
    assert sorted(event.witnesses) == near
    assert 0 < len(near) < len(_present(bridge.latest))
    noticed = f"{len(near)} {'person' if len(near) == 1 else 'people'} noticed"
    wait_until(lambda: window.statusBar().currentMessage().startswith(noticed), 10, "the status line")
    assert dialog.outcome.text().startswith(noticed)


def test_news_reaches_a_district(controller, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    window.window_actions.broadcast.trigger()
    dialog = controller.world_tools.news_dialog
    districts = controller.bridge.latest.static.districts
    assert dialog.district.count() == len(districts) + 1
    dialog.district.setCurrentIndex(1)
    dialog.text.setText("the mayor has resigned")
    made = _collect(controller, EditMade)
    dialog.tell_button.click()
    wait_until(lambda: dialog.outcome.text().startswith("Told everyone in"), 20, "the news to be told")
    assert districts[0].name in dialog.outcome.text()
    assert made and '"district":0' in made[0].edit.replace(" ", "")


def _say(qtbot, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    chat.input.setFocus()
    qtbot.keyClicks(chat.input, text)
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)


def test_chat_round_trip_on_the_rule_brain(controller, qtbot, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    chat = window.chat
    window.docks["chat"].raise_()
    assert not chat.input.isEnabled()  # nobody to talk to yet
    made = _collect(controller, EditMade)
    controller.selection.select(PERSON, 2)
    name = controller.bridge.latest.static.people[2].name
    assert name in chat.heading.text() and chat.input.isEnabled()

    _say(qtbot, chat, "How are you feeling?")
    wait_until(lambda: len(chat.conversation(2).turns) == 2, 20, "the first answer")
    answer = chat.conversation(2).turns[1]
    assert answer[0] == name.split()[0] and answer[1]
    assert "rule brain" in chat.transcript.toPlainText() and answer[1] in chat.transcript.toPlainText()
    assert chat.status.text() == ""

    _say(qtbot, chat, "What are you doing?")
    wait_until(lambda: len(chat.conversation(2).turns) == 4, 20, "the second answer")
    sent = [m.edit for m in made if '"Chat"' in m.edit]
    assert len(sent) == 2 and "How are you feeling?" in sent[1]  # the second line carried the first turn

    controller.selection.select(PERSON, 3)  # someone else: a new conversation
    assert "How are you feeling?" not in chat.transcript.toPlainText()
    controller.selection.select(PERSON, 2)  # and back: the talk is still there
    assert "How are you feeling?" in chat.transcript.toPlainText()


def test_chat_round_trip_on_the_language_model(open_controller, worlds, ollama_server, qtbot,  # noqa: F811
                                               no_dialogs) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(worlds["village"],
                                 llm=LLMSettings(brain="ollama", hosts=(ollama_server.url,), timeout_s=5))
    bridge, chat = controller.bridge, controller.window.chat
    wait_until(lambda: bridge.latest.llm.state == "ready", 30, "the model server to be ready")
    replies = _collect(controller, ChatReply)
    controller.selection.select(PERSON, 4)
    _say(qtbot, chat, "Do you like it here?")
    assert "is thinking" in chat.status.text()  # paused: the answer waits for time to run
    controller.play(True)
    wait_until(lambda: replies, 60, "the model's answer")
    controller.play(False)
    assert replies[0].thinking == "llm" and replies[0].agent == 4
    wait_until(lambda: len(chat.conversation(4).turns) == 2, 10, "the answer in the dock")
    assert replies[0].reply in chat.transcript.toPlainText() and "language model" in chat.transcript.toPlainText()
    assert chat.status.text() == ""
    assert any("Do you like it here?" in post.body["messages"][-1]["content"]
               for post in ollama_server.posts("/api/chat"))


def test_console_spawns_on_confirm_and_undo_removes(controller, qtbot, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    console = window.console
    window.docks["console"].raise_()
    before = len(_present(bridge.latest))

    console.line.setFocus()
    qtbot.keyClicks(console.line, "?")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    assert "spawn &lt;occupation&gt; named" in console.log.toHtml() or "spawn <occupation> named" in \
        console.log.toPlainText()

    qtbot.keyClicks(console.line, "make it rain frogs")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    wait_until(lambda: "Not understood" in console.log.toPlainText(), 20, "the refusal")
    assert not console.proposal and not console.run_button.isVisible()

    qtbot.keyClicks(console.line, "spawn a baker named Ana Reyes")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    wait_until(lambda: console.proposal, 20, "the parsed command")
    assert console.run_button.isVisible() and "Ana Reyes, a baker, moves in" in console.log.toPlainText()
    assert len(_present(bridge.latest)) == before  # nothing happens before confirming

    qtbot.keyClick(console.line, Qt.Key.Key_Return)  # Enter on the empty line runs it
    wait_until(lambda: "Ana Reyes" in _present(bridge.latest), 20, "Ana to arrive")
    assert len(_present(bridge.latest)) == before + 1
    wait_until(lambda: "Done:" in console.log.toPlainText(), 10, "the outcome line")

    _undo(controller)
    wait_until(lambda: "Ana Reyes" not in _present(bridge.latest), 20, "Ana to be gone again")
    assert len(_present(bridge.latest)) == before

    console.line.setFocus()  # Up recalls what was typed before
    qtbot.keyClick(console.line, Qt.Key.Key_Up)
    assert console.line.text() == "spawn a baker named Ana Reyes"
    qtbot.keyClick(console.line, Qt.Key.Key_Up)
    assert console.line.text() == "make it rain frogs"
    qtbot.keyClick(console.line, Qt.Key.Key_Down)
    qtbot.keyClick(console.line, Qt.Key.Key_Down)
    assert console.line.text() == ""


def test_import_a_tiled_map_then_export_it(controller, tmp_path: Path, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    controller.world_tools.tiled.import_map(ARCADE_MAPS / "level_1.json")
    wait_until(lambda: loaded or controller.errors, 60, "the map to be imported")
    assert not controller.errors, controller.errors
    assert controller.path is None and needs_save_as(controller.path)  # Save asks where to
    assert "unsaved" in controller.window.windowTitle()
    wait_until(lambda: controller.bridge.latest is not None and controller.bridge.latest.static.name == "Level 1",
               20, "the imported town's first snapshot")
    # arcade's level is 40x20 tiles of streets and no buildings, so nobody lives there yet.
    assert controller.bridge.latest.static.terrain.shape == (20, 40)
    assert controller.world_name == "Level 1"

    target = tmp_path / "level.tmj"
    controller.world_tools.tiled.export_map(target)
    wait_until(lambda: "Exported the map" in controller.window.statusBar().currentMessage(), 20, "the export")
    assert target.is_file() and (tmp_path / "level.terrain.png").is_file()

    controller.world_tools.tiled.export_map(tmp_path / "missing-folder" / "x" / "level.tmj")
    wait_until(lambda: controller.errors, 20, "the refusal")
    assert "Could not export the map" in controller.errors[-1]
    QApplication.processEvents()
