"""City-wide numbers over time: the curves the timeline draws and the CLI reports.

In a state the samples are chunks, one per ``CHUNK_TICKS`` of sim time
(``engine.state.pieces``): a chunk whose span has passed is the same tuple until
``thin`` changes it, so a checkpoint packs and hashes only the open chunk however
long the run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine.agents.population import NEEDS, Population
from engine.contracts.enums import Activity
from engine.state.pieces import Pieces, joined

SAMPLE_EVERY = 10  # ticks between stored samples; the latest values are always current
OLD_SAMPLE_EVERY = 60  # ticks between the samples kept of days before yesterday (see ``thin``)
SOCIETY_COLUMNS = ("gdp", "gini", "treasury")  # from the society: GDP over the last day, Gini of balances, treasuries ($)
CHUNK_TICKS = 1440  # the span of ticks of a state's chunk of samples
COLUMNS = ("tick", *(f"mean_{n}" for n in NEEDS), "walking", "asleep", "mean_money", "conversations", *SOCIETY_COLUMNS)


class Metrics:
    def __init__(self) -> None:
        self.conversations = 0
        self.latest: dict[str, float] = {}
        self.samples: list[list[float]] = []  # one row of COLUMNS every SAMPLE_EVERY ticks
        self._frozen: np.ndarray | None = None
        # Chunks of samples whose span has passed, in order: they hold samples[:self._closed_rows].
        self._closed: list[tuple[tuple[float, ...], ...]] = []
        self._closed_rows = 0
        self.plugin_columns: tuple[str, ...] = ()  # plugins' curves, after the core's
        self.plugin_values: Callable[[], dict[str, float]] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (*COLUMNS, *self.plugin_columns)

    def record(self, tick: int, pop: Population, conversations: int,
               society: Callable[[], dict[str, float]] | None = None) -> None:
        self.conversations += conversations
        if tick % SAMPLE_EVERY and self.latest:
            self.latest["conversations"] = float(self.conversations)
            return
        means = pop.needs.mean(axis=0) if pop.count else np.zeros(4)
        walking = float(pop.moving.sum())
        asleep = float((pop.activity == Activity.SLEEP).sum())
        money = float(pop.money.mean() / 100) if pop.count else 0.0
        self.latest = {f"mean_{n}": round(float(v), 4) for n, v in zip(NEEDS, means, strict=True)}
        extra = society() if society is not None else {}
        self.latest.update(walking=walking, asleep=asleep, mean_money=round(money, 2),
                           conversations=float(self.conversations))
        self.latest.update({name: float(extra.get(name, 0.0)) for name in SOCIETY_COLUMNS})
        self.samples.append([float(tick), *(round(float(v), 4) for v in means), walking, asleep, round(money, 2),
                             float(self.conversations), *(float(extra.get(n, 0.0)) for n in SOCIETY_COLUMNS)])
        if self.plugin_values is not None:
            values = self.plugin_values()
            self.latest.update(values)
            self.samples[-1].extend(values.get(name, 0.0) for name in self.plugin_columns)
        self._frozen = None

    def thin(self, before_tick: int) -> None:
        """Keep one sample in ``OLD_SAMPLE_EVERY`` ticks before ``before_tick``: the curves of a long run
        grow by 24 rows a day rather than 144, and a checkpoint carries them all."""
        first_recent = next((i for i, row in enumerate(self.samples) if row[0] >= before_tick), len(self.samples))
        old = self.samples[:first_recent]
        kept = [row for row in old if int(row[0]) % OLD_SAMPLE_EVERY == 0]
        if len(kept) != len(old):
            self.samples[:first_recent] = kept
            self._frozen = None
            changed_from = next(i for i, (was, now) in enumerate(zip([*old, None], [*kept, None], strict=False))
                                if was is not now)
            while self._closed and self._closed_rows > changed_from:  # chunks from there on are made anew
                self._closed_rows -= len(self._closed.pop())

    def sample_array(self) -> np.ndarray:
        """All samples as a read-only (k, len(columns)) array, rebuilt only after a new sample."""
        if self._frozen is None:
            width = len(self.columns)
            array = np.array([row[:width] + [0.0] * (width - len(row)) for row in self.samples] if self.plugin_columns
                             else self.samples, dtype=np.float32).reshape(-1, width)
            array.flags.writeable = False
            self._frozen = array
        return self._frozen

    def get_state(self) -> dict[str, object]:
        return {"conversations": self.conversations, "latest": dict(self.latest), "samples": Pieces(self._chunks(), [])}

    def _chunks(self) -> list[tuple[tuple[float, ...], ...]]:
        """The samples as chunks of the ticks [k * CHUNK_TICKS, (k + 1) * CHUNK_TICKS): the chunks depend only on
        the samples, never on when a state was last asked for. Those before the last are closed and kept."""
        rows = self.samples
        start = self._closed_rows
        while start < len(rows):
            span = int(rows[start][0]) // CHUNK_TICKS
            stop = start
            while stop < len(rows) and int(rows[stop][0]) // CHUNK_TICKS == span:
                stop += 1
            chunk = tuple(tuple(row) for row in rows[start:stop])
            if stop == len(rows):
                return [*self._closed, chunk]  # still open: made again next time
            self._closed.append(chunk)
            self._closed_rows = start = stop
        return list(self._closed)

    def set_state(self, state: dict[str, Any]) -> None:
        self.conversations = int(state["conversations"])
        self.latest = dict(state["latest"])
        # Samples saved before the society columns existed are padded with zeros.
        self.samples = [list(s) + [0.0] * (len(COLUMNS) - len(s)) for s in joined(state["samples"])]
        self._frozen = None
        self._closed, self._closed_rows = [], 0
