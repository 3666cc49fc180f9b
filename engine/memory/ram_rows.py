"""Memory rows held in RAM as growable numpy columns: the whole of an ``InMemoryStore`` and the
not-yet-flushed write buffer of a ``LanceMemoryStore``.

Texts are embedded lazily, in one batch, the first time a vector is needed (a search, a flush),
because embedders are several times faster per sentence in batches and most ticks add many
memories before anyone retrieves.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

import numpy as np

from engine.memory.embedders import Embedder
from engine.memory.types import Memory


class RamRows:
    """Columns of memory rows plus an id -> row index. Implements the store ``Segment`` protocol."""

    def __init__(self, embedder: Embedder, capacity: int = 256) -> None:
        self._embedder = embedder
        self._dim = embedder.dim
        self.clear(capacity)

    def clear(self, capacity: int = 256) -> None:
        """Drop every row."""
        self._n = 0
        self._id = np.zeros(capacity, dtype=np.int64)
        self._agent = np.zeros(capacity, dtype=np.int32)
        self._tick = np.zeros(capacity, dtype=np.int64)
        self._importance = np.zeros(capacity, dtype=np.float32)  # float32 like the LanceDB column
        self._last_access = np.zeros(capacity, dtype=np.int64)
        self._pinned = np.zeros(capacity, dtype=bool)
        self._vector = np.zeros((capacity, self._dim), dtype=np.float32)
        self._kind: list[str] = []
        self._text: list[str] = []
        self._evidence: list[tuple[int, ...]] = []
        self._row_of: dict[int, int] = {}
        self._unembedded: list[int] = []

    def __len__(self) -> int:
        return self._n

    def __contains__(self, memory_id: int) -> bool:
        return memory_id in self._row_of

    # -- writing ---------------------------------------------------------------------------

    def _grow(self) -> None:
        new = max(256, 2 * len(self._id))
        for name in ("_id", "_agent", "_tick", "_importance", "_last_access", "_pinned", "_vector"):
            old = getattr(self, name)
            grown = np.zeros((new, *old.shape[1:]), dtype=old.dtype)
            grown[: self._n] = old[: self._n]
            setattr(self, name, grown)

    def append(
        self,
        memory_id: int,
        agent: int,
        tick: int,
        kind: str,
        text: str,
        importance: float,
        last_access: int,
        evidence: tuple[int, ...],
        pinned: bool,
    ) -> None:
        if self._n == len(self._id):
            self._grow()
        row = self._n
        self._id[row], self._agent[row], self._tick[row] = memory_id, agent, tick
        self._importance[row], self._last_access[row], self._pinned[row] = importance, last_access, pinned
        self._kind.append(kind)
        self._text.append(text)
        self._evidence.append(evidence)
        self._row_of[memory_id] = row
        self._unembedded.append(row)
        self._n += 1

    def embed_pending(self) -> None:
        """Embed every row added since the last call, in one embedder call."""
        if self._unembedded:
            rows = self._unembedded
            self._vector[rows] = self._embedder.embed([self._text[r] for r in rows])
            self._unembedded = []

    def copy(self) -> RamRows:
        """An independent snapshot (for InMemoryStore tags)."""
        self.embed_pending()
        clone = copy.copy(self)
        for name in ("_id", "_agent", "_tick", "_importance", "_last_access", "_pinned", "_vector"):
            setattr(clone, name, getattr(self, name)[: self._n].copy())
        clone._kind, clone._text, clone._evidence = list(self._kind), list(self._text), list(self._evidence)
        clone._row_of, clone._unembedded = dict(self._row_of), []
        return clone

    def columns(self) -> dict[str, object]:
        """Live rows as columns (vectors embedded), for writing them to LanceDB in one batch."""
        self.embed_pending()
        n = self._n
        return {
            "id": self._id[:n],
            "agent": self._agent[:n],
            "tick": self._tick[:n],
            "kind": self._kind,
            "text": self._text,
            "importance": self._importance[:n],
            "last_access": self._last_access[:n],
            "evidence": [list(e) for e in self._evidence],
            "pinned": self._pinned[:n],
            "vector": self._vector[:n],
        }

    # -- reading ---------------------------------------------------------------------------

    def _memory(self, row: int) -> Memory:
        return Memory(
            id=int(self._id[row]),
            agent=int(self._agent[row]),
            tick=int(self._tick[row]),
            kind=self._kind[row],
            text=self._text[row],
            importance=float(self._importance[row]),
            last_access=int(self._last_access[row]),
            evidence=self._evidence[row],
            pinned=bool(self._pinned[row]),
        )

    def memories(self) -> list[Memory]:
        """Every row, in the order added."""
        return [self._memory(row) for row in range(self._n)]

    def _rows_of_agent(self, agent: int) -> np.ndarray:
        return np.flatnonzero(self._agent[: self._n] == agent)

    def nearest(self, agent: int, query: np.ndarray, k: int) -> tuple[list[Memory], np.ndarray]:
        """Up to ``k`` of the agent's rows most similar to ``query`` (float32 pre-selection) and their vectors."""
        self.embed_pending()
        rows = self._rows_of_agent(agent)
        if rows.size > k:
            sims = self._vector[rows] @ query.astype(np.float32)
            rows = rows[np.argpartition(-sims, k - 1)[:k]]
        return [self._memory(int(r)) for r in rows], self._vector[rows]

    def keys(self, agent: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self._rows_of_agent(agent)
        return self._id[rows].copy(), self._tick[rows].copy()

    def match_text(self, agent: int, needle: str) -> tuple[np.ndarray, np.ndarray]:
        """Ids and ticks of the agent's rows whose lower-cased text contains ``needle`` (already lower-case)."""
        rows = np.array([r for r in self._rows_of_agent(agent) if needle in self._text[r].lower()], dtype=np.int64)
        return self._id[rows].copy(), self._tick[rows].copy()

    def get(self, ids: Iterable[int]) -> list[Memory]:
        return [self._memory(self._row_of[i]) for i in ids if i in self._row_of]

    def importance_sum(self, agent: int, since_tick: int) -> float:
        n = self._n
        mask = (self._agent[:n] == agent) & (self._tick[:n] >= since_tick)
        return float(self._importance[:n][mask].astype(np.float64).sum())

    def count(self, agent: int | None) -> int:
        return self._n if agent is None else int(np.count_nonzero(self._agent[: self._n] == agent))

    def max_id(self) -> int:
        return int(self._id[: self._n].max()) if self._n else -1

    # -- edits -----------------------------------------------------------------------------

    def touch(self, ids: Iterable[int], tick: int) -> None:
        for memory_id in ids:
            row = self._row_of.get(memory_id)
            if row is not None:
                self._last_access[row] = tick

    def update(
        self, memory_id: int, text: str | None, vector: np.ndarray | None, importance: float | None, pinned: bool | None
    ) -> bool:
        row = self._row_of.get(memory_id)
        if row is None:
            return False
        if text is not None:
            self._text[row] = text
            if row in self._unembedded:
                self._unembedded.remove(row)
            self._vector[row] = vector
        if importance is not None:
            self._importance[row] = importance
        if pinned is not None:
            self._pinned[row] = pinned
        return True

    def delete(self, memory_id: int) -> bool:
        row = self._row_of.get(memory_id)
        if row is None:
            return False
        self.embed_pending()
        keep = np.ones(self._n, dtype=bool)
        keep[row] = False
        for name in ("_id", "_agent", "_tick", "_importance", "_last_access", "_pinned", "_vector"):
            setattr(self, name, getattr(self, name)[: self._n][keep].copy())
        for name in ("_kind", "_text", "_evidence"):
            del getattr(self, name)[row]
        self._n -= 1
        self._row_of = {int(i): r for r, i in enumerate(self._id[: self._n])}
        return True
