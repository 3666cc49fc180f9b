"""``DeferredStore``: a new memory stream kept in RAM until something needs the LanceDB store behind it.

Opening LanceDB maps ~75 MB of libraries and its tables; a 10,000-person town on the rule brain
writes a few hundred memories an hour (its minds perceive and reflect) and reads them back only
by agent (``count``, ``recent``), which a ``RamRows`` serves as well. So a session that starts a
new stream keeps its rows in RAM, and checkpoint tags as row counts (the rows are append-only
until then), and opens the real store only when one of these needs it:

- a memory is edited or deleted, or retrieval marks last accesses (a language model thinking):
  those change rows that earlier tags must still see as they were;
- a tag is restored (time travel) — the real store keeps every tagged version;
- the buffer passes ``max_rows``.

A save does not open it: it writes the held rows and tags into a new database in the save's folder
(from a process of its own while this one has not imported LanceDB: ``persistence.memory_writer``).

Opening writes the held rows in order, tagging each checkpoint's row count as it passes it, so
the store ends up with the same rows, ids and tags as if it had been open from the start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.memory.base import Segment, StoreBase, check_tag_name
from engine.memory.embedders import Embedder
from engine.memory.types import Memory, MemoryStore, RetrievalWeights, ScoredMemory

#: Rows held before the real store is opened anyway (~2 KB each with a 384-wide vector).
DEFAULT_MAX_ROWS = 5_000


class _Held(StoreBase):
    """The rows and tags held before the real store opens: append-only rows, tags as row counts."""

    def __init__(self, embedder: Embedder, tick_seconds: float) -> None:
        super().__init__(embedder, tick_seconds)
        self.marks: dict[str, int] = {}

    def _segments(self) -> Sequence[Segment]:
        return (self._buffer,)

    def flush(self) -> None:
        """Nothing to write: texts are embedded when a search or the real store needs their vectors."""

    def tag(self, name: str, replace: bool = False) -> None:
        check_tag_name(name)
        if name in self.marks and not replace:
            raise ValueError(f"tag {name!r} already exists")
        self.marks[name] = len(self._buffer)

    def untag(self, name: str) -> None:
        if name not in self.marks:
            raise KeyError(f"no tag {name!r}")
        del self.marks[name]

    def tags(self) -> list[str]:
        """Oldest first, as the real store orders them (a tag's version, then its name)."""
        return sorted(self.marks, key=lambda name: (self.marks[name], name))

    def rows(self) -> list[Memory]:
        return self._buffer.memories()

    def columns(self) -> dict[str, object]:
        return self._buffer.columns()

    def restore(self, name: str) -> None:
        raise NotImplementedError("restoring a tag opens the real store first")

    def close(self) -> None:
        self._buffer.clear()
        self.marks.clear()


class DeferredStore:
    """A ``MemoryStore`` whose rows stay in RAM until ``open_store`` is needed (see the module doc)."""

    def __init__(
        self, embedder: Embedder, tick_seconds: float, open_store: Callable[[], MemoryStore],
        max_rows: int = DEFAULT_MAX_ROWS,
    ) -> None:
        self.embedder = embedder
        self._open_store = open_store
        self._max_rows = max_rows
        self._held: _Held | None = _Held(embedder, tick_seconds)
        self._store: MemoryStore | None = None

    @property
    def is_open(self) -> bool:
        """The real store is in use (the held rows have gone into it)."""
        return self._store is not None

    @property
    def next_id(self) -> int:
        """The id the next ``add`` without an explicit id will get."""
        return self._now().next_id  # type: ignore[attr-defined]  # both real stores have it

    def opened(self) -> MemoryStore:
        """The real store, opened and given the held rows and tags if that has not happened yet."""
        if self._store is not None:
            return self._store
        held = self._held
        assert held is not None  # exactly one of the two is set
        store = self._open_store()
        self.copy_into(store)
        self._store, self._held = store, None
        held.close()
        return store

    def copy_into(self, store: MemoryStore) -> None:
        """Write the held rows into an empty ``store`` in order, tagging each checkpoint's row count as it
        passes it (a save writes its copy so and the rows stay held). Only while the real store is not open."""
        held = self._held
        if held is None:
            raise RuntimeError("the real store is open: copy its folder instead")
        rows = held.rows()
        written = 0
        for name in held.tags():  # oldest first
            for m in rows[written : held.marks[name]]:
                store.add(m.agent, m.tick, m.kind, m.text, m.importance, evidence=m.evidence, pinned=m.pinned, id=m.id)
            written = held.marks[name]
            store.tag(name, replace=True)  # tag flushes
        for m in rows[written:]:
            store.add(m.agent, m.tick, m.kind, m.text, m.importance, evidence=m.evidence, pinned=m.pinned, id=m.id)
        store.flush()

    def held_columns(self) -> tuple[dict[str, object], list[tuple[str, int]]]:
        """The held rows as columns, vectors embedded (as ``RamRows.columns`` gives them), and each tag with the
        row count it marks, oldest first: what ``copy_into`` writes, for a writer in another process.
        Only while the real store is not open."""
        held = self._held
        if held is None:
            raise RuntimeError("the real store is open: copy its folder instead")
        return held.columns(), [(name, held.marks[name]) for name in held.tags()]

    def _now(self) -> MemoryStore:
        """Where reads and appends go: the held rows, or the real store once open."""
        return self._store if self._store is not None else self._held  # type: ignore[return-value]

    # -- writing -----------------------------------------------------------------------------

    def add(
        self, agent: int, tick: int, kind: str, text: str, importance: float, evidence: tuple[int, ...] = (),
        pinned: bool = False, id: int | None = None,
    ) -> int:
        memory_id = self._now().add(agent, tick, kind, text, importance, evidence=evidence, pinned=pinned, id=id)
        if self._held is not None and self._held.count() > self._max_rows:
            self.opened()
        return memory_id

    def flush(self) -> None:
        self._now().flush()

    def update(
        self, id: int, text: str | None = None, importance: float | None = None, pinned: bool | None = None
    ) -> None:
        self.opened().update(id, text=text, importance=importance, pinned=pinned)

    def delete(self, id: int) -> None:
        self.opened().delete(id)

    # -- reading -----------------------------------------------------------------------------

    def retrieve(
        self, agent: int, query: str, now_tick: int, k: int = 10,
        weights: RetrievalWeights = RetrievalWeights(),  # noqa: B008 - frozen, safe to share
        update_access: bool = True,
    ) -> list[ScoredMemory]:
        store = self.opened() if update_access else self._now()  # a last access changes a row tags must keep
        return store.retrieve(agent, query, now_tick, k=k, weights=weights, update_access=update_access)

    def recent(self, agent: int, n: int) -> list[Memory]:
        return self._now().recent(agent, n)

    def get(self, ids: list[int] | tuple[int, ...]) -> list[Memory]:
        return self._now().get(ids)

    def search_text(self, agent: int, text: str, limit: int = 50) -> list[Memory]:
        return self._now().search_text(agent, text, limit)

    def all_for(self, agent: int, limit: int, offset: int = 0) -> list[Memory]:
        return self._now().all_for(agent, limit, offset)

    def count(self, agent: int | None = None) -> int:
        return self._now().count(agent)

    def importance_since(self, agent: int, tick: int) -> float:
        return self._now().importance_since(agent, tick)

    # -- versions ----------------------------------------------------------------------------

    def tag(self, name: str, replace: bool = False) -> None:
        self._now().tag(name, replace)

    def untag(self, name: str) -> None:
        if self._held is not None:
            self._held.untag(name)
        else:
            self.opened().untag(name)  # type: ignore[attr-defined]  # both real stores have it

    def restore(self, name: str) -> None:
        if self._held is not None and name not in self._held.marks:
            raise KeyError(f"no tag {name!r}")
        self.opened().restore(name)

    def tags(self) -> list[str]:
        return self._now().tags()

    def close(self) -> None:
        """Close the real store if it was opened (the held rows are dropped, as an unsaved session's are)."""
        self._now().close()
