"""Wires the world tools to the window: events and news, the chat and console docks, Tiled files.

The controller makes one ``WorldTools``; everything here talks to the engine only
through the bridge and the edit history's ``send``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, SignalInstance

from app.common.bridge import EngineBridge
from app.common.event_batch import EventBatch
from app.common.selection import Selection
from app.files.tiled_io import TiledFiles
from app.godmode.world_events import InjectEventDialog, NewsDialog, Picker
from app.window.main_window import MainWindow
from engine.contracts import CommandRejected, EditApplied, WorldEventHappened
from engine.contracts.edits import Edit

STATUS_MS = 10000


class WorldTools(QObject):
    def __init__(self, window: MainWindow, bridge: EngineBridge, selection: Selection, *,
                 send: Callable[[Edit], int | None], pick: Picker, world_loaded: SignalInstance, tiled: TiledFiles,
                 parent: QObject | None = None):
        """``send`` is the edit history's (so edits can be undone); ``pick`` asks the map for a place."""
        super().__init__(parent)
        self.window, self.bridge, self.selection = window, bridge, selection
        self._send_edit, self._pick = send, pick
        self.tiled = tiled
        self.events_dialog: InjectEventDialog | None = None
        self.news_dialog: NewsDialog | None = None
        self._news_sent: set[int] = set()

        chat, console = window.chat, window.console
        chat.set_sender(send)
        console.set_senders(bridge.query, send)  # parsing is a quiet read; running is an edit
        chat.subscribe(bridge, world_loaded)
        console.subscribe(bridge, world_loaded)
        bridge.events_arrived.connect(self._on_events)
        world_loaded.connect(self._on_world_loaded)

        a = window.window_actions
        a.inject_event.triggered.connect(self.open_events)
        a.broadcast.triggered.connect(self.open_news)
        a.import_tiled.triggered.connect(self.tiled.import_dialog)
        a.export_tiled.triggered.connect(self.tiled.export_dialog)

    def _send(self, edit: Edit) -> int | None:
        return self._send_edit(edit)

    def open_events(self) -> InjectEventDialog:
        if self.events_dialog is None:
            self.events_dialog = InjectEventDialog(self.window, self.selection, lambda: self.bridge.latest,
                                                   self._pick, self._send)
        self.events_dialog.reset_place()
        self.events_dialog.show()
        self.events_dialog.raise_()
        self.events_dialog.activateWindow()
        return self.events_dialog

    def open_news(self) -> NewsDialog:
        if self.news_dialog is None:
            self.news_dialog = NewsDialog(self.window, lambda: self.bridge.latest, self._send_news)
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

    def _on_events(self, events: EventBatch) -> None:
        window = self.window
        happened: WorldEventHappened | None = None  # an edit's event comes just before its answer
        for event in events.only(WorldEventHappened, EditApplied, CommandRejected):
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
        self._news_sent.clear()
        for dialog in (self.events_dialog, self.news_dialog):
            if dialog is not None:
                dialog.close()

