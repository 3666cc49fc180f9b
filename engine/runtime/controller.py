"""Play / pause / step / speed, gated by one Condition.

A pause lands at the end of the current tick; ``step(n)`` runs exactly n ticks
and pauses again. The engine loop waits here, so a paused engine costs nothing.
"""

from __future__ import annotations

import threading
import time


class StepController:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._running = False
        self._steps = 0
        self._stopped = False
        self._wake = False
        self.ticks_per_second = 1.0  # 0 means as fast as possible
        self._next_due = 0.0

    @property
    def running(self) -> bool:
        return self._running

    @property
    def stopped(self) -> bool:
        return self._stopped

    def play(self) -> None:
        with self._cond:
            self._running = True
            self._next_due = time.perf_counter()
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._running = False
            self._steps = 0
            self._cond.notify_all()

    def step(self, ticks: int = 1) -> None:
        with self._cond:
            self._running = False
            self._steps += max(0, ticks)
            self._cond.notify_all()

    def set_speed(self, ticks_per_second: float) -> None:
        with self._cond:
            self.ticks_per_second = max(0.0, ticks_per_second)
            self._next_due = time.perf_counter()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def poke(self) -> None:
        """Wake the loop (a command arrived) without changing what it should do."""
        with self._cond:
            self._wake = True
            self._cond.notify_all()

    def work_waiting(self) -> bool:
        """A tick (or a command) is due right now: the loop will not wait before its next tick."""
        with self._cond:
            if self._stopped:
                return False
            if self._wake or self._steps > 0:
                return True
            return self._running and (self.ticks_per_second <= 0 or self._next_due <= time.perf_counter())

    @property
    def idle(self) -> bool:
        """Paused with no steps left to run."""
        return not self._running and self._steps == 0

    def wait_for_work(self, idle_timeout: float | None = None) -> bool:
        """Block until a tick is due, a command arrives, stop, or ``idle_timeout`` passes. True = run a tick now."""
        deadline = None if idle_timeout is None else time.perf_counter() + idle_timeout
        with self._cond:
            while not self._stopped:
                if deadline is not None and time.perf_counter() >= deadline:
                    return False
                if self._wake:
                    self._wake = False
                    return False
                if self._steps > 0:
                    self._steps -= 1
                    return True
                if self._running:
                    if self.ticks_per_second <= 0:
                        return True
                    delay = self._next_due - time.perf_counter()
                    if delay <= 0:
                        # Don't try to catch up a backlog after a stall: run late, once.
                        self._next_due = max(self._next_due, time.perf_counter() - 0.25) + 1.0 / self.ticks_per_second
                        return True
                    self._cond.wait(delay if deadline is None else min(delay, deadline - time.perf_counter()))
                else:
                    self._cond.wait(None if deadline is None else max(0.0, deadline - time.perf_counter()))
            return False
