"""The god console in the window: everyday phrases, confirmations in words, a tidy transcript."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from engine.contracts.enums import BuildingType
from tests.gui.conftest import wait_until


def _ask(console, qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    console.line.setFocus()
    qtbot.keyClicks(console.line, text)
    qtbot.keyClick(console.line, Qt.Key.Key_Return)


def test_the_console_reads_everyday_phrases_and_confirms_in_words(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    console = window.console
    window.docks["console"].raise_()
    static = controller.bridge.latest.static
    cafe = next(b for b in static.buildings if b.type == BuildingType.CAFE and not b.removed)
    first_names = [p.name.split()[0] for p in static.people]
    rosa = next(p for p in static.people if first_names.count(p.name.split()[0]) == 1)  # "near Rosa"
    _ask(console, qtbot, "make it rain frogs")
    wait_until(lambda: "Not understood" in console.log.toPlainText(), 20, "the refusal")
    _ask(console, qtbot, "spawn baker named Ada Lovelace near the cafe")
    wait_until(lambda: console.proposal, 20, "the reading")
    transcript = console.log.toPlainText()
    assert f"Ada Lovelace, a baker, moves in near {cafe.name}" in transcript
    assert "SpawnPerson" not in transcript and "x=" not in transcript
    # The command after an error is a line of its own, in plain ink, not inside the red answer.
    block = console.log.document().begin()
    while block.isValid() and "spawn baker" not in block.text():
        block = block.next()
    assert block.isValid() and block.text().startswith("> spawn baker")
    assert block.textList() is None
    colour = block.begin().fragment().charFormat().foreground().color()
    assert colour != QColor("#c0392b")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)  # runs it
    wait_until(lambda: any(p.name == "Ada Lovelace" for p in controller.bridge.latest.static.people), 10,
               "Ada to move in")
    _ask(console, qtbot, f"spawn a baker named Bea Rowe near {rosa.name.split()[0]}")
    wait_until(lambda: console.proposal, 20, "the second reading")
    assert f"Bea Rowe, a baker, moves in near {rosa.name}" in console.log.toPlainText()
    console.cancel()
    _ask(console, qtbot, "spawn a baker named Cy Dunn near a bakery")
    wait_until(lambda: console.proposal or "Not understood" in console.log.toPlainText().split("Cy Dunn")[-1],
               20, "the third reading")
    assert "Cy Dunn, a baker, moves in near " in console.log.toPlainText()
