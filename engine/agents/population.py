"""Everyone's changing state as parallel numpy arrays, and vectorised walking.

Per-person Python runs only at decision points; every tick the whole crowd walks
and gets hungry in a handful of array operations. Paths live back to back in one
int32 pool, so "advance everyone along their path" is a gather, not a loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.contracts.enums import Activity

NEEDS = ("energy", "hunger", "social", "fun")  # 1 = fully satisfied
ENERGY, HUNGER, SOCIAL, FUN = range(4)


class Population:
    def __init__(self, count: int, grid_width: int):
        self.count = count
        self.grid_width = grid_width
        self.xy = np.zeros((count, 2), dtype=np.float32)
        self.needs = np.full((count, 4), 0.8, dtype=np.float32)
        self.activity = np.full(count, Activity.HOME, dtype=np.int8)
        self.location = np.full(count, -1, dtype=np.int32)  # building inside, -1 outdoors
        self.destination = np.full(count, -1, dtype=np.int32)
        self.until = np.zeros(count, dtype=np.int64)  # tick of the next decision
        self.since = np.zeros(count, dtype=np.int64)  # tick the current activity began
        self.next_activity = np.full(count, Activity.HOME, dtype=np.int8)  # on arrival
        self.next_until = np.zeros(count, dtype=np.int64)
        self.money = np.zeros(count, dtype=np.int64)  # cents
        self.speed = np.full(count, 15.0, dtype=np.float32)  # tiles per sim minute
        self.chat_cooldown = np.zeros(count, dtype=np.int64)
        self.moving = np.zeros(count, dtype=bool)
        self.path_off = np.zeros(count, dtype=np.int64)
        self.path_len = np.zeros(count, dtype=np.int32)
        self.path_pos = np.zeros(count, dtype=np.float32)
        self.pool = np.zeros(max(1024, count * 64), dtype=np.int32)
        self.pool_end = 0

    def grow(self, extra: int) -> None:
        """Room for ``extra`` newcomers at the end (a spawned person); they start with defaults."""
        fresh = Population(extra, self.grid_width)
        for name in self.ARRAYS:
            setattr(self, name, np.concatenate([getattr(self, name), getattr(fresh, name)]))
        self.count += extra

    # -- paths -------------------------------------------------------------------------

    def start_path(self, person: int, cells: np.ndarray) -> None:
        length = len(cells)
        if self.pool_end + length > len(self.pool):
            self._compact(extra=length)
        self.pool[self.pool_end : self.pool_end + length] = cells
        self.path_off[person] = self.pool_end
        self.path_len[person] = length
        self.path_pos[person] = 0.0
        self.pool_end += length
        self.moving[person] = True
        self.location[person] = -1
        first = int(cells[0])
        xy = self.xy  # element by element: a tuple into a row costs several times as much
        xy[person, 0] = first % self.grid_width + 0.5
        xy[person, 1] = first // self.grid_width + 0.5

    def _compact(self, extra: int) -> None:
        """Drop finished paths from the pool (or grow it) so a new one fits."""
        walking = np.flatnonzero(self.moving)
        live = int(self.path_len[walking].sum())
        size = len(self.pool)
        while live + extra > size // 2:
            size *= 2
        pool = np.zeros(size, dtype=np.int32)
        end = 0
        for person in walking:
            n = int(self.path_len[person])
            off = int(self.path_off[person])
            pool[end : end + n] = self.pool[off : off + n]
            self.path_off[person] = end
            end += n
        self.pool, self.pool_end = pool, end

    def walk(self, minutes: float) -> np.ndarray:
        """Advance every walker; returns who arrived this tick (ascending ids)."""
        walkers = np.flatnonzero(self.moving)
        if walkers.size == 0:
            return walkers
        last = (self.path_len[walkers] - 1).astype(np.float32)
        pos = np.minimum(self.path_pos[walkers] + self.speed[walkers] * np.float32(minutes), last)
        self.path_pos[walkers] = pos
        step = pos.astype(np.int64)
        frac = (pos - step).astype(np.float32)
        off = self.path_off[walkers]
        here = self.pool[off + step]
        there = self.pool[off + np.minimum(step + 1, last.astype(np.int64))]
        w = self.grid_width
        self.xy[walkers, 0] = (here % w) + ((there % w) - (here % w)) * frac + np.float32(0.5)
        self.xy[walkers, 1] = (here // w) + ((there // w) - (here // w)) * frac + np.float32(0.5)
        arrived = walkers[pos >= last]
        self.moving[arrived] = False
        return arrived

    def path_cells(self, person: int) -> np.ndarray:
        off, n = int(self.path_off[person]), int(self.path_len[person])
        return self.pool[off : off + n]

    # -- state -------------------------------------------------------------------------

    ARRAYS = ("xy", "needs", "activity", "location", "destination", "until", "since", "next_activity",
              "next_until", "money", "speed", "chat_cooldown", "moving", "path_off", "path_len",
              "path_pos")

    def get_state(self) -> dict[str, object]:
        state: dict[str, object] = {name: getattr(self, name).copy() for name in self.ARRAYS}
        # Store only the live part of the pool, re-based, so equal worlds give equal state.
        walking = np.flatnonzero(self.moving)
        pieces = [self.path_cells(p) for p in walking.tolist()]
        offsets = np.zeros(self.count, dtype=np.int64)
        if pieces:
            offsets[walking] = np.concatenate([[0], np.cumsum([len(p) for p in pieces])[:-1]])
        state["path_off"] = offsets
        state["pool"] = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        return state

    def set_state(self, state: dict[str, Any]) -> int:
        """Restore; returns how many people the state knew (newcomers after them keep defaults)."""
        known = self.count
        for name in self.ARRAYS:
            value = np.asarray(state[name])
            current = getattr(self, name)
            known = min(known, len(value))
            merged = current.copy()
            merged[: len(value)] = value[: self.count]
            setattr(self, name, merged)
        pool = np.asarray(state["pool"], dtype=np.int32)
        self.pool = np.zeros(max(len(self.pool), len(pool) * 2, 1024), dtype=np.int32)
        self.pool[: len(pool)] = pool
        self.pool_end = len(pool)
        return known
