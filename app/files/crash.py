"""Crash safety: an uncaught exception is logged, the world autosaved, and the user told plainly.

``sys.excepthook`` (which PySide6 also calls for exceptions raised in slots) and
``threading.excepthook`` both land here. The traceback goes to a rotating log in
the user log folder; the open world is saved to a recovery copy in the user data
folder by sending ``SaveWorld`` through the bridge — never by touching engine
objects, which live on the engine thread — and a small JSON marker says where it
came from. The next start finds the marker and offers to recover.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import os
import sys
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from app.common.bridge import EngineBridge
from app.files.user_paths import log_dir, recovery_dir
from engine.contracts import SaveWorld

LOG_NAME = "townsfolk.log"
MARKER_NAME = "recovery.json"
SAVING = "Townsfolk is saving your town to a recovery copy…"
SAVED = "Your town was saved to a recovery copy; Townsfolk will offer it the next time it starts."
log = logging.getLogger("townsfolk.crash")


def log_path() -> Path:
    return log_dir() / LOG_NAME


def marker_path() -> Path:
    return recovery_dir() / MARKER_NAME


@dataclass(frozen=True)
class Recovery:
    """What a crash (or a timed autosave) left: the copy and the file it came from (None if never saved)."""

    recovery: Path
    original: Path | None
    when: str
    kind: str = "crash"  # crash | autosave


def read_marker() -> Recovery | None:
    """The recovery on offer, if its marker exists and its copy is still readable.

    A timed autosave of a Townsfolk that is still running (another window) is not on offer: it
    is that window's unsaved work, not a lost one.
    """
    try:
        data = json.loads(marker_path().read_text(encoding="utf-8"))
        recovery = Path(data["recovery"])
        with recovery.open("rb"):
            pass
        kind = str(data.get("kind", "crash"))
        pid = int(data.get("pid", 0))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if kind == "autosave" and pid and pid != os.getpid() and _running(pid):
        return None
    original = data.get("original")
    return Recovery(recovery, Path(original) if original else None, str(data.get("time", "")), kind)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def discard_marker() -> None:
    """Forget the offer (the copy itself stays until the next crash overwrites it)."""
    with contextlib.suppress(OSError):
        marker_path().unlink()


def write_marker(original: Path | None, recovery: Path, kind: str = "crash") -> None:
    """Offer ``recovery`` at the next start (``kind`` autosave: only once this process is gone)."""
    data = {"original": str(original) if original else None, "recovery": str(recovery),
            "time": datetime.now().isoformat(timespec="seconds"), "log": str(log_path()), "kind": kind,
            "pid": os.getpid()}
    marker = marker_path()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _file_logger() -> logging.Logger:
    """The crash log: rotating, so a crash loop can never fill the disk."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for handler in list(log.handlers):  # a new install (tests) may point at another folder
        log.removeHandler(handler)
        handler.close()
    handler = logging.handlers.RotatingFileHandler(log_path(), maxBytes=512_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return log


class OpenWorld(Protocol):
    """What a crash needs of the app: the bridge to save through, the window to speak over, and
    the real file behind the open world (None if it has none), for the recovery marker."""

    @property
    def bridge(self) -> EngineBridge: ...

    @property
    def window(self) -> QWidget: ...

    def recovery_original(self) -> Path | None: ...


class CrashGuard(QObject):
    """Installs the hooks; handles each crash on the GUI thread (a worker's crash is queued there)."""

    _from_thread = Signal(str)  # the formatted traceback of a worker thread's crash

    def __init__(self, app: OpenWorld, show_dialog: bool = True):
        super().__init__(app if isinstance(app, QObject) else None)  # lives as long as the app it guards
        self.app = app
        self.show_dialog = show_dialog
        self.dialog: QMessageBox | None = None
        self._summary = ""  # the crash's last line, as the dialog says it
        self.crashes: list[str] = []
        self.recovered: Path | None = None  # the last recovery copy the engine said it saved
        self._handling = False
        self._saving: Path | None = None  # the recovery copy asked for and not yet answered
        self._old_hooks = (sys.excepthook, threading.excepthook)
        self._from_thread.connect(self._recover)
        app.bridge.world_saved.connect(self._on_saved)
        app.bridge.save_failed.connect(self._on_save_failed)
        app.bridge.engine_failed.connect(self._on_engine_failed)

    def install(self) -> CrashGuard:
        _file_logger()
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._old_hooks

    # ------------------------------------------------------------------ hooks

    def _excepthook(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._old_hooks[0](kind, value, tb)
            return
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(text)
        log.error("Uncaught exception\n%s", text)
        if threading.current_thread() is threading.main_thread():
            self._recover(text)
        else:
            self._from_thread.emit(text)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        self._excepthook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    # ------------------------------------------------------------------ recovery

    def _recover(self, text: str) -> None:
        self.crashes.append(text)
        if self._handling:
            return  # a crash while handling a crash: the log has it, do not recurse
        self._handling = True
        try:
            saving = self.autosave()
            if self.show_dialog:
                self._tell(text.strip().splitlines()[-1], saving)
        except Exception:  # the handler must never crash the app itself
            log.exception("The crash handler failed")
        finally:
            self._handling = False

    def autosave(self) -> Path | None:
        """Ask the engine to save a recovery copy; its marker is written when the engine says the copy is
        saved (a big town's save takes seconds: waiting here would freeze the window, and give up on it).
        The copy's path, or None when there is no open town to save."""
        bridge = self.app.bridge
        if not bridge.attached:
            return None
        if self._saving is not None:
            return self._saving  # a crash while the last one's copy is being saved: that copy will do
        # A fresh name each time: the open world may itself be an earlier recovery copy.
        target = recovery_dir() / f"recovered-{datetime.now():%Y%m%d-%H%M%S-%f}.town"
        target.parent.mkdir(parents=True, exist_ok=True)
        self._saving = target
        bridge.send(SaveWorld(path=str(target)))
        return target

    def _on_saved(self, path: str) -> None:
        target = self._saving
        if target is None or Path(path) != target:
            return
        self._saving = None
        original = self.app.recovery_original()
        write_marker(original, target)
        self.recovered = target
        log.info("Recovery copy saved to %s (from %s)", target, original)
        self._say(SAVED)

    def _on_save_failed(self, path: str, reason: str) -> None:
        target = self._saving
        if target is None or Path(path) != target:
            return
        self._no_copy(reason)

    def _on_engine_failed(self, message: str) -> None:
        """The engine stopped before it answered: no copy is coming (the dialog would say "saving" for ever)."""
        if self._saving is not None:
            self._no_copy(message)

    def _no_copy(self, reason: str) -> None:
        self._saving = None
        log.error("The recovery copy could not be saved: %s", reason)
        self._say(f"Townsfolk could not save a recovery copy of your town: {reason}")

    def _tell(self, summary: str, saving: Path | None) -> None:
        """Say what happened, without blocking: the app may well keep working."""
        kept = SAVING if saving is not None else "There was no open town to save."  # the answer comes later
        box = QMessageBox(QMessageBox.Icon.Critical, "Townsfolk hit a problem", "",
                          QMessageBox.StandardButton.Close, self.app.window)
        self._summary = summary
        folder = box.addButton("Open log folder", QMessageBox.ButtonRole.ActionRole)
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir()))))
        box.setModal(False)
        self.dialog = box
        self._say(kept)
        box.show()

    def _say(self, kept: str) -> None:
        """The dialog's words, with what became of the recovery copy."""
        if self.dialog is not None:
            self.dialog.setText(f"Something went wrong: {self._summary}\n\n{kept}\n\nThe details are in {log_path()}")
