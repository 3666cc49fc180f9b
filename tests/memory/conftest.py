"""Fixtures for the memory-stream tests: a tiny exact embedder and both store kinds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from engine.memory.base import StoreBase
from engine.memory.deferred_store import DeferredStore
from engine.memory.embedders import Embedder, HashingEmbedder, l2_normalise
from engine.memory.lance_store import LanceMemoryStore
from engine.memory.mem_store import InMemoryStore

HOUR = 3600  # tick_seconds in the hand-computed tests: one tick is one sim hour


class TinyEmbedder:
    """One dimension per known word, so cosines are exact and easy to compute by hand."""

    VOCAB = ("fire", "coffee", "party", "garden")

    def __init__(self, name: str = "tiny") -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return len(self.VOCAB)

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = np.array([[t.lower().split().count(w) for w in self.VOCAB] for t in texts], dtype=np.float32)
        return l2_normalise(rows.reshape(len(texts), self.dim))


StoreFactory = Callable[..., StoreBase]


@pytest.fixture(params=["memory", "lance", "deferred"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Build a store of the parametrised kind: ``make_store(embedder=None, tick_seconds=HOUR)``."""
    opened: list[StoreBase] = []

    def factory(embedder: Embedder | None = None, tick_seconds: int = HOUR, **options: object) -> StoreBase:
        embedder = embedder or TinyEmbedder()
        if request.param == "memory":
            store: StoreBase = InMemoryStore(embedder, tick_seconds)
        elif request.param == "lance":
            store = LanceMemoryStore(tmp_path / f"memory{len(opened)}", embedder, tick_seconds, **options)
        else:  # rows held in RAM until an operation needs the LanceDB store behind them
            folder = tmp_path / f"memory{len(opened)}"
            store = DeferredStore(embedder, tick_seconds, partial(LanceMemoryStore, folder, embedder, tick_seconds,
                                                                  **options))  # type: ignore[assignment]
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def hashing() -> HashingEmbedder:
    return HashingEmbedder()
