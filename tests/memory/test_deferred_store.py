"""DeferredStore: rows held in RAM until something needs LanceDB, then the same store as if open all along."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.memory.deferred_store import DeferredStore
from engine.memory.lance_store import LanceMemoryStore
from engine.memory.types import Memory

from .conftest import HOUR, TinyEmbedder


def _deferred(folder: Path, max_rows: int = 1000) -> tuple[DeferredStore, list[LanceMemoryStore]]:
    opened: list[LanceMemoryStore] = []

    def open_store() -> LanceMemoryStore:
        opened.append(LanceMemoryStore(folder, TinyEmbedder(), HOUR))
        return opened[-1]

    return DeferredStore(TinyEmbedder(), HOUR, open_store, max_rows=max_rows), opened


def _checkpointed_life(store: DeferredStore | LanceMemoryStore) -> None:
    """What a rule-brain run does: remember, read back by agent, tag checkpoints, drop old tags."""
    for tick in range(12):
        store.add(tick % 3, tick, "observation", f"fire at the party {tick}", 1 + tick % 9)
        store.flush()
        assert store.count(tick % 3) >= 1 and store.recent(tick % 3, 2)
        if tick % 4 == 3:
            store.tag(f"tick-{tick}", replace=True)
    store.tag("tick-3", replace=True)  # moved: now the newest
    store.untag("tick-7")


def _rows(memories: list[Memory]) -> list[tuple[object, ...]]:
    return [(m.id, m.agent, m.tick, m.kind, m.text, m.importance, m.last_access, m.evidence, m.pinned)
            for m in memories]


def test_reads_writes_and_tags_never_open_the_database(tmp_path: Path) -> None:
    store, opened = _deferred(tmp_path / "memory")
    _checkpointed_life(store)
    assert store.count() == 12 and store.tags() == ["tick-11", "tick-3"]
    assert [m.tick for m in store.recent(0, 2)] == [9, 6]
    assert store.retrieve(1, "fire", 12, update_access=False)
    assert not opened and not store.is_open and not (tmp_path / "memory").exists()


def test_opening_gives_the_rows_and_tags_of_a_store_open_from_the_start(tmp_path: Path) -> None:
    store, opened = _deferred(tmp_path / "deferred")
    reference = LanceMemoryStore(tmp_path / "reference", TinyEmbedder(), HOUR)
    _checkpointed_life(store)
    _checkpointed_life(reference)
    real = store.opened()
    assert opened == [real] and store.is_open
    assert real.tags() == reference.tags() == ["tick-11", "tick-3"]
    for agent in range(3):
        assert _rows(real.all_for(agent, 50)) == _rows(reference.all_for(agent, 50))
    for name in ("tick-11", "tick-3"):  # each tag holds the rows it was taken with
        real.restore(name)
        reference.restore(name)
        assert _rows(real.all_for(0, 50)) == _rows(reference.all_for(0, 50))
        assert real.count() == reference.count()
    assert store.next_id == reference.next_id
    reference.close()
    store.close()


@pytest.mark.parametrize("need", ["update", "delete", "retrieve", "restore", "max_rows"])
def test_what_needs_the_database_opens_it(tmp_path: Path, need: str) -> None:
    store, opened = _deferred(tmp_path / "memory", max_rows=5)
    first = store.add(1, 0, "observation", "coffee", 3)
    store.tag("start")
    store.add(1, 1, "observation", "fire", 4)
    assert not opened
    if need == "update":
        store.update(first, text="fire")
        assert store.get([first])[0].text == "fire"
    elif need == "delete":
        store.delete(first)
        assert store.count() == 1
    elif need == "retrieve":  # marking a last access changes a row the tag must still see as it was
        assert first in [r.memory.id for r in store.retrieve(1, "coffee", 5, k=2)]
    elif need == "restore":
        store.restore("start")
        assert store.count() == 1
    else:
        for tick in range(2, 6):
            store.add(1, tick, "observation", "party", 2)
        assert store.count() == 6
    assert len(opened) == 1 and store.is_open
    assert store.tags() == ["start"]
    store.close()


def test_unknown_tags_are_refused_while_held(tmp_path: Path) -> None:
    store, opened = _deferred(tmp_path / "memory")
    with pytest.raises(KeyError):
        store.restore("nope")
    with pytest.raises(KeyError):
        store.untag("nope")
    store.tag("a")
    with pytest.raises(ValueError, match="already exists"):
        store.tag("a")
    assert not opened
