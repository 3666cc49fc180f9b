"""Redraw a dock at most a couple of times a second, and only while someone can see it.

The snapshot arrives ~30 times a second; tables of a town's economy or councils
need not. A dock asks ``request()`` when its data changed; the pacer redraws at
once if the last redraw is old enough, else once the interval is up. A dock
tabbed away or closed is redrawn when it is shown again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

REFRESH_SECONDS = 0.5


class RefreshPacer(QObject):
    def __init__(self, redraw: Callable[[], None], parent: QObject, seconds: float = REFRESH_SECONDS):
        super().__init__(parent)
        self.redraw = redraw
        self.seconds = seconds
        self.on_screen = True  # kept by the dock's visibilityChanged (see ``set_on_screen``)
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run)

    def request(self) -> None:
        if not self.on_screen:
            return  # caught up when shown again
        wait = self.seconds - (time.monotonic() - self._last)
        if wait <= 0:
            self.run()
        elif not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def run(self) -> None:
        self._last = time.monotonic()
        self.redraw()

    def set_on_screen(self, visible: bool) -> None:
        self.on_screen = visible
        if visible:
            self.run()
