"""``InMemoryStore``: the memory stream in numpy arrays only — tiny worlds, tests, and the reference
implementation the LanceDB store is checked against (same base class, same retrieval code).

Nothing is persisted; ``flush`` only embeds pending texts. Tags are full copies of the rows,
which is fine at the sizes this store is meant for.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.memory.base import Segment, StoreBase, check_tag_name
from engine.memory.embedders import Embedder
from engine.memory.ram_rows import RamRows


class InMemoryStore(StoreBase):
    """Same API as ``LanceMemoryStore``, rows held in RAM; last accesses apply immediately."""

    def __init__(self, embedder: Embedder, tick_seconds: float) -> None:
        super().__init__(embedder, tick_seconds)
        self._snapshots: dict[str, RamRows] = {}

    def _segments(self) -> Sequence[Segment]:
        return (self._buffer,)

    def flush(self) -> None:
        self._buffer.embed_pending()

    def tag(self, name: str, replace: bool = False) -> None:
        """Remember the current rows under ``name`` (ValueError if taken, unless ``replace``)."""
        check_tag_name(name)
        if name in self._snapshots and not replace:
            raise ValueError(f"tag {name!r} already exists")
        self._snapshots.pop(name, None)  # a replaced tag moves to the end, as in LanceMemoryStore
        self._snapshots[name] = self._buffer.copy()

    def untag(self, name: str) -> None:
        del self._snapshots[name]

    def restore(self, name: str) -> None:
        """Go back to the rows tagged ``name``; everything added or changed since is gone."""
        if name not in self._snapshots:
            raise KeyError(f"no tag {name!r}")
        self._buffer = self._snapshots[name].copy()
        self._reset_next_id()

    def tags(self) -> list[str]:
        """Tag names, oldest first."""
        return list(self._snapshots)

    def close(self) -> None:
        self._snapshots.clear()
