"""How a headless run with minds keeps time, and the progress line it prints.

- ``lockstep`` (the default): every answer is applied a fixed few sim minutes after it was
  asked for (``LOCKSTEP_LATENCY_MINUTES``), waiting for it if need be. Thoughts asked in
  different ticks are in flight together, so several servers (or server threads) are all
  busy, and the run is still the same given the same answers.
- ``live``: time runs at ``speed`` sim minutes per wall second, as in the window; nothing
  waits for the model, an answer lands at the first tick after it arrives, and a tick
  that is due is run at once (a slow machine falls behind rather than waiting).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

PACES = ("lockstep", "live")
LOCKSTEP_LATENCY_MINUTES = 5  # sim minutes between asking and applying, in lockstep
PROGRESS_EVERY_S = 5.0  # wall seconds between progress lines


@dataclass
class Pace:
    """Waits (live) so tick ``i`` of the run starts no earlier than its place in wall time."""

    mode: str
    speed: float  # sim minutes per wall second (live)
    tick_seconds: float
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.mode not in PACES:
            raise ValueError(f"unknown pace {self.mode!r}; choose one of {', '.join(PACES)}")
        if self.speed <= 0:
            raise ValueError("the speed must be above 0 sim minutes per second")

    def before_tick(self, index: int) -> None:
        if self.mode != "live":
            return
        due = self.started + index * self.tick_seconds / 60 / self.speed
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)


@dataclass
class Progress:
    """One line now and then: sim time, calls, tokens per second, and when the run should end."""

    total: int  # ticks in the run
    say: Callable[[str], None]
    every_s: float = PROGRESS_EVERY_S
    started: float = field(default_factory=time.monotonic)
    _last: float = field(default_factory=time.monotonic)
    _tokens_at_start: int = -1

    def after_tick(self, done: int, sim_time: str, stats: dict[str, int]) -> None:
        now = time.monotonic()
        if self._tokens_at_start < 0:
            self._tokens_at_start = stats.get("tokens", 0)
        if now - self._last < self.every_s and done < self.total:
            return
        if done >= self.total and now - self.started < self.every_s:
            return  # a run shorter than the interval says nothing: its summary is all there is to say
        self._last = now
        elapsed = now - self.started
        rate = (stats.get("tokens", 0) - self._tokens_at_start) / elapsed if elapsed > 0 else 0.0
        left = elapsed / done * (self.total - done) if done else 0.0
        self.say(f"sim {sim_time} ({done}/{self.total} ticks), {stats.get('calls', 0)} calls, "
                 f"{stats.get('fallbacks', 0)} fallbacks, {rate:.0f} tokens/s, expected end in {_duration(left)}")


def _duration(wall: float) -> str:
    seconds = round(wall)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
