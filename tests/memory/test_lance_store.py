"""What only the LanceDB store has: files on disk, one embedder per table, commits, indexes, upkeep."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from engine.memory.embedders import HashingEmbedder, make_embedder
from engine.memory.lance_store import EmbedderMismatchError, LanceMemoryStore

from .conftest import TinyEmbedder


def test_persists_across_close_and_reopen(tmp_path: Path) -> None:
    with LanceMemoryStore(tmp_path, TinyEmbedder(), 3600) as store:
        a = store.add(1, 0, "observation", "fire", 3, id=10)
        store.add(2, 1, "reflection", "coffee party", 7, evidence=(a,), pinned=True)
        store.flush()
        store.retrieve(1, "fire", 6)
        store.add(1, 7, "plan", "garden", 3)  # never flushed explicitly: close() flushes
    with LanceMemoryStore(tmp_path, TinyEmbedder(), 3600) as again:
        assert again.count() == 3 and again.next_id == 13
        assert again.get([a])[0].last_access == 6
        assert again.get([11])[0].evidence == (a,) and again.get([11])[0].pinned
        assert [m.text for m in again.recent(1, 5)] == ["garden", "fire"]
        assert [r.memory.id for r in again.retrieve(1, "fire", 8, k=1)] == [a]


def test_refuses_a_folder_made_by_another_embedder(tmp_path: Path) -> None:
    LanceMemoryStore(tmp_path, HashingEmbedder(), 60).close()
    with pytest.raises(EmbedderMismatchError, match=r"'hashing' \(384-d\).*'hashing:64' \(64-d\)"):
        LanceMemoryStore(tmp_path, HashingEmbedder(dim=64), 60)
    with pytest.raises(EmbedderMismatchError, match="Never mix embedders"):
        LanceMemoryStore(tmp_path, TinyEmbedder("other"), 60)
    # The recorded name rebuilds the right embedder.
    reopened = LanceMemoryStore(tmp_path, make_embedder("hashing"), 60)
    assert reopened.embedder_name == "hashing"


def test_table_layout_and_indexes(tmp_path: Path) -> None:
    store = LanceMemoryStore(tmp_path, TinyEmbedder(), 60)
    schema = store.table.schema
    assert schema.field("vector").type == pa.list_(pa.float32(), 4)
    assert schema.field("evidence").type == pa.list_(pa.int64())
    assert [schema.field(c).type for c in ("id", "agent", "tick", "importance", "pinned")] == [
        pa.int64(), pa.int32(), pa.int64(), pa.float32(), pa.bool_()
    ]
    assert schema.metadata[b"townsfolk.embedder"] == b"tiny"
    assert list(store.table.list_indices()) == []  # indexes wait for rows
    store.add(1, 0, "observation", "fire", 3)
    store.flush()
    indexes = {tuple(i.columns): i.index_type for i in store.table.list_indices()}
    assert indexes == {("agent",): "BTree", ("id",): "BTree"}


def test_flush_is_one_commit_for_rows_and_one_for_accesses(tmp_path: Path) -> None:
    store = LanceMemoryStore(tmp_path, TinyEmbedder(), 60, reindex_min_rows=10_000)
    store.add(1, 0, "observation", "fire", 3)
    store.flush()  # first flush: rows + index builds
    rows_version, access_version = store.table.version, store.access_table.version
    for i in range(50):
        store.add(i % 3, 1, "observation", "coffee party", 3)
    store.flush()
    assert (store.table.version, store.access_table.version) == (rows_version + 1, access_version)
    for agent in range(3):
        store.retrieve(agent, "coffee", 2 + agent)  # accesses at three different ticks
    store.add(1, 2, "observation", "garden", 3)
    store.flush()
    assert (store.table.version, store.access_table.version) == (rows_version + 2, access_version + 1)
    store.flush()  # nothing pending: no commit
    assert (store.table.version, store.access_table.version) == (rows_version + 2, access_version + 1)
    assert store.access_table.count_rows() == 3 * 10  # one row per memory returned (k=10), not per table row


def test_upkeep_reindexes_and_optimizes(tmp_path: Path) -> None:
    store = LanceMemoryStore(tmp_path, TinyEmbedder(), 60, reindex_min_rows=20, optimize_every=3)
    for tick in range(5):
        for i in range(10):
            store.add(i, tick, "observation", "fire coffee", 3)
        store.retrieve(1, "fire", tick)
        store.flush()
        unindexed = max(i.num_unindexed_rows for i in store.table.list_indices())
        assert unindexed < 30
    fragments = store.table.stats()["fragment_stats"]["num_fragments"]
    assert fragments <= 4  # compacted at least once
    assert store.count() == 50 and store.get([1])[0].last_access == 4  # agent 1, touched at tick 4


def test_optimize_survives_old_tags(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="engine.memory.lance_store")
    store = LanceMemoryStore(tmp_path, TinyEmbedder(), 60)
    store.add(1, 0, "observation", "fire", 3)
    store.tag("old")
    for tick in range(1, 4):
        store.add(1, tick, "observation", "coffee", 3)
        store.flush()
    time.sleep(0.05)
    store.optimize(prune_older_than=timedelta(milliseconds=1))  # LanceDB raises on the tagged version
    assert "old tags block pruning" in caplog.text
    store.add(1, 9, "observation", "party", 3)
    store.restore("old")
    assert [m.text for m in store.recent(1, 10)] == ["fire"]


def test_restore_drops_unflushed_rows_and_accesses(tmp_path: Path) -> None:
    store = LanceMemoryStore(tmp_path, TinyEmbedder(), 60)
    a = store.add(1, 0, "observation", "fire", 3)
    store.tag("t")
    store.retrieve(1, "fire", 9)
    store.add(1, 9, "observation", "coffee", 3)
    store.restore("t")
    store.flush()  # nothing left to write
    assert store.get([a])[0].last_access == 0 and store.count() == 1
    with LanceMemoryStore(tmp_path, TinyEmbedder(), 60) as again:
        assert again.count() == 1 and again.tags() == ["t"]


def test_retrieval_does_not_flood_stderr(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """LanceDB logs a deprecation line per vector query unless ``_distance`` is selected explicitly."""
    store = LanceMemoryStore(tmp_path, TinyEmbedder(), 60)
    store.add(1, 0, "observation", "fire", 3)
    store.flush()
    capfd.readouterr()
    for _ in range(3):
        store.retrieve(1, "fire", 1)
    assert "_distance" not in capfd.readouterr().err
