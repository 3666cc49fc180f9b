"""Work the window must not wait for (an experiment, a survey, a comparison), on a thread of its own.

``Background.start(fn)`` runs ``fn`` off the GUI thread; its result (or the error, in one
line) comes back on the GUI thread through ``finished(job, result, error)``. ``fn`` may
report along the way through ``report``, which arrives as ``progress(job, value)``.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class Background(QObject):
    finished = Signal(int, object, str)  # job, result, error ("" when it went well)
    progress = Signal(int, object)  # job, whatever the work reported

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs = itertools.count(1)
        self.running = 0  # jobs not finished yet
        self.finished.connect(self._done)

    def start(self, work: Callable[[Callable[[object], None]], Any], name: str = "townsfolk-work") -> int:
        """Run ``work(report)``; returns the job number its signals carry."""
        job = next(self._jobs)
        self.running += 1

        def report(value: object) -> None:
            with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                self.progress.emit(job, value)

        def run() -> None:
            result, error = None, ""
            try:
                result = work(report)
            except Exception as exc:  # shown to the user as one line, never a traceback
                lines = [line for line in str(exc).splitlines() if line.strip()]
                error = lines[0] if lines else type(exc).__name__
            with contextlib.suppress(RuntimeError):
                self.finished.emit(job, result, error)

        threading.Thread(target=run, name=name, daemon=True).start()
        return job

    def _done(self, _job: int, _result: object, _error: str) -> None:
        self.running = max(0, self.running - 1)
