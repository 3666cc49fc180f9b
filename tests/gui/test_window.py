"""The real main window under Xvfb (or offscreen): map pixels, selection, zoom, graph, time, files."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.shell.smoke import blank_reason, image_array
from engine.contracts import SetSpeed

from .conftest import wait_until


def _screen_of(view, person: int) -> QPoint:  # type: ignore[no-untyped-def]
    x, y = view.camera.world_to_screen(*view.scene.person_xy(person))
    return QPoint(round(x), round(y))


def _outdoor_or_any(controller) -> int:  # type: ignore[no-untyped-def]
    snap = controller.bridge.latest
    outdoors = np.flatnonzero(snap.location < 0)
    return int(outdoors[0]) if len(outdoors) else 0


def test_map_is_drawn_and_shows_people(controller) -> None:  # type: ignore[no-untyped-def]
    view = controller.window.map_view
    image = view.grab_map()
    assert blank_reason(image) is None
    person = _outdoor_or_any(controller)
    view.select_person(person, center=True)
    view.camera.zoom = 3.0
    view.center_on_person(person)
    view.select_person(-1)
    with_people = image_array(view.grab_map())
    view.scene.show_people = False
    without = image_array(view.grab_map())
    view.scene.show_people = True
    p = _screen_of(view, person)
    ratio = view.host.devicePixelRatioF()
    cx, cy = round(p.x() * ratio), round(p.y() * ratio)
    # The person's own sprite changes the pixels where they stand.
    patch = (slice(cy - 12, cy + 12), slice(cx - 12, cx + 12))
    assert np.abs(with_people[patch].astype(int) - without[patch].astype(int)).sum() > 1000
    # And across the map, people cover a good number of pixels.
    assert (np.abs(with_people.astype(int) - without.astype(int)).sum(axis=2) > 30).sum() > 200


def test_click_selects_person_and_inspector_names_them(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    view = controller.window.map_view
    person = _outdoor_or_any(controller)
    view.center_on_person(person)
    view.camera.zoom = 3.0
    view.center_on_person(person)
    view.render_now()
    point = _screen_of(view, person)
    expected = view.scene.pick(point.x(), point.y())
    assert expected is not None and expected[0] == "person"
    qtbot.mouseClick(view.host, Qt.MouseButton.LeftButton, pos=point)
    wait_until(lambda: controller.selection.person == expected[1], 5, "the click to select")
    name = controller.bridge.latest.static.people[expected[1]].name
    inspector = controller.window.inspector
    wait_until(lambda: inspector.person.name.text() == name, 5, "the inspector to show the name")
    assert inspector.stack.currentWidget() is inspector.person_view
    assert view.scene.selected_person == expected[1]


def test_wheel_zoom_keeps_point_under_cursor(controller) -> None:  # type: ignore[no-untyped-def]
    view = controller.window.map_view
    host = view.host
    cursor = QPointF(host.width() * 0.3, host.height() * 0.7)
    before_world = view.camera.screen_to_world(cursor.x(), cursor.y())
    before_zoom = view.camera.zoom
    for _ in range(3):
        event = QWheelEvent(cursor, host.mapToGlobal(cursor), QPoint(0, 0), QPoint(0, 120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(host, event)
    assert view.camera.zoom > before_zoom * 1.4
    after_world = view.camera.screen_to_world(cursor.x(), cursor.y())
    assert np.allclose(before_world, after_world, atol=1e-3)
    view.render_now()
    assert view.gl_error is None


def test_selecting_in_social_graph_selects_on_map(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    graph = controller.window.graph
    controller.window.docks["graph"].raise_()  # on a small screen it shares a tab group with the inspector
    wait_until(lambda: graph.layout_data is not None and len(graph.layout_data.nodes) > 0, 30, "the graph layout")
    QApplication.processEvents()
    person = int(graph.layout_data.nodes[len(graph.layout_data.nodes) // 2])
    x, y = graph.node_position(person)
    plot = graph.plot
    scene_point = plot.plotItem.vb.mapViewToScene(QPointF(x, y))
    view_point = plot.mapFromScene(scene_point)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=view_point)
    wait_until(lambda: controller.selection.person >= 0, 5, "the graph click to select someone")
    chosen = controller.selection.person
    # Nodes can overlap: whoever was under the cursor, the map must now select that person.
    assert controller.window.map_view.scene.selected_person == chosen
    assert chosen == person or graph.layout_data.index_of(chosen) >= 0
    # ...and back: selecting on the map highlights the node.
    controller.selection.select_person(person)
    assert controller.window.map_view.scene.selected_person == person


def test_play_pause_step_move_the_clock(controller) -> None:  # type: ignore[no-untyped-def]
    bridge, actions, clock = controller.bridge, controller.window.window_actions, controller.window.clock
    start = bridge.latest.tick
    text = clock.text()
    actions.step.trigger()
    wait_until(lambda: bridge.latest.tick == start + 1, 10, "one step")
    wait_until(lambda: clock.text() != text, 5, "the clock to move")
    assert not actions.play.isChecked()
    controller.set_speed(0)
    actions.play.trigger()
    assert actions.play.isChecked()
    wait_until(lambda: bridge.latest.tick >= start + 20 and bridge.latest.running, 20, "playing")
    actions.play.trigger()
    wait_until(lambda: not bridge.latest.running, 10, "pausing")
    stopped = bridge.latest.tick
    wait_until(lambda: True, 0.3)
    assert bridge.latest.tick == stopped and not actions.play.isChecked()
    assert clock.text() == bridge.latest.clock_text


def test_open_save_round_trip_through_menus(controller, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "saved copy"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    controller.bridge.send(SetSpeed(ticks_per_second=0))
    controller.step()
    wait_until(lambda: controller.bridge.latest.tick >= 1, 10, "a step")
    saved_tick = controller.bridge.latest.tick
    controller.window.window_actions.save_as.trigger()
    saved = target.with_suffix(".town")
    wait_until(lambda: saved.is_file() and controller.window.save_label.text().startswith("saved"), 30, "the save")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(saved), ""))
    loaded: list = []
    controller.world_loaded.connect(loaded.append)
    controller.window.window_actions.open.trigger()
    wait_until(lambda: loaded, 30, "the reopen")
    assert loaded[0].path == saved and controller.path == saved
    wait_until(lambda: controller.bridge.latest is not None and controller.bridge.latest.tick == saved_tick, 10,
               "the reopened world's first snapshot")
    recent = [a.toolTip() for a in controller.window.window_actions.recent_menu.actions()]
    assert str(saved.resolve()) in recent
    assert "saved copy.town" in controller.window.windowTitle()


def test_bad_file_gets_a_dialog_naming_it(open_controller, worlds, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text, *a, **k: shown.append((title, text)))
    controller = open_controller(worlds["village"], quiet=False)
    controller.open_path(worlds["broken"])
    wait_until(lambda: shown, 20, "the error dialog")
    title, text = shown[0]
    assert "broken.town" in title + text
    assert controller.bridge.attached  # the open world keeps running


def test_layout_and_last_world_come_back(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    from app.files.settings import Settings

    first = open_controller(worlds["village"])
    first.window.docks["events"].raise_()
    first.window.resize(1100, 700)
    first.window.close()
    settings = Settings()
    geometry, state = settings.window_state()
    assert geometry is not None and state is not None
    assert settings.last_world() == str(worlds["village"].resolve())


def test_the_window_fits_a_1280x800_screen_with_every_dock_open(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    assert {"economy", "governance", "chat", "console", "graph", "timeline"} <= set(window.docks)
    minimum = window.minimumSizeHint()
    assert minimum.width() <= 1280 and minimum.height() <= 800, minimum  # docks scroll rather than hold it open
    window.resize(1280, 800)
    QApplication.processEvents()
    assert (window.width(), window.height()) == (1280, 800)


def test_every_tab_strip_is_a_real_one(controller) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QTabBar

    window = controller.window
    QApplication.processEvents()
    strips = [tuple(bar.tabText(i) for i in range(bar.count())) for bar in window.findChildren(QTabBar)
              if bar.parent() is window and bar.isVisible()]
    assert strips and len(strips) == len(set(strips))  # no stale copy of a dock group's tabs left drawn
    for strip in strips:
        assert not any(set(strip) < set(other) for other in strips), strips
    assert {"Timeline", "Event log", "Chat", "God console", "Branches", "Experiments", "Survey", "Compare"} in [set(s) for s in strips]
