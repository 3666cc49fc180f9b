"""Sim time: ticks of a fixed length from a start minute on day 1 (a Monday)."""

from __future__ import annotations

from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Clock:
    tick_seconds: int = 60
    start_minute: int = 6 * 60

    def __post_init__(self) -> None:
        if not 1 <= self.tick_seconds <= 3600:
            raise ValueError("tick length must be between 1 second and 1 hour")

    @property
    def minutes_per_tick(self) -> float:
        return self.tick_seconds / 60.0

    def total_minutes(self, tick: int) -> int:
        return self.start_minute + (tick * self.tick_seconds) // 60

    def day(self, tick: int) -> int:
        return self.total_minutes(tick) // MINUTES_PER_DAY + 1

    def minute_of_day(self, tick: int) -> int:
        return self.total_minutes(tick) % MINUTES_PER_DAY

    def weekday(self, tick: int) -> int:
        """0 = Monday ... 6 = Sunday."""
        return (self.day(tick) - 1) % 7

    @staticmethod
    def weekday_of_day(day: int) -> int:
        """0 = Monday ... 6 = Sunday, of 1-based sim day ``day``."""
        return (day - 1) % 7

    def ticks_for(self, minutes: float) -> int:
        return max(1, round(minutes * 60 / self.tick_seconds))

    def tick_at_minute(self, tick: int, minute_of_day: int) -> int:
        """The first tick at or after the next time the clock shows ``minute_of_day``."""
        now = self.total_minutes(tick)
        today = now - now % MINUTES_PER_DAY
        target = today + minute_of_day
        if target <= now:
            target += MINUTES_PER_DAY
        return -(-((target - self.start_minute) * 60) // self.tick_seconds)

    def text(self, tick: int) -> str:
        m = self.minute_of_day(tick)
        return f"Day {self.day(tick)} {WEEKDAYS[self.weekday(tick)][:3]} {m // 60:02d}:{m % 60:02d}"
