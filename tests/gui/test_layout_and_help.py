"""The window for an evening's play: the map first, docks readable in tabs, Reset Layout,
the map keeping its view on resize, Help's controls page and tour, and time keys only where time is."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QScrollArea

from app.docks.timeline import PLOT_MIN_HEIGHT
from app.map.camera import MapCamera
from app.window.help import TOUR, ControlsDialog, TourDialog
from engine.contracts import EditApplied
from tests.gui.conftest import run_ticks, wait_until


def _map_share(window) -> float:  # type: ignore[no-untyped-def]
    view = window.map_view
    return view.width() * view.height() / (window.width() * window.height())


def _tab_groups(window) -> list[set[str]]:  # type: ignore[no-untyped-def]
    groups: list[set[str]] = []
    for key, dock in window.docks.items():
        mates = {k for k, d in window.docks.items() if d in window.tabifiedDockWidgets(dock)} | {key}
        if mates not in groups:
            groups.append(mates)
    return groups


def test_the_default_layout_gives_the_map_most_of_the_window(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    assert (window.width(), window.height()) == (1280, 800)
    assert _map_share(window) >= 0.55
    assert all(not d.isFloating() and window.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea
               for d in window.docks.values())
    groups = _tab_groups(window)
    assert {"inspector", "graph", "economy", "governance", "palette"} in groups
    assert {"timeline", "events", "chat", "console", "branches", "experiments", "survey", "compare"} in groups
    # Each dock is readable when its tab is in front: plots tall enough, no combo box cut.
    timeline = window.timeline
    assert timeline.needs.height() >= PLOT_MIN_HEIGHT and timeline.activity.height() >= PLOT_MIN_HEIGHT
    window.docks["graph"].raise_()
    QApplication.processEvents()
    for combo in window.graph.findChildren(QComboBox):
        assert combo.width() >= combo.sizeHint().width(), combo.currentText()
    for key, dock in window.docks.items():  # nothing wider than its dock: no sideways scrolling, no cut text
        dock.raise_()
        QApplication.processEvents()
        area = dock.widget()
        if isinstance(area, QScrollArea):
            assert area.horizontalScrollBar().maximum() == 0, key
    window.docks["chat"].raise_()
    QApplication.processEvents()
    chat_line = window.chat.findChildren(QLineEdit)[0]
    bottom = chat_line.mapTo(window, chat_line.rect().bottomLeft()).y()
    assert chat_line.isVisible() and bottom <= window.statusBar().y()  # the chat input is above the fold


def test_reset_layout_puts_every_dock_back(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    window.docks["graph"].setFloating(True)
    window.docks["console"].close()
    window.removeDockWidget(window.docks["events"])
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.docks["events"])
    window.docks["events"].show()
    QApplication.processEvents()
    assert "Reset Layout" in [a.text().replace("&", "") for a in window.window_actions.docks_menu.actions()]
    window.window_actions.reset_layout.trigger()
    QApplication.processEvents()
    assert all(not d.isFloating() and d.isVisibleTo(window) for d in window.docks.values())
    assert {"timeline", "events", "chat", "console", "branches", "experiments", "survey", "compare"} in _tab_groups(window)
    wait_until(lambda: _map_share(window) >= 0.55, 5, "the map to get its room back")


def test_the_map_refits_on_resize_until_the_user_moves_it() -> None:
    camera = MapCamera(width=800, height=600)
    camera.fit(0, 0, 1000, 1000)
    camera.resize(400, 600)
    assert camera.zoom * 1000 <= 400  # still the whole town
    camera.zoom_about(200, 300, 2.0)
    zoom, centre = camera.zoom, (camera.center_x, camera.center_y)
    camera.resize(800, 700)
    assert camera.zoom == zoom and (camera.center_x, camera.center_y) == centre  # the user's view is kept


def test_help_has_controls_and_a_tour(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    titles = [a.text().replace("&", "") for a in help_menu.actions()]
    assert "Controls and Shortcuts" in titles and "Getting Started…" in titles
    window.window_actions.controls.trigger()
    dialog = window.findChild(ControlsDialog)
    assert dialog is not None
    text = dialog.page.toPlainText()
    assert "Ctrl+Z" in text and "Space" in text and "Wheel" in text
    assert "Step Back" in text and "Left" in text  # the Time menu's keys, read from the menus
    dialog.close()
    window.window_actions.tour.trigger()
    tour = window.findChild(TourDialog)
    assert tour is not None and tour.title.text() == TOUR[0][0] and not tour.back.isEnabled()
    for _ in TOUR[1:]:
        tour.next.click()
    assert tour.next.text() == "Done"
    tour.next.click()
    assert not tour.isVisible()


def test_time_keys_only_where_time_is_shown(controller) -> None:  # type: ignore[no-untyped-def]
    from pytestqt.qtbot import QtBot

    window = controller.window
    head = run_ticks(controller, 20)
    window.activateWindow()
    window.docks["console"].raise_()
    line = window.console.line
    line.setFocus()
    QApplication.processEvents()
    QtBot.keyClick(line, Qt.Key.Key_Left)
    QtBot.keyClick(line, Qt.Key.Key_Home)
    QApplication.processEvents()
    assert controller.bridge.latest.tick == head  # typing moves the cursor, not time
    window.docks["timeline"].raise_()
    window.timeline.setFocus()
    QApplication.processEvents()
    QtBot.keyClick(window.timeline, Qt.Key.Key_Left)
    wait_until(lambda: controller.bridge.latest.tick == head - 1, 20, "Left on the timeline to step back")


def test_god_edits_show_in_the_default_log_filter(controller) -> None:  # type: ignore[no-untyped-def]
    from engine.contracts.edits import SpawnPerson

    log = controller.window.event_log
    controller.window.docks["events"].raise_()  # a log behind a tab lists nothing new until brought forward
    controller.history.send(SpawnPerson(name="Ada Lovelace", occupation="baker"))

    def shown() -> list[str]:
        return [str(log.model.data(log.model.index(r, 0))) for r in range(log.model.rowCount())]

    wait_until(lambda: any("God mode" in line and "Ada Lovelace" in line for line in shown()), 10,
               "the spawn in the Notable log")
    assert log.model.filter.kinds is not None and EditApplied.__name__ in log.model.filter.kinds


def test_the_event_log_behind_a_tab_catches_up_when_brought_forward(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    log = window.event_log
    window.docks["events"].raise_()
    log.kind.setCurrentIndex(log.kind.findData("all"))
    run_ticks(controller, 5)
    wait_until(lambda: log.model.rowCount() == len(log.model.store), 10, "the log listing what arrived")
    window.docks["timeline"].raise_()  # the log goes behind its tab
    QApplication.processEvents()
    listed = log.model.rowCount()
    held = len(log.model.store)
    run_ticks(controller, 20)
    wait_until(lambda: len(log.model.store) > held, 10, "events arriving behind the tab")
    assert log.model.rowCount() == listed  # nothing filtered or scrolled for a list nobody sees
    window.docks["events"].raise_()
    QApplication.processEvents()
    assert log.model.rowCount() == len(log.model.store) > listed
    bar = log.view.verticalScrollBar()
    assert bar.value() == bar.maximum()  # it was following the newest, and still does
