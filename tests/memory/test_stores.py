"""The MemoryStore contract, run against InMemoryStore and LanceMemoryStore alike."""

from __future__ import annotations

import random

import pytest

from engine.memory.embedders import HashingEmbedder
from engine.memory.lance_store import LanceMemoryStore
from engine.memory.mem_store import InMemoryStore
from engine.memory.types import MemoryStore, RetrievalWeights

from .conftest import StoreFactory


def test_both_stores_satisfy_the_protocol(make_store: StoreFactory) -> None:
    assert isinstance(make_store(), MemoryStore)


def test_agents_are_isolated(make_store: StoreFactory) -> None:
    store = make_store()
    mine = store.add(1, 0, "observation", "fire in the garden", 5)
    store.add(2, 0, "observation", "fire fire fire", 9)
    store.add(2, 1, "event", "party", 8)
    store.flush()
    store.add(2, 2, "plan", "fire party", 3)  # buffered
    assert [r.memory.id for r in store.retrieve(1, "fire", 5)] == [mine]
    assert [m.id for m in store.recent(1, 10)] == [mine]
    assert [m.id for m in store.search_text(1, "fire")] == [mine]
    assert [m.id for m in store.all_for(1, 10)] == [mine]
    assert store.count(1) == 1 and store.count(2) == 3 and store.count() == 4 and store.count(3) == 0
    assert store.importance_since(1, 0) == 5.0
    assert store.importance_since(2, 0) == 20.0


def test_added_memories_are_visible_before_flush(make_store: StoreFactory) -> None:
    store = make_store()
    first = store.add(1, 0, "observation", "coffee", 3)
    store.flush()
    second = store.add(1, 1, "observation", "fire", 3)
    if isinstance(store, LanceMemoryStore):
        assert store.table.count_rows() == 1  # the second one is only in RAM
    assert [r.memory.id for r in store.retrieve(1, "fire", 2, k=1)] == [second]
    assert [m.id for m in store.recent(1, 5)] == [second, first]
    assert store.get([second])[0].text == "fire"
    store.flush()
    if isinstance(store, LanceMemoryStore):
        assert store.table.count_rows() == 2


def test_browsing_order_paging_and_text_search(make_store: StoreFactory) -> None:
    store = make_store()
    ids = [store.add(1, tick, "observation", f"Note {tick}: 50% o'clock", 2) for tick in (3, 1, 2)]
    store.flush()
    ids.append(store.add(1, 3, "chat", "A later note at the same tick", 4))
    assert [m.tick for m in store.recent(1, 10)] == [3, 3, 2, 1]
    assert [m.id for m in store.recent(1, 2)] == [ids[3], ids[0]]  # same tick: larger id is newer
    assert [m.id for m in store.all_for(1, 2, offset=2)] == [ids[2], ids[1]]
    assert store.all_for(1, 10, offset=10) == []
    assert [m.id for m in store.search_text(1, "NOTE")] == [ids[3], ids[0], ids[2], ids[1]]
    assert [m.id for m in store.search_text(1, "50% o'CLOCK", limit=1)] == [ids[0]]
    assert store.search_text(1, "%") != [] and store.search_text(1, "_") == []
    assert store.get([ids[2], 999, ids[0]]) == [store.get([ids[2]])[0], store.get([ids[0]])[0]]


def test_importance_since_is_inclusive(make_store: StoreFactory) -> None:
    store = make_store()
    for tick, importance in ((1, 2.0), (5, 3.5), (9, 8.0)):
        store.add(1, tick, "observation", "x", importance)
    store.flush()
    store.add(1, 9, "reflection", "y", 6.5)
    assert store.importance_since(1, 5) == 18.0
    assert store.importance_since(1, 10) == 0.0


def test_memory_fields_round_trip(make_store: StoreFactory) -> None:
    store = make_store()
    a = store.add(4, 7, "observation", "fire", 2.5)
    r = store.add(4, 8, "reflection", "Fires scare me", 7.0, evidence=(a,), pinned=True)
    store.flush()
    got = store.get([r])[0]
    assert (got.agent, got.tick, got.kind, got.text, got.importance) == (4, 8, "reflection", "Fires scare me", 7.0)
    assert (got.last_access, got.evidence, got.pinned) == (8, (a,), True)


def test_update_reembeds_and_edits(make_store: StoreFactory) -> None:
    store = make_store()
    flushed = store.add(1, 0, "observation", "coffee", 3)
    store.add(1, 0, "observation", "party", 3)
    store.flush()
    buffered = store.add(1, 1, "observation", "coffee", 3)
    weights = RetrievalWeights(recency=0, importance=0)
    assert {r.memory.id for r in store.retrieve(1, "garden", 2, k=3, weights=weights) if r.relevance > 0.5} == set()
    store.update(flushed, text="garden")
    store.update(buffered, text="garden", importance=9, pinned=True)
    top = store.retrieve(1, "garden", 2, k=3, weights=weights)
    assert {r.memory.id for r in top[:2]} == {flushed, buffered}
    assert top[0].relevance == top[1].relevance == 1.0
    store.flush()
    assert store.get([buffered])[0].importance == 9.0 and store.get([buffered])[0].pinned
    store.update(flushed, importance=6)
    assert store.get([flushed])[0].text == "garden" and store.get([flushed])[0].importance == 6.0
    with pytest.raises(KeyError):
        store.update(12345, text="nope")
    with pytest.raises(ValueError):
        store.update(flushed, importance=11)


def test_delete(make_store: StoreFactory) -> None:
    store = make_store()
    a = store.add(1, 0, "observation", "fire", 3)
    store.flush()
    b = store.add(1, 1, "observation", "fire coffee", 3)
    c = store.add(1, 1, "observation", "coffee", 3)
    store.delete(a)
    store.delete(b)
    assert [m.id for m in store.recent(1, 5)] == [c]
    assert [r.memory.id for r in store.retrieve(1, "fire coffee", 3)] == [c]
    with pytest.raises(KeyError):
        store.delete(a)
    store.flush()
    assert store.count() == 1


def test_ids_and_validation(make_store: StoreFactory) -> None:
    store = make_store()
    assert store.add(1, 0, "observation", "a", 1) == 0
    assert store.add(1, 0, "observation", "b", 10, id=100) == 100
    assert store.add(1, 0, "observation", "c", 5) == 101
    store.flush()
    assert store.add(1, 0, "observation", "d", 5, id=50) == 50  # unused ids below the counter are fine
    with pytest.raises(ValueError, match="already used"):
        store.add(1, 0, "observation", "e", 5, id=100)
    with pytest.raises(ValueError, match="already used"):
        store.add(1, 0, "observation", "e", 5, id=50)
    with pytest.raises(ValueError, match="kind"):
        store.add(1, 0, "gossip", "f", 5)
    for bad in (0, 10.5, float("nan")):
        with pytest.raises(ValueError, match="importance"):
            store.add(1, 0, "observation", "g", bad)
    assert store.count() == 4


def test_tag_and_restore_hide_what_came_later(make_store: StoreFactory) -> None:
    store = make_store()
    kept = store.add(1, 0, "observation", "fire", 3)
    store.tag("tick-0")
    later = store.add(1, 1, "observation", "fire coffee", 9)
    store.flush()
    store.add(1, 2, "observation", "party", 4)  # still buffered
    store.retrieve(1, "fire", 5)  # touches both fire memories
    store.update(kept, text="garden")
    store.tag("tick-2")
    store.add(1, 3, "observation", "coffee", 2)  # after the last tag, never flushed

    store.restore("tick-0")
    assert [m.id for m in store.recent(1, 10)] == [kept]
    assert store.get([kept])[0].text == "fire" and store.get([kept])[0].last_access == 0
    assert store.get([later]) == [] and store.search_text(1, "party") == []
    assert store.count() == 1 and store.next_id == kept + 1
    assert [r.memory.id for r in store.retrieve(1, "fire", 5)] == [kept]

    store.restore("tick-2")  # the other future is still there
    assert store.count() == 3 and store.get([kept])[0].text == "garden"
    assert store.get([later])[0].last_access == 5
    assert store.tags() == ["tick-0", "tick-2"]


def test_tag_names_and_duplicates(make_store: StoreFactory) -> None:
    store = make_store()
    store.add(1, 0, "observation", "fire", 3)
    store.tag("a")
    with pytest.raises(ValueError, match="exists"):
        store.tag("a")
    with pytest.raises(ValueError, match="letters"):
        store.tag("no spaces")
    store.add(1, 1, "observation", "coffee", 3)
    store.tag("b")
    store.add(1, 2, "observation", "party", 3)
    store.tag("a", replace=True)
    assert store.tags() == ["b", "a"]  # oldest first
    store.restore("a")
    assert store.count() == 3
    with pytest.raises(KeyError):
        store.restore("missing")


def _random_history(store, rng: random.Random) -> list:
    """Adds, flushes, retrievals and edits; returns every retrieval's result."""
    words = ["fire", "coffee", "party", "garden", "election", "wedding", "mayor", "bakery", "rain", "music", "dog"]
    results = []
    for tick in range(40):
        for agent in range(3):
            text = " ".join(rng.sample(words, rng.randint(1, 4))) + f" {tick} {agent}"  # distinct texts
            store.add(agent, tick, rng.choice(["observation", "plan", "event"]), text,
                      rng.choice([1.0, 2.0, 3.5, 8.0]), pinned=rng.random() < 0.05)
        if tick % 7 == 3:
            store.flush()
        if tick % 3 == 0:
            weights = RetrievalWeights(candidates=rng.choice([5, 20]), decay_per_hour=0.9)
            query = " ".join(rng.sample(words, 2))
            results.append(store.retrieve(rng.randrange(3), query, tick, k=5, weights=weights))
        if tick == 20:
            store.update(5, text="the mayor spoke at the wedding")
            store.delete(7)
    results.append(store.recent(1, 10))
    results.append(store.search_text(2, "FIRE", limit=20))
    results.append(store.importance_since(0, 10))
    return results


def test_both_stores_give_the_same_results(tmp_path) -> None:
    embedder = HashingEmbedder()
    reference = InMemoryStore(embedder, 60)
    lance = LanceMemoryStore(tmp_path / "m", embedder, 60, reindex_min_rows=50)
    expected = _random_history(reference, random.Random(5))
    assert sum(len(r) for r in expected[:-1]) > 60 and expected[-1] > 0  # the history is not trivial
    assert _random_history(lance, random.Random(5)) == expected
    lance.close()
