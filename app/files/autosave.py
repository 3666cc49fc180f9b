"""Timed autosave: every few real minutes, unsaved work goes to a recovery copy in the user's data folder.

The copy is offered at the next start like a crash's (see ``crash``), but only when the
Townsfolk that wrote it is gone: it stands for work lost to a kill or a power cut. A clean
close (after Save or Discard) and opening another world remove it. The interval is the
setting ``files/autosave_minutes`` (default 5; 0 turns it off).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from app.common.bridge import EngineBridge
from app.files import crash
from app.files.unsaved import UnsavedChanges
from app.files.user_paths import recovery_dir
from engine import api
from engine.contracts import SaveWorld

log = logging.getLogger(__name__)
DEFAULT_MINUTES = 5.0


class Autosaver(QObject):
    def __init__(self, bridge: EngineBridge, unsaved: UnsavedChanges, original: Callable[[], Path | None],
                 minutes: float = DEFAULT_MINUTES, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.unsaved = unsaved
        self.original = original  # the real file behind the open world, for the offer's words
        self.minutes = minutes
        self.target: Path | None = None  # this world's recovery copy, once written
        self._saved_revision = -1
        self._sending: tuple[Path, int] | None = None
        self._offered = False  # our marker was written (so its absence means another start took it)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.autosave_now)
        bridge.world_saved.connect(self._on_saved)

    def world_opened(self) -> None:
        self.discard()
        self.timer.stop()
        if self.minutes > 0:
            self.timer.start(max(100, int(self.minutes * 60_000)))

    def autosave_now(self) -> bool:
        """Send a save of the open world to its recovery copy when it changed since the last one."""
        unsaved = self.unsaved
        if (not self.bridge.attached or not unsaved.dirty or unsaved.revision == self._saved_revision
                or self.bridge.saving):
            return False
        if self.target is None:
            self.target = recovery_dir() / f"autosave-{datetime.now():%Y%m%d-%H%M%S-%f}.town"
            self.target.parent.mkdir(parents=True, exist_ok=True)
        self._sending = (self.target, unsaved.revision)
        self.bridge.send(SaveWorld(path=str(self.target)))
        return True

    def _on_saved(self, path: str) -> None:
        if self._sending is None or Path(path) != self._sending[0]:
            return
        target, self._saved_revision = self._sending
        self._sending = None
        crash.write_marker(self.original(), target, kind="autosave")
        self._offered = True
        log.info("Autosaved to %s", target)

    def discard(self) -> None:
        """The work is saved or given up: the copy and its offer go (unless another start took the offer)."""
        target, self.target = self.target, None
        offered, self._offered = self._offered, False
        self._saved_revision = -1
        self._sending = None  # an answer still on its way is for a copy given up: it must not write an offer
        if target is None:
            return
        marker = crash.read_marker()
        ours = marker is not None and marker.recovery == target
        if ours:
            crash.discard_marker()
        if ours or not offered:  # not when a later start took the offer: the copy is its world now
            with contextlib.suppress(OSError):
                api.remove_world(target)
