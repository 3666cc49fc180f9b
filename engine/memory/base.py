"""Store logic written once for both stores: validation, id counter, retrieval, merging segments.

A store is a list of *segments* that each hold some rows: ``InMemoryStore`` has one (``RamRows``);
``LanceMemoryStore`` has its LanceDB table plus a ``RamRows`` write buffer. Every public read asks
each segment and merges, so unflushed memories are visible at once and both stores share one
retrieval path — which is what lets the in-memory store serve as the reference in tests.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from engine.memory import retrieval
from engine.memory.embedders import Embedder
from engine.memory.ram_rows import RamRows
from engine.memory.types import KINDS, MAX_IMPORTANCE, MIN_IMPORTANCE, Memory, RetrievalWeights, ScoredMemory

#: Tag names LanceDB accepts (and InMemoryStore enforces the same rule, so code works with both).
TAG_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


def overfetch_margin(candidates: int) -> int:
    """Extra rows each segment pre-selects beyond ``candidates`` (each costs a random read in LanceDB)."""
    return max(10, candidates // 5)


class Segment(Protocol):
    """Rows a store can search. Ids are unique across a store's segments."""

    def nearest(self, agent: int, query: np.ndarray, k: int) -> tuple[list[Memory], np.ndarray]: ...
    def keys(self, agent: int) -> tuple[np.ndarray, np.ndarray]: ...
    def match_text(self, agent: int, needle: str) -> tuple[np.ndarray, np.ndarray]: ...
    def get(self, ids: Iterable[int]) -> list[Memory]: ...
    def importance_sum(self, agent: int, since_tick: int) -> float: ...
    def count(self, agent: int | None) -> int: ...
    def max_id(self) -> int: ...
    def touch(self, ids: Iterable[int], tick: int) -> None: ...
    def update(
        self, memory_id: int, text: str | None, vector: np.ndarray | None, importance: float | None, pinned: bool | None
    ) -> bool: ...
    def delete(self, memory_id: int) -> bool: ...


def check_importance(importance: float) -> float:
    value = float(importance)
    if not (MIN_IMPORTANCE <= value <= MAX_IMPORTANCE) or math.isnan(value):
        raise ValueError(f"importance must be within {MIN_IMPORTANCE:g}..{MAX_IMPORTANCE:g}, got {importance!r}")
    return value


def check_tag_name(name: str) -> None:
    if not TAG_NAME.match(name):
        raise ValueError(f"tag name {name!r} may only use letters, digits, '.', '-' and '_'")


class StoreBase:
    """The public MemoryStore API over ``_segments()``; subclasses add persistence and tags.

    Ids: ``add`` without an id takes the next value of a counter that starts at (largest id
    stored + 1). An explicit id must be unused; ids at or above the counter are new by
    construction, so the engine's increasing deterministic ids never cost a lookup.
    """

    def __init__(self, embedder: Embedder, tick_seconds: float) -> None:
        if tick_seconds <= 0:
            raise ValueError("tick_seconds must be positive")
        self.embedder = embedder
        self.tick_seconds = float(tick_seconds)
        self._buffer = RamRows(embedder)  # where add() puts rows
        self._next_id = 0

    # -- to be provided by subclasses ------------------------------------------------------

    def _segments(self) -> Sequence[Segment]:
        raise NotImplementedError

    def flush(self) -> None:
        raise NotImplementedError

    def tag(self, name: str, replace: bool = False) -> None:
        raise NotImplementedError

    def restore(self, name: str) -> None:
        raise NotImplementedError

    def tags(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- ids -------------------------------------------------------------------------------

    @property
    def next_id(self) -> int:
        """The id the next ``add`` without an explicit id will get."""
        return self._next_id

    def _reset_next_id(self) -> None:
        self._next_id = max(seg.max_id() for seg in self._segments()) + 1

    def _exists(self, memory_id: int) -> bool:
        return any(seg.get([memory_id]) for seg in self._segments())

    # -- writing ---------------------------------------------------------------------------

    def add(
        self,
        agent: int,
        tick: int,
        kind: str,
        text: str,
        importance: float,
        evidence: tuple[int, ...] = (),
        pinned: bool = False,
        id: int | None = None,
    ) -> int:
        """Remember ``text``; returns its id. Visible to every read at once, persisted on ``flush``."""
        if kind not in KINDS:
            raise ValueError(f"unknown memory kind {kind!r}; expected one of {sorted(KINDS)}")
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        value = check_importance(importance)
        if id is None:
            memory_id = self._next_id
        else:
            memory_id = int(id)
            if memory_id < 0:
                raise ValueError("memory ids must be non-negative")
            if memory_id < self._next_id and self._exists(memory_id):
                raise ValueError(f"memory id {memory_id} is already used")
        self._buffer.append(
            memory_id, int(agent), int(tick), kind, text, value, int(tick), tuple(int(e) for e in evidence), bool(pinned)
        )
        self._next_id = max(self._next_id, memory_id + 1)
        return memory_id

    def update(
        self, id: int, text: str | None = None, importance: float | None = None, pinned: bool | None = None
    ) -> None:
        """God-mode edit of one memory; a new text is re-embedded. KeyError if the id is unknown."""
        value = None if importance is None else check_importance(importance)
        vector = None if text is None else self.embedder.embed([text])[0]
        if not any(seg.update(id, text, vector, value, pinned) for seg in self._segments()):
            raise KeyError(f"no memory with id {id}")

    def delete(self, id: int) -> None:
        """Forget one memory. KeyError if the id is unknown."""
        if not any(seg.delete(id) for seg in self._segments()):
            raise KeyError(f"no memory with id {id}")

    # -- retrieval -------------------------------------------------------------------------

    def retrieve(
        self,
        agent: int,
        query: str,
        now_tick: int,
        k: int = 10,
        weights: RetrievalWeights = RetrievalWeights(),  # noqa: B008 - frozen, safe to share
        update_access: bool = True,
    ) -> list[ScoredMemory]:
        """Park et al. retrieval: exact cosine top-``weights.candidates``, reranked, best ``k``.

        Returned memories carry the last-access tick the score used; with ``update_access`` their
        last access becomes ``now_tick`` afterwards (in RAM; persisted by ``flush``). A query with
        no words (zero vector) ranks the agent's newest ``candidates`` memories with relevance 0.
        """
        query_vec = self.embedder.embed([query])[0]
        segments = self._segments()
        memories: list[Memory] = []
        vectors: list[np.ndarray] = []
        source: list[int] = []  # which segment each memory came from, to mark accesses there
        wordy = bool(np.any(query_vec))
        for s, seg in enumerate(segments):
            if wordy:
                # Pre-select a few extra in float32; the exact float64 cosine below then decides with
                # id tie-breaks, so both stores and any fragment layout pick the same set (unless more
                # than the margin tie exactly at the cut, e.g. many identical texts).
                found, vecs = seg.nearest(agent, query_vec, weights.candidates + overfetch_margin(weights.candidates))
                vectors.append(vecs)
            else:
                found = seg.get(self._newest_ids([seg.keys(agent)], weights.candidates))
            memories += found
            source += [s] * len(found)
        if not memories:
            return []
        ids = np.array([m.id for m in memories], dtype=np.int64)
        if wordy:
            relevance = retrieval.cosine(np.concatenate(vectors), query_vec)
            keep = retrieval.top_by_relevance(ids, relevance, weights.candidates)
        else:
            relevance = np.zeros(len(memories))
            keep = np.lexsort((-ids, -np.array([m.tick for m in memories])))[: weights.candidates]
        candidates = [memories[i] for i in keep]
        ranked = retrieval.rank(candidates, relevance[keep], now_tick, self.tick_seconds, weights, k)
        if update_access and ranked:
            chosen = {r.memory.id for r in ranked}
            for s, seg in enumerate(segments):
                seg.touch([memories[i].id for i in keep if source[i] == s and memories[i].id in chosen], now_tick)
        return ranked

    # -- browsing --------------------------------------------------------------------------

    def _newest_ids(self, keys: Iterable[tuple[np.ndarray, np.ndarray]], limit: int, offset: int = 0) -> list[int]:
        ids_parts, tick_parts = zip(*keys, strict=True)
        ids, ticks = np.concatenate(ids_parts), np.concatenate(tick_parts)
        order = np.lexsort((-ids, -ticks))[offset : offset + limit]
        return ids[order].tolist()

    def _newest(self, agent: int, limit: int, offset: int = 0) -> list[Memory]:
        return self.get(self._newest_ids((seg.keys(agent) for seg in self._segments()), limit, offset))

    def get(self, ids: list[int] | tuple[int, ...]) -> list[Memory]:
        """The memories with these ids, in the order asked; unknown ids are skipped."""
        found: dict[int, Memory] = {}
        for seg in self._segments():
            missing = [i for i in ids if i not in found]
            if not missing:
                break
            found.update((m.id, m) for m in seg.get(missing))
        return [found[i] for i in ids if i in found]

    def recent(self, agent: int, n: int) -> list[Memory]:
        """The agent's ``n`` newest memories, newest first (by tick, then id)."""
        return self._newest(agent, n)

    def all_for(self, agent: int, limit: int, offset: int = 0) -> list[Memory]:
        """A page of the agent's memories, newest first — ``recent`` with an offset, for the inspector."""
        return self._newest(agent, limit, offset)

    def search_text(self, agent: int, text: str, limit: int = 50) -> list[Memory]:
        """The agent's memories containing ``text`` (case-insensitive substring), newest first."""
        needle = text.lower()
        return self.get(self._newest_ids((seg.match_text(agent, needle) for seg in self._segments()), limit))

    def count(self, agent: int | None = None) -> int:
        """Memories of one agent, or of everyone."""
        return sum(seg.count(agent) for seg in self._segments())

    def importance_since(self, agent: int, tick: int) -> float:
        """Sum of importance of the agent's memories made at or after ``tick`` (the reflection trigger)."""
        return sum(seg.importance_sum(agent, tick) for seg in self._segments())
