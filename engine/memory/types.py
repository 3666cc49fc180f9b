"""Plain data of the memory stream and the store contract the rest of the engine codes against.

Everything here is stdlib only so contracts, agents and tests can import it without pulling
in LanceDB or numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from engine.memory.embedders import Embedder

#: The kinds of memory the engine writes. Validated on add so a typo cannot silently create a new kind.
KINDS: frozenset[str] = frozenset(
    {"observation", "plan", "reflection", "conversation", "whisper", "event", "chat"}
)
MIN_IMPORTANCE = 1.0
MAX_IMPORTANCE = 10.0


@dataclass(frozen=True, slots=True)
class Memory:
    """One entry of a person's memory stream (Park et al. 2023's "memory object")."""

    id: int
    agent: int
    tick: int
    kind: str  # observation | plan | reflection | conversation | whisper | event | chat
    text: str
    importance: float  # 1..10
    last_access: int  # tick
    evidence: tuple[int, ...] = ()  # ids of memories a reflection cites
    pinned: bool = False  # core memory (never decays from recency)


@dataclass(frozen=True, slots=True)
class ScoredMemory:
    """A retrieved memory with its score and the three components that made it.

    Each component is min-max normalised to 0..1 over the candidate set *before* weighting, so the
    inspector can show why a memory came back; ``score`` is the weighted sum.
    """

    memory: Memory
    score: float
    recency: float
    importance: float
    relevance: float


@dataclass(frozen=True)
class RetrievalWeights:
    """Weights of Park et al.'s retrieval score and the size of the relevance pre-selection."""

    recency: float = 1.0
    importance: float = 1.0
    relevance: float = 1.0
    decay_per_hour: float = 0.995  # recency = decay_per_hour ** sim hours since last access
    candidates: int = 50  # exact cosine top-N for the agent, then reranked with the full formula

    def __post_init__(self) -> None:
        if self.candidates < 1:
            raise ValueError("candidates must be at least 1")
        if not 0.0 < self.decay_per_hour <= 1.0:
            raise ValueError("decay_per_hour must be in (0, 1]")


@runtime_checkable
class MemoryStore(Protocol):
    """What the engine calls; ``InMemoryStore`` and ``LanceMemoryStore`` both satisfy it."""

    embedder: Embedder  # what its vectors were made with (a saved world records its name and size)

    def add(
        self,
        agent: int,
        tick: int,
        kind: str,
        text: str,
        importance: float,
        evidence: tuple[int, ...] = (),
        pinned: bool = False,
        id: int | None = None,
    ) -> int: ...

    def flush(self) -> None: ...

    def retrieve(
        self,
        agent: int,
        query: str,
        now_tick: int,
        k: int = 10,
        weights: RetrievalWeights = ...,
        update_access: bool = True,
    ) -> list[ScoredMemory]: ...

    def recent(self, agent: int, n: int) -> list[Memory]: ...

    def get(self, ids: list[int] | tuple[int, ...]) -> list[Memory]: ...

    def search_text(self, agent: int, text: str, limit: int = 50) -> list[Memory]: ...

    def all_for(self, agent: int, limit: int, offset: int = 0) -> list[Memory]: ...

    def count(self, agent: int | None = None) -> int: ...

    def update(
        self, id: int, text: str | None = None, importance: float | None = None, pinned: bool | None = None
    ) -> None: ...

    def delete(self, id: int) -> None: ...

    def importance_since(self, agent: int, tick: int) -> float: ...

    def tag(self, name: str, replace: bool = False) -> None: ...

    def restore(self, name: str) -> None: ...

    def tags(self) -> list[str]: ...

    def close(self) -> None: ...
