"""Time travel from the keyboard and the menus, and the Branches dock, wired to the engine.

Video-editor habits: Left/Right step one tick (back means restore a checkpoint
and replay), Shift+Left/Right jump ten ticks, Home/End go to the first
checkpoint / the head, J/K/L are back/pause/play. These keys work while the
timeline or the map has focus (the map keeps bare arrows for panning), never
while typing in the console, the chat or a dock's table, where arrows move a cursor.

Kept out of the controller so time travel is one module: it owns its actions,
the Time menu, the Branches dock, and turns the timeline's and the dock's
requests into ``Seek``/``SwitchBranch``/... commands, routing refusals back
inline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QInputDialog, QLabel

from app.common.event_batch import EventBatch
from app.docks.branches import BranchesDock
from app.docks.roomy import scrollable
from app.docks.timeline import PAST_TEXT, start_minute_of
from engine.contracts import (
    Command,
    CommandApplied,
    CommandRejected,
    DeleteBranch,
    MakeCheckpoint,
    RenameBranch,
    Seek,
    SwitchBranch,
    TimeJumped,
    WorldSnapshot,
)

if TYPE_CHECKING:
    from app.common.bridge import EngineBridge
    from app.window.main_window import MainWindow

JUMP_TICKS = 10
AIM_SECONDS = 1.0  # a key repeat faster than the engine answers steps from where we aimed, not a stale tick


class TimeControls(QObject):
    def __init__(self, window: MainWindow, bridge: EngineBridge, play: Callable[[bool], None],
                 step: Callable[[], None], parent: QObject | None = None):
        """``play(on)`` plays or pauses the world and ``step()`` runs it one tick, as the toolbar does."""
        super().__init__(parent)
        self.window = window
        self.bridge = bridge
        self._play, self._step = play, step
        self._pending: dict[int, type[Command]] = {}
        self._aimed: tuple[int, float] | None = None
        self.branches = BranchesDock()
        self.dock = QDockWidget("Branches", window)
        self.dock.setObjectName("branchesDock")
        self.dock.setWidget(scrollable(self.branches))
        window.add_tabbed_dock("branches", self.dock, anchor="graph")
        toggle = self.dock.toggleViewAction()
        toggle.setStatusTip("Show or hide the branches")
        if window.window_actions.docks_menu is not None:
            window.window_actions.docks_menu.addAction(toggle)
        self.past_label = QLabel(PAST_TEXT)
        self.past_label.setObjectName("pastLabel")
        self.past_label.setStyleSheet("color:#7d5ba6;font-weight:bold")
        self.past_label.setVisible(False)
        self.past_label.setContentsMargins(8, 0, 8, 0)
        window.statusBar().insertPermanentWidget(0, self.past_label)  # never hidden by a message
        self._build_actions()
        self._wire()

    # ------------------------------------------------------------------ actions and menu

    def _action(self, text: str, keys: tuple[str, ...], tip: str, slot: object) -> QAction:
        action = QAction(text, self.window)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{tip} ({', '.join(keys)})" if keys else tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        for place in (self.window.docks["timeline"], self.window.map_view):
            place.addAction(action)  # the keys work where time is shown, without the menu being open
        return action

    def _build_actions(self) -> None:
        actions = self.window.window_actions
        # Right now moves along the line (seek) in the past and steps at the head: one key, two jobs.
        actions.step.setShortcuts([QKeySequence(".")])
        self.back = self._action("Step &Back", ("Left", "J"), "One tick back (restores a checkpoint and replays)",
                                 lambda: self.step_by(-1))
        self.forward = self._action("Step &Forward", ("Right",), "One tick forward (in the past: along this branch)",
                                    lambda: self.step_by(1))
        self.jump_back = self._action("Jump Back", ("Shift+Left",), f"Jump {JUMP_TICKS} ticks back",
                                      lambda: self.step_by(-JUMP_TICKS))
        self.jump_forward = self._action("Jump Forward", ("Shift+Right",),
                                         f"Jump {JUMP_TICKS} ticks forward, no further than the head",
                                         lambda: self.step_by(JUMP_TICKS))
        self.start = self._action("Go to &Start", ("Home",), "Go to the first checkpoint of this branch",
                                  self.go_start)
        self.end = self._action("Go to &End", ("End",), "Go to the head: the furthest tick of this branch",
                                self.go_end)
        self.pause = self._action("Pause", ("K",), "Pause", lambda: self._play(False))
        self.play = self._action("Play", ("L",), "Play (from the past this starts a new branch)",
                                 lambda: self._play(True))
        self.checkpoint = self._action("Make &Checkpoint…", ("Ctrl+K",), "Mark this moment with a name",
                                       self.make_checkpoint)
        self.show_branches = self._action("&Branches", (), "Show the branches of history", self.open_branches)
        bar = self.window.menuBar()
        menu = bar.addMenu("&Time")
        for action in (self.back, self.forward, self.jump_back, self.jump_forward, None, self.start, self.end,
                       None, self.checkpoint, self.show_branches):
            menu.addAction(action) if action is not None else menu.addSeparator()
        help_menu = next((a for a in bar.actions() if a.text() == "&Help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu, menu)
        self.menu = menu

    def _wire(self) -> None:
        self.window.timeline.seek_requested.connect(self.seek)
        self.branches.switch_requested.connect(lambda b: self._send(SwitchBranch(branch=b)))
        self.branches.rename_requested.connect(lambda b, name: self._send(RenameBranch(branch=b, name=name)))
        self.branches.delete_requested.connect(lambda b: self._send(DeleteBranch(branch=b)))
        self.bridge.snapshot_changed.connect(self._on_snapshot)
        self.bridge.events_arrived.connect(self._on_events)
        self.bridge.command_answered.connect(self._on_answer)

    # ------------------------------------------------------------------ doing

    def _send(self, command: Command) -> int | None:
        if not self.bridge.attached:
            return None
        command_id = self.bridge.send(command)
        self._pending[command_id] = type(command)
        return command_id

    def _where(self) -> tuple[int, int] | None:
        """(tick we are at or were last sent to, head), or None without a world."""
        snap = self.bridge.latest
        if snap is None or snap.timeline is None:
            return None
        tick = snap.tick
        if self._aimed is not None and time.monotonic() - self._aimed[1] < AIM_SECONDS:
            tick = self._aimed[0]
        return tick, snap.timeline.head

    def seek(self, tick: int, exact: bool = True) -> None:
        where = self._where()
        if where is None:
            return
        tick = max(0, min(tick, where[1]))
        if exact:
            self._aimed = (tick, time.monotonic())
        self.window.window_actions.play.setChecked(False)  # the engine pauses to seek
        self._send(Seek(tick=tick, exact=exact))

    def step_by(self, ticks: int) -> None:
        where = self._where()
        if where is None:
            return
        tick, head = where
        if ticks > 0 and tick >= head:
            if ticks == 1:
                self._step()  # at the head, Right runs the world on
            return
        if tick + ticks != tick:
            self.seek(tick + ticks)

    def go_start(self) -> None:
        snap = self.bridge.latest
        if snap is not None and snap.timeline is not None:
            self.seek(min((c.tick for c in snap.timeline.checkpoints), default=0))

    def go_end(self) -> None:
        where = self._where()
        if where is not None:
            self.seek(where[1])

    def make_checkpoint(self) -> None:
        if not self.bridge.attached:
            return
        name, ok = QInputDialog.getText(self.window, "Make checkpoint", "Name this moment:")
        if ok:
            self._send(MakeCheckpoint(name=name.strip()))

    def open_branches(self) -> None:
        self.dock.show()
        self.dock.raise_()

    # ------------------------------------------------------------------ hearing back

    def _on_snapshot(self, snapshot: WorldSnapshot) -> None:
        timeline = snapshot.timeline
        if self._aimed is not None and snapshot.tick == self._aimed[0]:
            self._aimed = None
        self.past_label.setVisible(timeline is not None and snapshot.tick < timeline.head)
        self.branches.set_timeline(timeline, snapshot.tick_seconds, start_minute_of(snapshot))

    def _on_events(self, events: EventBatch) -> None:
        for event in events.only(TimeJumped):
            if isinstance(event, TimeJumped) and event.reason == "fork":
                self.window.statusBar().showMessage("Playing from the past started a new branch "
                                                    "(the old future is kept: see Time ▸ Branches)", 6000)

    def _on_answer(self, answer: CommandApplied | CommandRejected) -> None:
        kind = self._pending.pop(answer.command_id, None)
        if kind is None:
            return
        on_branches = kind in (SwitchBranch, RenameBranch, DeleteBranch)
        if isinstance(answer, CommandRejected):
            if kind is Seek:
                self._aimed = None
            if on_branches:
                self.branches.show_message(answer.reason, error=True)
                self.branches.invalidate()  # put back what a refused rename changed in the list
            else:
                self.window.statusBar().showMessage(f"Time: {answer.reason}", 6000)
        elif on_branches or kind is MakeCheckpoint:
            if on_branches:
                self.branches.show_message(answer.summary.capitalize())
            self.window.statusBar().showMessage(answer.summary.capitalize(), 4000)
