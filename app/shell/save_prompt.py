"""Never drop unsaved work silently: Save / Discard / Cancel before a world is closed or replaced.

``SaveGate.confirm`` is asked before Quit, Close, Open, New, an imported map and opening a
recovery copy. It first waits for a save still being written (quitting mid-save never cuts
it short); then, when the world has unsaved changes, it pauses the simulation and asks.
Cancel leaves everything as it was (a running simulation runs on); Save saves (asking
where, for a world without a file) and goes on only once the save has succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.common.bridge import EngineBridge
from app.files.unsaved import UnsavedChanges
from engine.contracts import Pause, Play

PROMPT_NAME = "unsavedChanges"  # the dialog's object name (tests find it by this)


class Choice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_to_save(parent: QWidget, world_name: str, doing: str) -> Choice:
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Warning, "Save changes?",
                      f"“{world_name}” has changes that are not saved.\n\nSave them before {doing}?",
                      buttons.Save | buttons.Discard | buttons.Cancel, parent)
    box.setObjectName(PROMPT_NAME)
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    box.button(buttons.Discard).setText("Don't Save")
    answer = box.exec()
    return {buttons.Save: Choice.SAVE, buttons.Discard: Choice.DISCARD}.get(buttons(answer), Choice.CANCEL)


class SaveGate:
    def __init__(self, window: QWidget, bridge: EngineBridge, unsaved: UnsavedChanges, save: Callable[[], bool],
                 world_name: Callable[[], str], ask: bool = True):
        self.window = window
        self.bridge = bridge
        self.unsaved = unsaved
        self.save = save  # starts the user's save (Save As when needed); False if the user gave up
        self.world_name = world_name
        self.ask = ask  # False for the smoke test: no dialogs at all
        self.asked: list[Choice] = []  # every answer, for the status bar's story and the tests

    def confirm(self, doing: str) -> bool:
        """True when the open world may be closed or replaced now."""
        self.wait_for_saves()
        if not self.ask or not self.unsaved.dirty or not self.bridge.attached:
            return True
        latest = self.bridge.latest
        was_running = latest is not None and latest.running
        self.bridge.send(Pause())  # what is saved is what the user sees; nothing changes while asked
        choice = ask_to_save(self.window, self.world_name(), doing)
        self.asked.append(choice)
        if choice is Choice.DISCARD:
            return True
        if choice is Choice.SAVE and self.save_and_wait():
            return True
        if was_running and self.bridge.attached:
            self.bridge.send(Play())  # Cancel (or a failed save): as it was
        return False

    def save_and_wait(self) -> bool:
        failures: list[str] = []

        def failed(_path: str, reason: str) -> None:
            failures.append(reason)

        self.bridge.save_failed.connect(failed)
        try:
            if not self.save():
                return False
            self.wait_for_saves()
        finally:
            self.bridge.save_failed.disconnect(failed)
        return not failures and self.bridge.attached

    def wait_for_saves(self) -> None:
        """Until every save sent has been answered (or the engine is gone): a save is never cut short."""
        handle = self.bridge.handle
        while self.bridge.saving and handle is not None and handle.alive:
            QApplication.processEvents()
            self.bridge.poll()
            time.sleep(0.01)
