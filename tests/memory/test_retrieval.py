"""Park et al.'s retrieval score: checked against numbers worked out by hand, on both stores."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.memory.retrieval import min_max, recency
from engine.memory.types import RetrievalWeights

from .conftest import StoreFactory

NOW = 10
DECAY = 0.5  # per sim hour; a tick is an hour here, so recency halves every tick

# A stream where recency, importance and relevance (to "fire") disagree:
#   id  tick  text          importance  pinned
#   0   0     fire          2                     most relevant, oldest
#   1   9     coffee        5                     newest unpinned, irrelevant
#   2   5     fire coffee   9                     half relevant, most important
#   3   8     garden        1           yes       pinned: recency counts as 1
STREAM = [(0, "fire", 2.0, False), (9, "coffee", 5.0, False), (5, "fire coffee", 9.0, False), (8, "garden", 1.0, True)]


def fill(store) -> None:
    for tick, text, importance, pinned in STREAM:
        store.add(1, tick, "observation", text, importance, pinned=pinned)


def by_hand(relevance_raw: list[float], last_access: list[int], w: tuple[float, float, float]) -> list[float]:
    """The formula written out with plain floats, independent of engine.memory.retrieval."""
    rec_raw = [1.0 if STREAM[i][3] else DECAY ** (NOW - last_access[i]) for i in range(4)]
    imp_raw = [s[2] for s in STREAM]

    def mm(xs: list[float]) -> list[float]:
        lo, hi = min(xs), max(xs)
        return [0.5] * len(xs) if hi == lo else [(x - lo) / (hi - lo) for x in xs]

    rec, imp, rel = mm(rec_raw), mm(imp_raw), mm(relevance_raw)
    return [w[0] * rec[i] + w[1] * imp[i] + w[2] * rel[i] for i in range(4)]


FIRE = [1.0, 0.0, 1 / math.sqrt(2), 0.0]
COFFEE = [0.0, 1.0, 1 / math.sqrt(2), 0.0]
TICKS = [s[0] for s in STREAM]


@pytest.mark.parametrize(
    ("w", "expected"),
    [
        ((1.0, 1.0, 1.0), [2, 0, 3, 1]),
        ((0.0, 0.0, 1.0), [0, 2, 1, 3]),  # ids 1 and 3 tie at relevance 0: smaller id first
        ((1.0, 0.0, 0.0), [3, 1, 2, 0]),
        ((0.0, 1.0, 0.0), [2, 1, 0, 3]),
        ((0.5, 3.0, 2.0), [2, 0, 1, 3]),  # the weights of Park et al.'s released code
    ],
)
def test_order_and_scores_match_the_formula_by_hand(make_store: StoreFactory, w, expected) -> None:
    store = make_store()
    fill(store)
    weights = RetrievalWeights(recency=w[0], importance=w[1], relevance=w[2], decay_per_hour=DECAY)
    got = store.retrieve(1, "fire", NOW, k=4, weights=weights, update_access=False)
    want = by_hand(FIRE, TICKS, w)
    assert [r.memory.id for r in got] == expected
    assert [r.score for r in got] == pytest.approx([want[i] for i in expected], abs=1e-6)
    assert sorted(want, reverse=True) == pytest.approx([r.score for r in got], abs=1e-6)


def test_components_are_min_max_normalised_before_weighting(make_store: StoreFactory) -> None:
    store = make_store()
    fill(store)
    got = {r.memory.id: r for r in store.retrieve(1, "fire", NOW, k=4, weights=RetrievalWeights(2, 3, 4, DECAY))}
    span = 1.0 - DECAY**10
    assert got[0].recency == 0.0 and got[3].recency == 1.0
    assert got[1].recency == pytest.approx((0.5 - DECAY**10) / span)
    assert [got[i].importance for i in range(4)] == pytest.approx([1 / 8, 4 / 8, 1.0, 0.0])
    assert [got[i].relevance for i in range(4)] == pytest.approx(FIRE)
    for r in got.values():
        assert r.score == pytest.approx(2 * r.recency + 3 * r.importance + 4 * r.relevance)


def test_retrieval_updates_last_access_and_the_next_order(make_store: StoreFactory) -> None:
    store = make_store()
    fill(store)
    weights = RetrievalWeights(decay_per_hour=DECAY)
    before = store.retrieve(1, "coffee", NOW, k=4, weights=weights, update_access=False)
    assert [r.memory.id for r in before] == [1, 2, 3, 0]
    want = by_hand(COFFEE, TICKS, (1, 1, 1))
    assert [r.score for r in before] == pytest.approx([want[i] for i in (1, 2, 3, 0)])

    top = store.retrieve(1, "fire", NOW, k=1, weights=weights)  # touches memory 2 only
    assert [r.memory.id for r in top] == [2]
    assert top[0].memory.last_access == 5  # the score used the old access time
    store.flush()

    after = store.retrieve(1, "coffee", NOW, k=4, weights=weights, update_access=False)
    want = by_hand(COFFEE, [0, 9, NOW, 8], (1, 1, 1))
    assert [r.memory.id for r in after] == [2, 1, 3, 0]
    assert [r.score for r in after] == pytest.approx([want[i] for i in (2, 1, 3, 0)])
    assert store.get([2])[0].last_access == NOW
    assert store.get([0])[0].last_access == 0  # not returned, not touched


def test_update_access_false_leaves_memories_untouched(make_store: StoreFactory) -> None:
    store = make_store()
    fill(store)
    store.retrieve(1, "fire", NOW, k=4, update_access=False)
    assert [m.last_access for m in store.get([0, 1, 2, 3])] == TICKS


def test_candidates_limit_the_rerank_to_the_most_relevant(make_store: StoreFactory) -> None:
    store = make_store()
    fill(store)
    weights = RetrievalWeights(decay_per_hour=DECAY, candidates=2)
    got = store.retrieve(1, "fire", NOW, k=4, weights=weights)
    assert [r.memory.id for r in got] == [2, 0]  # only the two fire memories were candidates


def test_a_query_without_known_words_ranks_the_newest(make_store: StoreFactory) -> None:
    store = make_store()
    fill(store)
    got = store.retrieve(1, "unknown words", NOW, k=4, weights=RetrievalWeights(decay_per_hour=DECAY, candidates=2))
    assert sorted(r.memory.id for r in got) == [1, 3]  # ticks 9 and 8
    assert all(r.relevance == 0.5 for r in got)


def test_single_candidate_and_empty_stream(make_store: StoreFactory) -> None:
    store = make_store()
    assert store.retrieve(1, "fire", NOW) == []
    store.add(1, 3, "observation", "fire", 4)
    (only,) = store.retrieve(1, "fire", NOW)
    assert (only.recency, only.importance, only.relevance, only.score) == (0.5, 0.5, 0.5, 1.5)
    assert store.retrieve(1, "fire", NOW, k=0) == []


def test_min_max_edge_cases() -> None:
    assert min_max(np.array([])).shape == (0,)
    assert min_max(np.array([7.0])).tolist() == [0.5]
    assert min_max(np.array([3.0, 3.0, 3.0])).tolist() == [0.5, 0.5, 0.5]
    assert min_max(np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.5, 1.0]
    assert min_max(np.array([2.0, 10.0, 4.0])).tolist() == [0.0, 1.0, 0.25]


def test_recency_decays_per_sim_hour_and_pins_hold() -> None:
    last = np.array([0, 0, 120, 200])
    pinned = np.array([False, True, False, False])
    got = recency(last, pinned, now_tick=120, tick_seconds=60, decay_per_hour=0.995)
    assert got.tolist() == pytest.approx([0.995**2, 1.0, 1.0, 1.0])  # 120 one-minute ticks = 2 h; future -> now


def test_weights_validate() -> None:
    with pytest.raises(ValueError):
        RetrievalWeights(candidates=0)
    with pytest.raises(ValueError):
        RetrievalWeights(decay_per_hour=1.5)
