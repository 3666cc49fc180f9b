"""Easy to pick and read: the inspector's empty states and fresh views, the plan in words, people
pickable at the starting zoom, speech whole on hover, portraits that fit age, a visible drag preview."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from app.common.art import GREY_HAIRED, person_variant
from app.common.formatting import plan_words
from app.docks.palette import drag_image
from app.map.scene import PICK_REACH
from engine.contracts import ThoughtsResult
from tests.gui.conftest import run_ticks, wait_until


def test_the_thoughts_tab_says_when_there_are_none(controller) -> None:  # type: ignore[no-untyped-def]
    inspector = controller.window.inspector
    controller.window.docks["inspector"].raise_()
    controller.selection.select_person(3)
    tabs = inspector.person_tabs
    tabs.setCurrentWidget(tabs.thoughts)
    wait_until(lambda: "Asking" not in tabs.thoughts.count.text(), 10, "the thoughts answer")
    # Someone else, who has never thought: the first answer is as empty as the tab was, and must still be said.
    tabs.thoughts.set_agent(4)
    assert tabs.thoughts.count.text() == "Asking…"
    tabs.thoughts.show_answer(ThoughtsResult(controller.bridge.latest.tick, -1, 4, ()))
    assert "has not thought" in tabs.thoughts.count.text()


def test_the_overview_is_fresh_when_shown_and_says_the_plan_in_words(controller) -> None:  # type: ignore[no-untyped-def]
    inspector = controller.window.inspector
    controller.window.docks["inspector"].raise_()
    controller.selection.select_person(2)
    tabs = inspector.person_tabs
    tabs.setCurrentWidget(tabs.plan)
    shown_before = inspector.person.doing.text()
    run_ticks(controller, 240)  # four hours on, while another tab is in front
    tabs.setCurrentWidget(tabs.overview)
    QApplication.processEvents()
    snap = controller.bridge.latest
    assert inspector.person.plan.text() == plan_words(snap, 2)
    words = inspector.person.plan.text()
    assert words[:1].isupper() and not words.startswith("Until") and ("ing" in words.split()[0])
    assert inspector.person.doing.text() or shown_before


def test_people_are_picked_at_the_starting_zoom_before_buildings(controller) -> None:  # type: ignore[no-untyped-def]
    def out_of_doors() -> np.ndarray:
        snap = controller.bridge.latest
        return np.flatnonzero((snap.location < 0) & ~np.array([p.removed for p in snap.static.people]))

    run_ticks(controller, 150)  # out of bed and about
    for _ in range(12):  # the town's morning depends on who lives there: wait for someone to be out
        if len(out_of_doors()):
            break
        run_ticks(controller, 20)
    view = controller.window.map_view
    scene, camera = view.scene, view.scene.camera
    view.zoom_to_fit()
    view.render_now()
    xy = scene.people_world_xy()
    snap = controller.bridge.latest
    outdoors = out_of_doors()
    assert len(outdoors), "someone outdoors to click"
    person = int(outdoors[0])
    sx, sy = camera.world_to_screen(float(xy[person, 0]), float(xy[person, 1]))
    nearest_other = min(np.hypot(*(xy[i] - xy[person])) * camera.zoom for i in range(len(xy)) if i != person)
    off = min(PICK_REACH - 2, nearest_other / 2 - 1)
    assert scene.pick(sx + off, sy) == ("person", person)  # a near miss still picks them
    # Standing in a building's doorway: the person under the cursor wins over the building.
    inside = np.flatnonzero(snap.location >= 0)
    if len(inside):
        who = int(inside[0])
        wx, wy = camera.world_to_screen(float(xy[who, 0]), float(xy[who, 1]))
        assert scene.pick(wx, wy)[0] == "person"


def test_speech_is_whole_on_hover(controller) -> None:  # type: ignore[no-untyped-def]
    view = controller.window.map_view
    line = "I have been thinking about the new bakery on Mill Street and whether the bread is any good"
    view.scene.bubbles.say(4, line, time.perf_counter())
    assert view.scene.bubbles.bubbles[4].text.endswith("…")  # the bubble shows the start
    assert line in view.describe(("person", 4))


def test_portraits_fit_age() -> None:
    for person in range(40):
        assert person_variant(person, 12, age=80) in GREY_HAIRED
        assert person_variant(person, 12, age=30) not in GREY_HAIRED
        assert person_variant(person, 12, age=30) == person_variant(person, 12, age=31)  # stable


def test_the_dragged_card_leaves_the_preview_in_sight(app_qt) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QIcon, QPixmap

    card = QPixmap(64, 64)
    card.fill()
    pixmap, hotspot = drag_image(QIcon(card))
    assert pixmap.width() <= 32 and pixmap.height() <= 32
    assert not pixmap.rect().contains(hotspot)  # the cursor (and the footprint under it) is clear of it
    assert hotspot.x() > 0 and hotspot.y() > 0 and hotspot != QPoint(0, 0)
