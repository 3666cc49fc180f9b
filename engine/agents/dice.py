"""A tiny seeded random generator for choices made from (person, day) rather than the running dice.

``random.Random(seed)`` costs ~9 us to seed; a day's plan for each of 10,000 people
needs one each, so this is SplitMix64 in plain ints (~1 us a draw, no seeding cost).
"""

from __future__ import annotations

MASK = (1 << 64) - 1


class Dice:
    __slots__ = ("state",)

    def __init__(self, *seed: int):
        state = 0x2545F4914F6CDD1D
        for part in seed:
            state = ((state ^ (part & MASK)) * 0x100000001B3) & MASK
        self.state = state

    def _next(self) -> int:
        self.state = z = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next() >> 11) / 9007199254740992.0

    def randrange(self, stop: int, /) -> int:
        return self._next() % stop

    def randint(self, low: int, high: int) -> int:
        return low + self._next() % (high - low + 1)
