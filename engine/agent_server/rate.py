"""Per-person rate limits: a token bucket each (monotonic clock, no threads)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Bucket:
    rate: float  # requests per second
    burst: float
    tokens: float = -1.0
    at: float = field(default_factory=time.monotonic)

    def take(self) -> float:
        """0 when the request may go ahead; else the seconds to wait before the next one."""
        now = time.monotonic()
        if self.tokens < 0:
            self.tokens = self.burst
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate
