"""Portraits that fit a person's sex and age band, in the real window's inspector; the sex editor; an older
world without sexes; and the timeline's legends kept inside their plots at 1280x800."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.common.portraits import age_band
from engine.contracts import Sex
from engine.contracts.edits import EditPerson
from tests.conftest import WORLDS

from .conftest import run_ticks, wait_until


def _select(controller, name: str):  # type: ignore[no-untyped-def]
    people = controller.bridge.latest.static.people
    person = next(p for p in people if p.name == name)
    inspector = controller.window.inspector
    controller.selection.select_person(person.id)
    inspector.person_tabs.setCurrentWidget(inspector.person_tabs.overview)
    wait_until(lambda: inspector.person.name.text() == name, 5, f"the inspector to show {name}")
    return person


def test_the_inspector_shows_a_face_of_their_sex_and_age(open_controller) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(WORLDS / "village.town")
    page = controller.window.inspector.person
    expected = {"Ada Okafor": ("female", "child"), "Sam Okafor": ("male", "child"),
                "Lucia Alvarez": ("female", "young"), "Ivan Novak": ("male", "young"),
                "Rosa Alvarez": ("female", "adult"), "Jonah Ferris": ("male", "adult"),
                "Edith Hartley": ("female", "elder"), "Otto Lindqvist": ("male", "elder")}
    for name, (sex, band) in expected.items():
        person = _select(controller, name)
        key = page.portrait_key
        assert key is not None and (key.sex, key.band) == (sex, band), name
        assert str(person.sex) == sex and age_band(person.age) == band
        pixmap = page.picture.pixmap()
        assert not pixmap.isNull() and (pixmap.width(), pixmap.height()) == (96, 96)
        assert band in page.picture.toolTip() and sex in page.picture.toolTip()
    # Everyone in the village has a face of their own.
    shown = controller.window.inspector._portraits_of(controller.bridge.latest)
    assert len({key.name for key in shown.values()}) == len(shown) == 25


def test_edit_changes_their_sex_and_their_face(controller) -> None:  # type: ignore[no-untyped-def]
    bridge, inspector = controller.bridge, controller.window.inspector
    page = inspector.person
    woman = next(p for p in bridge.latest.static.people if p.sex is Sex.FEMALE and p.age >= 20)
    _select(controller, woman.name)
    assert page.portrait_key is not None and page.portrait_key.sex == "female"
    sent: list[object] = []
    send = inspector.send_edit
    inspector.send_edit = lambda edit: (sent.append(edit), send(edit))[1]
    page.edit_button.click()
    editor = page.editor
    assert editor.sex.currentData() == "female"
    editor.sex.setCurrentIndex(editor.sex.findData("male"))
    editor.apply_button.click()
    assert len(sent) == 1 and isinstance(sent[0], EditPerson) and sent[0].sex == "male" and sent[0].age is None
    wait_until(lambda: bridge.latest.static.people[woman.id].sex is Sex.MALE, 10, "the edit")
    wait_until(lambda: page.portrait_key is not None and page.portrait_key.sex == "male", 5, "a man's face")
    controller.history.stack.undo()
    wait_until(lambda: bridge.latest.static.people[woman.id].sex is Sex.FEMALE, 10, "the undo")
    wait_until(lambda: page.portrait_key is not None and page.portrait_key.sex == "female", 5, "her face again")


def test_a_world_saved_before_sexes_opens_with_fitting_faces(open_controller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "old.town"
    old.write_bytes((WORLDS / "village.town").read_bytes())
    with sqlite3.connect(old) as conn:
        conn.execute("ALTER TABLE person DROP COLUMN sex")
        conn.execute("UPDATE meta SET value='6' WHERE key='schema_version'")
    controller = open_controller(old)
    _select(controller, "Edith Hartley")
    key = controller.window.inspector.person.portrait_key
    assert key is not None and (key.sex, key.band) == ("female", "elder")


def test_the_timeline_legends_fit_inside_their_plots(controller) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    assert (window.width(), window.height()) == (1280, 800)
    timeline = window.timeline
    window.docks["timeline"].raise_()
    wait_until(lambda: timeline.isVisible(), 5, "the timeline to be shown")
    for plot in (timeline.needs, timeline.activity):
        wait_until(lambda plot=plot: _legend_inside(plot), 5, "the legend to fit")
    labels = [label.text for _, label in timeline.activity.legend.items]
    assert "Mean money" in labels
    # Another right-hand curve renames its entry: a label once stretched by the layout pushed a second
    # column out past the plot's edge, the new name drawn where nobody sees it.
    run_ticks(controller, 30)
    wait_until(lambda: timeline.right_curve.findData("gdp") >= 0, 10, "GDP offered once samples came")
    timeline.right_curve.setCurrentIndex(timeline.right_curve.findData("gdp"))
    wait_until(lambda: "GDP" in [label.text for _, label in timeline.activity.legend.items], 5, "the entry renamed")
    wait_until(lambda: _legend_inside(timeline.activity), 5, "the renamed legend to fit")


def _legend_inside(plot) -> bool:  # type: ignore[no-untyped-def]
    """The legend's box, and every label's text, inside the plot's view."""
    view = plot.vb.sceneBoundingRect()
    texts = [label.item.sceneBoundingRect() for _, label in plot.legend.items]
    legend = plot.legend.sceneBoundingRect()
    return legend.width() > 0 and view.contains(legend) and all(view.contains(text) for text in texts)
