"""Every view shows the moment on screen: after a spawn, a seek back, a new branch or an undo, the
status bar and every dock agree on who lives in the town, and nothing from another time stays."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.common.bridge import Moment
from app.common.population import population
from app.docks.event_log import EVENT_ROLE
from engine.contracts.edits import SpawnPerson
from tests.gui.conftest import run_ticks, wait_until

ADA = "Ada Lovelace"


def _settle(controller, tick: int) -> None:  # type: ignore[no-untyped-def]
    wait_until(lambda: controller.bridge.latest.tick == tick and not controller.bridge.latest.running, 20,
               f"tick {tick}")


def _spawn_ada(controller) -> int:  # type: ignore[no-untyped-def]
    controller.history.send(SpawnPerson(name=ADA, occupation="baker"))
    wait_until(lambda: any(p.name == ADA and not p.removed for p in controller.bridge.latest.static.people), 10,
               "Ada to move in")
    return next(p.id for p in controller.bridge.latest.static.people if p.name == ADA)


def _graph_people(controller) -> set[int]:  # type: ignore[no-untyped-def]
    data = controller.window.graph.layout_data
    return set() if data is None else {int(n) for n in data.nodes}


def _agree(controller, ada: int, expected: int) -> None:  # type: ignore[no-untyped-def]
    """The status bar, the economy dock and the social graph all count ``expected`` people, Ada not among them."""
    window, graph, economy = controller.window, controller.window.graph, controller.society.economy
    snap = controller.bridge.latest
    assert population(snap.static) == expected
    wait_until(lambda: window.population_label.text() == f"{expected:,} people", 5, "the status bar")
    wait_until(lambda: f"{expected:,} people" in economy.status.text(), 10, "the economy dock")
    wait_until(lambda: graph.layout_data is not None and ada not in _graph_people(controller)
               and len(_graph_people(controller)) == expected, 20, "the graph without Ada")
    assert ADA not in graph.controls._names
    assert controller.selection.person != ada
    assert window.inspector.stack.currentWidget() is window.inspector.empty


def test_after_spawn_and_seek_back_every_view_agrees(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    moments: list[Moment] = []
    controller.bridge.moment_changed.connect(moments.append)
    controller.society.economy_dock.raise_()
    graph_dock = window.docks["graph"]
    graph_dock.raise_()
    window.graph.view.setCurrentIndex(window.graph.view.findData("town"))
    before = run_ticks(controller, 60)
    people = population(controller.bridge.latest.static)
    run_ticks(controller, 10)
    ada = _spawn_ada(controller)
    controller.selection.select_person(ada)
    wait_until(lambda: ada in _graph_people(controller), 20, "Ada in the graph")
    run_ticks(controller, 30)
    console = window.console
    console.parse(f"remove {ADA}")  # read for this moment, waiting for Run when time moves
    wait_until(lambda: console.proposal, 10, "the console's reading")
    controller.time.seek(before)
    _settle(controller, before)
    wait_until(lambda: moments and moments[-1].reason == "seek", 5, "the moment signal")
    assert moments[-1].tick == before
    _agree(controller, ada, people)
    # The event log shows nothing after the moment shown.
    log = window.event_log
    window.docks["events"].raise_()  # behind a tab it lists nothing new until brought forward
    QApplication.processEvents()
    shown = [log.model.data(log.model.index(r, 0), EVENT_ROLE) for r in range(log.model.rowCount())]
    assert shown and all(event.tick <= before for event in shown)
    # Playing on from here starts a new branch: still no Ada anywhere.
    run_ticks(controller, 5)
    wait_until(lambda: len(controller.bridge.latest.timeline.branches) == 2, 10, "the new branch")
    _agree(controller, ada, people)
    transcript = console.log.toPlainText()
    assert not console.proposal and "Not run: time moved" in transcript and "Moved in time" in transcript


def test_undoing_a_spawn_is_a_new_moment_every_view_follows(controller) -> None:  # type: ignore[no-untyped-def]
    controller.society.economy_dock.raise_()
    controller.window.docks["graph"].raise_()
    moments: list[Moment] = []
    controller.bridge.moment_changed.connect(moments.append)
    run_ticks(controller, 20)
    people = population(controller.bridge.latest.static)
    ada = _spawn_ada(controller)
    controller.selection.select_person(ada)
    wait_until(lambda: controller.history.stack.canUndo(), 10, "the spawn on the undo stack")
    controller.history.stack.undo()
    wait_until(lambda: moments and moments[-1].reason == "undo", 10, "the undo's moment")
    _agree(controller, ada, people)


def test_a_chat_after_the_moment_shown_is_gone_from_the_chat_dock(controller) -> None:  # type: ignore[no-untyped-def]
    chat = controller.window.chat
    before = run_ticks(controller, 30)
    run_ticks(controller, 10)
    controller.selection.select_person(2)
    chat.input.setText("How is the bakery doing?")
    chat.send_line()
    wait_until(lambda: len(chat.conversation(2).turns) == 2, 10, "the answer")
    assert "bakery" in chat.transcript.toPlainText()
    controller.time.seek(before)
    _settle(controller, before)
    wait_until(lambda: not chat.conversation(2).turns, 5, "the talk to be undone by time")
    assert "bakery" not in chat.transcript.toPlainText()
