"""How fast the model server(s) deliver, from the calls just made: what a thought will take to answer.

A call's time is the prompt read plus the answer written, each at its own speed (reading
is many times faster). Ollama reports both of its own times with each answer; for a server
that does not, the call's wall time is split with the last known ratio of the two speeds.
Recent calls weigh most (an exponential average), so the estimate follows a machine that
gets busier or quieter. Live pacing asks for no more than this speed can answer in time.
"""

from __future__ import annotations

import time
from collections import deque
from statistics import median

WEIGHT = 0.3  # how much the newest call moves the averages
READ_TO_WRITE = 10.0  # prompt tokens read per answer token written, until a server says otherwise
MIN_SECONDS = 0.05  # timings shorter than this say nothing reliable


class Throughput:
    """Prompt and answer tokens per second over recent calls (0.0 while unknown)."""

    def __init__(self) -> None:
        self.read_per_s = 0.0  # prompt tokens per second
        self.write_per_s = 0.0  # answer tokens per second
        self.measured_at = 0.0  # monotonic time of the last call measured (0: never)

    def note(self, prompt_tokens: int, answer_tokens: int, seconds: float, prompt_s: float = 0.0,
             answer_s: float = 0.0) -> None:
        """One answered call: its token counts, its wall time and, when the server said, its own two times."""
        if prompt_s >= MIN_SECONDS and answer_s >= MIN_SECONDS and prompt_tokens > 0 and answer_tokens > 0:
            read, write = prompt_tokens / prompt_s, answer_tokens / answer_s
        elif seconds >= MIN_SECONDS and answer_tokens > 0:
            ratio = self.read_per_s / self.write_per_s if self.write_per_s else READ_TO_WRITE
            write = (answer_tokens + prompt_tokens / ratio) / seconds  # answer-token equivalents per second
            read = write * ratio
        else:
            return
        self.read_per_s = read if not self.read_per_s else (1 - WEIGHT) * self.read_per_s + WEIGHT * read
        self.write_per_s = write if not self.write_per_s else (1 - WEIGHT) * self.write_per_s + WEIGHT * write
        self.measured_at = time.monotonic()

    def seconds_for(self, prompt_tokens: float, answer_tokens: float) -> float | None:
        """What a call of this size should take (None: nothing measured yet)."""
        if not self.write_per_s or not self.read_per_s:
            return None
        return prompt_tokens / self.read_per_s + answer_tokens / self.write_per_s

    def as_dict(self) -> dict[str, float]:
        return {"prompt_tokens_per_s": round(self.read_per_s, 1), "answer_tokens_per_s": round(self.write_per_s, 1)}


class TickRate:
    """Wall seconds per tick, as the engine is actually stepping (live pacing follows the speed setting)."""

    def __init__(self, keep: int = 9):
        self._gaps: deque[float] = deque(maxlen=keep)
        self._last = 0.0

    def tick(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self._last:
            self._gaps.append(now - self._last)
        self._last = now

    @property
    def seconds_per_tick(self) -> float | None:
        """The median of the recent gaps (a pause or a stall does not swing it); None until measured."""
        return median(self._gaps) if len(self._gaps) >= 3 else None
