"""Playing as someone in the real window: possess them, click where they walk, talk as them in the chat."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest

from app.common.formatting import describe_event
from app.common.selection import PERSON
from engine.contracts import BuildingType, ConversationHeld
from engine.contracts.events import OutsideClaimed, OutsideDecided

from .conftest import run_ticks, wait_until
from .test_god_tools import _aim, _mouse


def _collect(controller, kinds: tuple[type, ...]) -> list:  # type: ignore[no-untyped-def]
    seen: list = []
    controller.bridge.events_arrived.connect(lambda events: seen.extend(e for e in events if isinstance(e, kinds)))
    return seen


def test_possess_walk_and_talk_as_them(controller) -> None:  # type: ignore[no-untyped-def]
    window, bridge = controller.window, controller.bridge
    seen = _collect(controller, (OutsideClaimed, OutsideDecided, ConversationHeld))
    snapshot = bridge.latest
    me = next(p.id for p in snapshot.static.people
              if sum(int(snapshot.location[q.id]) == int(snapshot.location[p.id]) for q in snapshot.static.people) > 1)
    home = int(snapshot.location[me])
    family = next(q.id for q in snapshot.static.people if q.id != me and int(snapshot.location[q.id]) == home)
    controller.selection.select(PERSON, me)
    window.window_actions.possess.trigger()
    assert window.window_actions.possess.isChecked() and controller.possession.person == me
    assert window.chat.speaker == me
    run_ticks(controller, 3)
    wait_until(lambda: any(isinstance(e, OutsideClaimed) and e.agent == me and e.driven for e in seen), 20, "the claim")
    claimed = next(e for e in seen if isinstance(e, OutsideClaimed))
    assert describe_event(claimed, bridge.latest.static).endswith("is now played by you")
    run_ticks(controller, 20)
    assert int(bridge.latest.location[me]) == home, "a played person waits for the player where they are"

    # Talk as them to someone at the same place; they answer as they would anyone.
    controller.selection.select(PERSON, family)
    assert "You are" in window.chat.heading.text()
    QTest.keyClicks(window.chat.input, "Have you seen my keys?")
    QTest.keyClick(window.chat.input, Qt.Key.Key_Return)
    run_ticks(controller, 2)
    wait_until(lambda: any(isinstance(e, ConversationHeld) and e.a == me and e.b == family for e in seen), 20,
               "the talk")
    talk = next(e for e in seen if isinstance(e, ConversationHeld) and e.a == me)
    assert talk.lines[0] == (0, "Have you seen my keys?") and talk.lines[1][0] == 1 and talk.lines[1][1]
    wait_until(lambda: talk.lines[1][1][:20] in window.chat.transcript.toPlainText(), 10, "the answer in the chat")

    # Click a cafe on the map: they walk there.
    cafe = next(b for b in bridge.latest.static.buildings if BuildingType(b.type) == BuildingType.CAFE)
    point = _aim(window.map_view, cafe.x + cafe.width // 2, cafe.y + cafe.height // 2)
    _mouse(window.map_view, QEvent.Type.MouseButtonPress, point)
    _mouse(window.map_view, QEvent.Type.MouseButtonRelease, point)
    run_ticks(controller, 2)
    wait_until(lambda: any(isinstance(e, OutsideDecided) and e.agent == me and '"go_to"' in e.actions for e in seen),
               20, "the walk")
    run_ticks(controller, 60)
    there = bridge.latest
    assert cafe.id in (int(there.destination[me]), int(there.location[me]))

    # Esc gives them back to their own brain.
    QTest.keyClick(window.map_view.host, Qt.Key.Key_Escape)
    assert controller.possession.person == -1 and not window.window_actions.possess.isChecked()
    assert window.chat.speaker == -1
    run_ticks(controller, 2)
    wait_until(lambda: any(isinstance(e, OutsideClaimed) and not e.driven for e in seen), 20, "the release")


def test_the_agent_api_starts_from_the_window(controller) -> None:  # type: ignore[no-untyped-def]
    import httpx

    window = controller.window
    window.window_actions.agent_api.trigger()
    dialog = controller._agent_api_dialog
    assert dialog is not None and dialog.isVisible() and dialog.toggle.text() == "Start"
    dialog.port.setValue(0)
    dialog.toggle.click()
    assert controller.agent_api.running, dialog.state.text()
    url = controller.agent_api.server.url
    assert url.startswith("http://127.0.0.1:") and url in dialog.state.text()
    names = {p["name"] for p in httpx.get(f"{url}/people", timeout=10).json()}
    assert names == {p.name for p in controller.bridge.latest.static.people if not p.removed}
    me = httpx.post(f"{url}/register", json={"person": 1}, timeout=10).json()
    run_ticks(controller, 3)
    r = httpx.get(f"{url}/decision", params={"wait": 10}, headers={"Authorization": f"Bearer {me['token']}"},
                  timeout=20)
    assert r.status_code == 200 and r.json()["perception"]["agent"] == 1
    dialog.toggle.click()
    assert not controller.agent_api.running and dialog.toggle.text() == "Start"


def test_going_back_in_time_lets_the_played_person_go(controller) -> None:  # type: ignore[no-untyped-def]
    from engine.contracts import Seek

    window = controller.window
    run_ticks(controller, 5)
    controller.selection.select(PERSON, 2)
    window.window_actions.possess.trigger()
    assert controller.possession.person == 2
    run_ticks(controller, 3)
    controller.bridge.send(Seek(tick=1))
    wait_until(lambda: controller.possession.person == -1, 30, "the player to let go")
    assert not window.window_actions.possess.isChecked() and window.chat.speaker == -1
