"""Wires the world tools to the window: events and news, the chat and console docks, Tiled files.

``install_world_tools(controller)`` is called once by the controller; everything
here talks to the engine only through the bridge and the edit history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.files.tiled_io import TiledFiles
from app.godmode.world_events import InjectEventDialog, NewsDialog
from engine.contracts import CommandRejected, EditApplied, Event, WorldEventHappened
from engine.contracts.edits import Edit

if TYPE_CHECKING:
    from app.shell.controller import Controller

STATUS_MS = 10000


class WorldTools(QObject):
    def __init__(self, controller: Controller):
        super().__init__(controller)
        self.controller = controller
        window, bridge, history = controller.window, controller.bridge, controller.history
        self.tiled = TiledFiles(controller)
        self.events_dialog: InjectEventDialog | None = None
        self.news_dialog: NewsDialog | None = None
        self._news_sent: set[int] = set()

        chat, console = window.chat, window.console
        chat.set_sender(history.send)
        console.set_senders(bridge.query, history.send)  # parsing is a quiet read; running is an edit
        bridge.snapshot_changed.connect(chat.set_snapshot)
        bridge.events_arrived.connect(self._on_events)
        bridge.answers_arrived.connect(console.add_answers)
        controller.world_loaded.connect(self._on_world_loaded)

        a = window.actions
        a.inject_event.triggered.connect(self.open_events)
        a.broadcast.triggered.connect(self.open_news)
        a.import_tiled.triggered.connect(self.tiled.import_dialog)
        a.export_tiled.triggered.connect(self.tiled.export_dialog)

    def _send(self, edit: Edit) -> int | None:
        return self.controller.history.send(edit)

    def open_events(self) -> InjectEventDialog:
        c = self.controller
        if self.events_dialog is None:
            self.events_dialog = InjectEventDialog(c.window, c.selection, lambda: c.bridge.latest, c.tools.pick,
                                                   self._send)
        self.events_dialog.reset_place()
        self.events_dialog.show()
        self.events_dialog.raise_()
        self.events_dialog.activateWindow()
        return self.events_dialog

    def open_news(self) -> NewsDialog:
        c = self.controller
        if self.news_dialog is None:
            self.news_dialog = NewsDialog(c.window, lambda: c.bridge.latest, self._send_news)
        self.news_dialog.refresh_districts()
        self.news_dialog.show()
        self.news_dialog.raise_()
        self.news_dialog.activateWindow()
        return self.news_dialog

    def _send_news(self, edit: Edit) -> int | None:
        command_id = self._send(edit)
        if command_id is not None:
            self._news_sent.add(command_id)
        return command_id

    def _on_events(self, events: list[Event]) -> None:
        window = self.controller.window
        window.chat.add_events(events)
        window.console.add_events(events)
        happened: WorldEventHappened | None = None  # an edit's event comes just before its answer
        for event in events:
            if isinstance(event, WorldEventHappened):
                happened = event
                count = len(event.witnesses)
                words = f"{count} {'person' if count == 1 else 'people'} noticed: {event.text}"
                # After the edit history's own line for the same edit, so this one stays up.
                window.statusBar().showMessage(words, STATUS_MS)
            elif isinstance(event, EditApplied | CommandRejected):
                self._answered(event, happened)

    def _answered(self, event: EditApplied | CommandRejected, happened: WorldEventHappened | None) -> None:
        """The dialogs hear the answers to what they sent (a refusal too), and nothing else."""
        events_dialog, news_dialog = self.events_dialog, self.news_dialog
        if events_dialog is not None and event.command_id in events_dialog.sent:
            events_dialog.sent.remove(event.command_id)
            if isinstance(event, CommandRejected):
                events_dialog.show_refusal(event.reason)
            elif happened is not None:
                events_dialog.show_witnesses(len(happened.witnesses), happened.text)
        elif event.command_id in self._news_sent:
            self._news_sent.discard(event.command_id)
            if news_dialog is not None:
                news_dialog.show_outcome(event.summary if isinstance(event, EditApplied)
                                         else f"not told: {event.reason}")

    def _on_world_loaded(self, _loaded: object) -> None:
        window = self.controller.window
        window.chat.reset_world()
        window.console.reset_world()
        self._news_sent.clear()
        for dialog in (self.events_dialog, self.news_dialog):
            if dialog is not None:
                dialog.close()


def install_world_tools(controller: Controller) -> WorldTools:
    return WorldTools(controller)
