"""The LanceDB tables of a memory store seen as one store ``Segment`` (pyarrow only, no lancedb import).

Two tables:
- ``memories``: one row per memory, vector included. Rows are written once and rewritten only
  by god-mode edits, so the big vector rows never churn.
- ``access``: (id, last_access) rows appended at each flush. Park et al.'s recency needs the last
  access of every retrieved memory; writing it back into ``memories`` with ``update`` rewrites
  whole rows (vector too) into a new fragment on every tick — ~30 ms a flush, 2.5x the disk
  growth and twice the fragments in benchmarks/memory.py's steady state — whereas appending to
  a narrow side table costs ~3 ms. Both tables are tagged and restored together.

Every access ever recorded is held in RAM (``known``: id -> tick, loaded at open): the effective
last access of a memory is ``known.get(id, row.last_access)``. Ticks only move forward on one
timeline, and ``restore`` rolls both tables back together, so the largest tick per id is the
latest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.memory.types import Memory

COLUMNS = ["id", "agent", "tick", "kind", "text", "importance", "last_access", "evidence", "pinned"]
ACCESS_SCHEMA = pa.schema([pa.field("id", pa.int64()), pa.field("last_access", pa.int64())])
_IN_CHUNK = 1000  # ids per "id IN (...)" filter


def vectors_of(table: pa.Table, dim: int) -> np.ndarray:
    column = table.column("vector").combine_chunks()
    return column.flatten().to_numpy(zero_copy_only=False).reshape(-1, dim).astype(np.float32, copy=False)


def scan(table: Any, where: str | None, columns: list[str]) -> pa.Table:
    """Every matching row (``limit(None)``: vector searches default to 10, plain scans to all)."""
    query = table.search()
    if where is not None:
        query = query.where(where)
    return query.select(columns).limit(None).to_arrow()


class LanceRows:
    """``memories`` + ``access`` as a Segment, plus last accesses not yet written."""

    def __init__(self, table: Any, access: Any, schema: pa.Schema) -> None:
        self.table = table
        self.access = access
        self.schema = schema
        self.dim = schema.field("vector").type.list_size
        self.known: dict[int, int] = {}
        self.pending: dict[int, int] = {}
        self.load_access()

    def load_access(self) -> None:
        """Rebuild ``known`` from the access table (at open and after restore); drop pending."""
        found = scan(self.access, None, ["id", "last_access"])
        ids, ticks = found.column("id").to_numpy(), found.column("last_access").to_numpy()
        order = np.lexsort((ticks, ids))  # by id, then tick: the last of each id is its latest
        ids, ticks = ids[order], ticks[order]
        last = np.append(ids[1:] != ids[:-1], True) if ids.size else np.zeros(0, dtype=bool)
        self.known = dict(zip(ids[last].tolist(), ticks[last].tolist(), strict=True))
        self.pending = {}

    # -- reading ---------------------------------------------------------------------------

    def _memories(self, table: pa.Table) -> list[Memory]:
        cols = {name: table.column(name).to_pylist() for name in COLUMNS}
        known = self.known
        return [
            Memory(
                id=i,
                agent=cols["agent"][r],
                tick=cols["tick"][r],
                kind=cols["kind"][r],
                text=cols["text"][r],
                importance=cols["importance"][r],
                last_access=known.get(i, cols["last_access"][r]),
                evidence=tuple(cols["evidence"][r] or ()),
                pinned=bool(cols["pinned"][r]),
            )
            for r, i in enumerate(cols["id"])
        ]

    def nearest(self, agent: int, query: np.ndarray, k: int) -> tuple[list[Memory], np.ndarray]:
        found = (
            self.table.search(query.astype(np.float32), vector_column_name="vector")
            .distance_type("cosine")
            .bypass_vector_index()  # exact: an ANN index loses recall under a narrow filter
            .where(f"agent = {int(agent)}", prefilter=True)
            .select([*COLUMNS, "vector", "_distance"])  # naming _distance stops a warning per query
            .limit(k)
            .to_arrow()
        )
        return self._memories(found), vectors_of(found, self.dim)

    def keys(self, agent: int) -> tuple[np.ndarray, np.ndarray]:
        found = scan(self.table, f"agent = {int(agent)}", ["id", "tick"])
        return found.column("id").to_numpy(), found.column("tick").to_numpy()

    def match_text(self, agent: int, needle: str) -> tuple[np.ndarray, np.ndarray]:
        literal = needle.replace("'", "''")  # SQL string literal; strpos has no wildcards to escape
        found = scan(self.table, f"agent = {int(agent)} AND strpos(lower(text), '{literal}') > 0", ["id", "tick"])
        return found.column("id").to_numpy(), found.column("tick").to_numpy()

    def get(self, ids: Iterable[int]) -> list[Memory]:
        wanted = [int(i) for i in ids]
        out: list[Memory] = []
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = ",".join(map(str, wanted[start : start + _IN_CHUNK]))
            out += self._memories(scan(self.table, f"id IN ({chunk})", COLUMNS))
        return out

    def importance_sum(self, agent: int, since_tick: int) -> float:
        found = scan(self.table, f"agent = {int(agent)} AND tick >= {int(since_tick)}", ["importance"])
        return float(found.column("importance").to_numpy().astype(np.float64).sum())

    def count(self, agent: int | None) -> int:
        return int(self.table.count_rows(None if agent is None else f"agent = {int(agent)}"))

    def max_id(self) -> int:
        """Largest id in either table, so the id counter never hands out a deleted memory's id."""
        stored = int(pc.max(scan(self.table, None, ["id"]).column("id")).as_py()) if self.table.count_rows() else -1
        return max(stored, max(self.known, default=-1))

    # -- writing ---------------------------------------------------------------------------

    def write(self, cols: dict[str, Any]) -> None:
        """Append rows (one commit)."""
        vectors = np.ascontiguousarray(cols["vector"], dtype=np.float32)
        arrays = {name: cols[name] for name in COLUMNS}
        arrays["vector"] = pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), self.dim)
        self.table.add(pa.table(arrays, schema=self.schema))

    def write_access(self) -> None:
        """Append the pending last accesses to the access table (one commit)."""
        if self.pending:
            rows = {"id": list(self.pending), "last_access": list(self.pending.values())}
            self.access.add(pa.table(rows, schema=ACCESS_SCHEMA))
            self.pending = {}

    def touch(self, ids: Iterable[int], tick: int) -> None:
        for memory_id in ids:
            self.known[int(memory_id)] = self.pending[int(memory_id)] = int(tick)

    def update(
        self, memory_id: int, text: str | None, vector: np.ndarray | None, importance: float | None, pinned: bool | None
    ) -> bool:
        if self.table.count_rows(f"id = {int(memory_id)}") == 0:
            return False
        values: dict[str, Any] = {}
        if text is not None:
            # A float32 -> Python float -> SQL literal -> float32 round trip is exact.
            values["text"] = text
            values["vector"] = np.asarray(vector, dtype=np.float32).tolist()
        if importance is not None:
            values["importance"] = float(importance)
        if pinned is not None:
            values["pinned"] = bool(pinned)
        if values:
            self.table.update(where=f"id = {int(memory_id)}", values=values)
        return True

    def delete(self, memory_id: int) -> bool:
        # A delete that matches nothing still commits a version: look first.
        if self.table.count_rows(f"id = {int(memory_id)}") == 0:
            return False
        self.table.delete(f"id = {int(memory_id)}")
        # Its access rows stay behind; harmless, since the counter never reuses an id in `known`.
        self.pending.pop(int(memory_id), None)
        return True
