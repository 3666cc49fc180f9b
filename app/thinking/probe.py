"""Ask a model server how it is, off the GUI thread: ``api.probe_llm`` can take seconds.

One long-lived prober (owned by the controller, not by a dialog) so a dialog
closed mid-check never receives a signal from a dead object. Each check gets a
number; callers keep the number they started and ignore everyone else's answers.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from PySide6.QtCore import QObject, Signal

from engine import api
from engine.contracts import LLMHealth

log = logging.getLogger(__name__)


class LLMProbe(QObject):
    finished = Signal(int, object)  # job number, api.Health

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs = 0
        self._lock = threading.Lock()

    def check(self, config: api.LLMConfig) -> int:
        """Start a check; its ``Health`` arrives later through ``finished`` with the returned number."""
        with self._lock:
            self._jobs += 1
            job = self._jobs

        def work() -> None:
            try:
                health = api.probe_llm(config)
            except Exception as exc:  # a bad address or a broken server: say so, never a traceback
                log.debug("probe failed", exc_info=True)
                health = api.Health(LLMHealth.NO_SERVER, f"Could not check the server: {exc}")
            with contextlib.suppress(RuntimeError):  # the app quit while we were asking
                self.finished.emit(job, health)

        threading.Thread(target=work, name="townsfolk-llm-probe", daemon=True).start()
        return job
