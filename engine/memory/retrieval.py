"""Park et al. (2023) retrieval scoring, in plain numpy, shared by every store.

    recency    = decay_per_hour ** (sim hours since last access)     (pinned memories: 1)
    importance = the memory's 1..10 rating
    relevance  = cosine(query, memory)
    score      = w_r * mm(recency) + w_i * mm(importance) + w_v * mm(relevance)

``mm`` is min-max normalisation over the candidate set. When every candidate has the same value
``mm`` gives 0.5 to all of them (what Park et al.'s released ``normalize_dict_floats`` does): the
component then adds the same constant to every score, so it cannot change the order, and a lone
candidate still gets a score in the middle of the scale rather than looking irrelevant.

Ties in score are broken by smaller memory id, and candidate pre-selection breaks relevance ties
the same way, so two stores holding the same rows return the same list.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.memory.types import Memory, RetrievalWeights, ScoredMemory

SECONDS_PER_HOUR = 3600.0


def min_max(values: np.ndarray) -> np.ndarray:
    """Scale to 0..1 (lowest -> 0, highest -> 1); all-equal (or single) input -> all 0.5."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values.copy()
    low, high = float(values.min()), float(values.max())
    if high - low <= 0.0:
        return np.full(values.shape, 0.5)
    return (values - low) / (high - low)


def recency(
    last_access: np.ndarray, pinned: np.ndarray, now_tick: int, tick_seconds: float, decay_per_hour: float
) -> np.ndarray:
    """``decay_per_hour ** hours since last access``; pinned -> 1. Future accesses count as now."""
    ticks_ago = np.maximum(now_tick - np.asarray(last_access, dtype=np.int64), 0)
    hours = ticks_ago.astype(np.float64) * (tick_seconds / SECONDS_PER_HOUR)
    raw = np.power(float(decay_per_hour), hours)
    return np.where(np.asarray(pinned, dtype=bool), 1.0, raw)


def cosine(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of unit rows with a unit query, in float64.

    An elementwise product summed along each contiguous row (not a BLAS matvec, whose blocking
    can depend on the number of rows), so a row scores the same bits whichever store or
    candidate batch it arrives in.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.shape[0] == 0:
        return np.zeros(0)
    return np.sum(vectors * np.asarray(query, dtype=np.float64)[None, :], axis=1)


def top_by_relevance(ids: np.ndarray, relevance: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` most relevant rows, best first; equal relevance -> smaller id first."""
    order = np.lexsort((np.asarray(ids), -np.asarray(relevance)))
    return order[:n]


def score_arrays(
    last_access: np.ndarray,
    pinned: np.ndarray,
    importance: np.ndarray,
    relevance: np.ndarray,
    now_tick: int,
    tick_seconds: float,
    weights: RetrievalWeights,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(score, recency, importance, relevance) for the candidates, components already min-max normalised."""
    rec = min_max(recency(last_access, pinned, now_tick, tick_seconds, weights.decay_per_hour))
    imp = min_max(importance)
    rel = min_max(relevance)
    score = weights.recency * rec + weights.importance * imp + weights.relevance * rel
    return score, rec, imp, rel


def rank(
    memories: Sequence[Memory],
    relevance: np.ndarray,
    now_tick: int,
    tick_seconds: float,
    weights: RetrievalWeights,
    k: int,
) -> list[ScoredMemory]:
    """Score the candidates with the formula and return the best ``k``, best first."""
    if not memories or k <= 0:
        return []
    score, rec, imp, rel = score_arrays(
        np.array([m.last_access for m in memories], dtype=np.int64),
        np.array([m.pinned for m in memories], dtype=bool),
        np.array([m.importance for m in memories], dtype=np.float64),
        relevance,
        now_tick,
        tick_seconds,
        weights,
    )
    ids = np.array([m.id for m in memories], dtype=np.int64)
    order = np.lexsort((ids, -score))[:k]
    return [
        ScoredMemory(memories[i], float(score[i]), float(rec[i]), float(imp[i]), float(rel[i])) for i in order
    ]
