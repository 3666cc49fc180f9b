"""``LanceMemoryStore``: every agent's memory stream in one LanceDB database. The only ``import lancedb``.

Why it is shaped like this (2 cores; numbers from benchmarks/memory.py):
- Every LanceDB write is a commit, a new version and a new fragment, so ``add`` only appends to
  a RAM buffer and ``flush`` — once per tick at most — writes the buffer in one batch, and the
  last accesses in one small append to a side table (see ``lance_rows``). Reads search the
  buffer too, so a memory is retrievable the moment it is added.
- Retrieval is an exact (flat) cosine search pre-filtered by agent, served by a BTREE index on
  ``agent``; ``id`` has one too for ``get``/``update``/``delete``. Rows written after an index
  build are scanned, not indexed — with none indexed a query takes ~50 ms at 100k rows and
  ~600 ms at 1M — so ``flush`` rebuilds the indexes as that tail grows, and compacts
  fragments now and then (see ``LanceMemoryStore``).
- The embedder's name and width live in the table's schema metadata; a folder made with another
  embedder is refused, because vectors from two models in one table give meaningless cosines.
- Versions are time travel: ``tag`` names the current version of both tables (after a flush),
  ``restore`` makes the tagged versions the latest again. LanceDB refuses to prune versions
  when a tagged one is old enough to go ("tagged version(s) have been marked for cleanup"), and
  its Python API cannot prune around tags (pylance's ``cleanup_old_versions`` can), so
  ``optimize`` then compacts without pruning: disk grows until old tags are deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import lancedb
import pyarrow as pa
from lancedb.index import BTree

from engine.memory.base import Segment, StoreBase, check_tag_name
from engine.memory.embedders import Embedder
from engine.memory.lance_rows import ACCESS_SCHEMA, LanceRows

log = logging.getLogger(__name__)

TABLE = "memories"
ACCESS_TABLE = "access"
META_EMBEDDER = b"townsfolk.embedder"
META_DIM = b"townsfolk.dim"
INDEXED_COLUMNS = ("agent", "id")
#: Versions older than this may be pruned by ``optimize`` (LanceDB's own default).
PRUNE_AFTER = timedelta(days=7)
_NEVER = timedelta(days=365 * 100)


class EmbedderMismatchError(ValueError):
    """The folder's table was written with a different embedder (or is not a memory table)."""


def memory_schema(embedder: Embedder) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.int64()),
            pa.field("agent", pa.int32()),
            pa.field("tick", pa.int64()),
            pa.field("kind", pa.string()),
            pa.field("text", pa.string()),
            pa.field("importance", pa.float32()),
            pa.field("last_access", pa.int64()),  # as written; later accesses live in the access table
            pa.field("evidence", pa.list_(pa.int64())),
            pa.field("pinned", pa.bool_()),
            pa.field("vector", pa.list_(pa.float32(), embedder.dim)),
        ],
        metadata={META_EMBEDDER: embedder.name.encode(), META_DIM: str(embedder.dim).encode()},
    )


class LanceMemoryStore(StoreBase):
    """The memory stream of every agent in ``folder`` (a LanceDB database). Engine thread only.

    Upkeep, done by ``flush`` so the engine need not think about it (costs at 100k / 1M rows):
    - rows written since the last index build are scanned, not indexed, so once they exceed
      ``max(reindex_min_rows, reindex_fraction * rows)`` the BTREE indexes are rebuilt
      (~20 ms / ~0.15 s);
    - every flush leaves a fragment and retrieval slows as they pile up (at 100k rows: ~11 ms
      compacted, ~14 ms with 300-600 fragments), so after ``optimize_every`` flushes that wrote
      rows, ``optimize`` compacts them. That costs ~1 s / ~5 s, because LanceDB rewrites every
      fragment under a million rows, and the old copy stays on disk as long as old versions
      are kept — hence the high default. Call ``optimize`` yourself at quiet moments (pause,
      autosave) to keep it off the tick path; ``optimize_every=0`` leaves it to you entirely.
    ``close`` flushes.
    """

    def __init__(
        self,
        folder: Path | str,
        embedder: Embedder,
        tick_seconds: float,
        *,
        optimize_every: int = 500,
        reindex_min_rows: int = 2_000,
        reindex_fraction: float = 0.02,
    ) -> None:
        super().__init__(embedder, tick_seconds)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.optimize_every = optimize_every
        self.reindex_min_rows = reindex_min_rows
        self.reindex_fraction = reindex_fraction
        self._db = lancedb.connect(str(self.folder))
        schema = memory_schema(embedder)
        existing = set(self._db.list_tables().tables)
        if TABLE in existing:
            table = self._db.open_table(TABLE)
            self._check_embedder(table.schema)
        else:
            table = self._db.create_table(TABLE, schema=schema)
        if ACCESS_TABLE in existing:
            access = self._db.open_table(ACCESS_TABLE)
        else:
            access = self._db.create_table(ACCESS_TABLE, schema=ACCESS_SCHEMA)
        self._rows = LanceRows(table, access, schema)
        self._commits = 0  # writes to the memories table since the last optimize
        self._prune_blocked = False  # an old tag made pruning fail; skip it until a tag is deleted
        self._refresh_index_state()
        self._reset_next_id()

    def _check_embedder(self, schema: pa.Schema) -> None:
        meta = schema.metadata or {}
        name, dim = meta.get(META_EMBEDDER, b"").decode(), meta.get(META_DIM, b"").decode()
        if not name:
            raise EmbedderMismatchError(f"{self.folder}: table {TABLE!r} has no embedder record; not a memory store")
        if (name, dim) != (self.embedder.name, str(self.embedder.dim)):
            raise EmbedderMismatchError(
                f"{self.folder} was written with embedder {name!r} ({dim}-d) but this store uses "
                f"{self.embedder.name!r} ({self.embedder.dim}-d). Never mix embedders in one table: open it "
                f"with make_embedder({name!r}) or re-embed its memories into a new folder."
            )

    @property
    def embedder_name(self) -> str:
        return self.embedder.name

    @property
    def table(self) -> Any:
        """The ``memories`` LanceDB table (for diagnostics and benchmarks; the engine should not need it)."""
        return self._rows.table

    @property
    def access_table(self) -> Any:
        return self._rows.access

    def _tables(self) -> tuple[Any, Any]:
        return self._rows.table, self._rows.access

    def _segments(self) -> Sequence[Segment]:
        return (self._buffer, self._rows)  # buffer first: get() then skips LanceDB for fresh ids

    # -- upkeep ----------------------------------------------------------------------------

    def _refresh_index_state(self) -> None:
        indexes = list(self._rows.table.list_indices())
        self._indexed = {col for index in indexes for col in index.columns}
        if any(column not in self._indexed for column in INDEXED_COLUMNS):
            self._unindexed = self._rows.table.count_rows()
        else:
            self._unindexed = max(index.num_unindexed_rows or 0 for index in indexes)

    def flush(self) -> None:
        """Write buffered memories (one commit) and pending last accesses (one commit), then upkeep."""
        if len(self._buffer):
            self._write(self._buffer.columns())
            self._buffer.clear()
        if self._rows.pending:
            self._rows.write_access()  # tiny rows: its fragments cost nothing worth compacting for
        if self.optimize_every and self._commits >= self.optimize_every:
            self.optimize()
        elif self._needs_reindex():
            self.reindex()

    def _write(self, columns: dict[str, Any]) -> None:
        """Append rows (one commit), counting them towards the next index rebuild and compaction."""
        self._rows.write(columns)
        self._unindexed += len(columns["id"])
        self._commits += 1

    def add_embedded(self, columns: dict[str, Any]) -> None:
        """Append rows whose vectors are already embedded (columns as ``RamRows.columns`` gives them) in one
        commit after any buffered rows, then do ``flush``'s upkeep. Ids must be new to the store.

        A save's writer process uses it to write a session's held rows without the session's embedder.
        """
        self.flush()
        if len(columns["id"]):
            self._write(columns)
            self._next_id = max(self._next_id, int(max(columns["id"])) + 1)
        self.flush()

    def _needs_reindex(self) -> bool:
        if self._unindexed == 0:
            return False
        if any(column not in self._indexed for column in INDEXED_COLUMNS):
            return True
        if self._unindexed < self.reindex_min_rows:  # before counting the rows: a round to LanceDB's own thread,
            return False                              # at every checkpoint (each flushes)
        return self._unindexed >= max(self.reindex_min_rows, self.reindex_fraction * self._rows.table.count_rows())

    def reindex(self) -> None:
        """Rebuild the BTREE indexes on agent and id over every row (a sort of two columns)."""
        for column in INDEXED_COLUMNS:
            self._rows.table.create_index(column, config=BTree(), replace=True)
        self._indexed = set(INDEXED_COLUMNS)
        self._unindexed = 0

    def optimize(self, prune_older_than: timedelta = PRUNE_AFTER) -> None:
        """Compact fragments, bring the indexes up to date, prune untagged versions past the window.

        When an old tag blocks pruning, compact without it (logged once) until a tag is deleted.
        """
        if self._rows.table.count_rows() and any(column not in self._indexed for column in INDEXED_COLUMNS):
            self.reindex()
        for table in self._tables():
            try:
                table.optimize(cleanup_older_than=_NEVER if self._prune_blocked else prune_older_than)
            except RuntimeError as error:
                if "tagged version" not in str(error):
                    raise
                log.info("memory store: old tags block pruning; optimizing without it (%s)", error)
                self._prune_blocked = True
                table.optimize(cleanup_older_than=_NEVER)
        self._commits = 0
        self._unindexed = 0

    # -- time travel -----------------------------------------------------------------------

    def tag(self, name: str, replace: bool = False) -> None:
        """Flush, then name the current versions (ValueError if the name is taken, unless ``replace``)."""
        check_tag_name(name)
        self.flush()
        exists = name in self._rows.table.tags.list()
        if exists and not replace:
            raise ValueError(f"tag {name!r} already exists")
        for table in self._tables():
            if exists:
                table.tags.update(name, table.version)
            else:
                table.tags.create(name, table.version)

    def untag(self, name: str) -> None:
        """Delete a tag (its versions become prunable); KeyError if there is none, as in InMemoryStore.

        A memory stream started afresh (its folder was lost) lacks the tags of older checkpoints.
        """
        if name not in self._rows.table.tags.list():
            raise KeyError(f"no tag {name!r}")
        for table in self._tables():
            table.tags.delete(name)
        self._prune_blocked = False

    def restore(self, name: str) -> None:
        """Make the versions tagged ``name`` the latest: later memories, edits and accesses vanish.

        Unflushed rows and accesses are dropped too — they all postdate the tag, because ``tag``
        flushes. Tags themselves survive, so a later tag (another future) can be restored.
        """
        if name not in self._rows.table.tags.list():
            raise KeyError(f"no tag {name!r}")
        for table in self._tables():
            table.checkout(name)
            table.restore()  # commits a new latest version equal to the tagged one
        self._buffer.clear()
        self._rows.load_access()
        self._refresh_index_state()
        self._reset_next_id()

    def tags(self) -> list[str]:
        """Tag names, oldest version first."""
        listed = self._rows.table.tags.list()
        return sorted(listed, key=lambda tag: (listed[tag]["version"], tag))

    def close(self) -> None:
        """Flush; the store must not be used afterwards."""
        self.flush()

    def __enter__(self) -> LanceMemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
