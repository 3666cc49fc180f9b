"""A thought as the world keeps it: what was asked of the model, what it answered, and what it cost.

The thinking queue (``engine.cognition.thinker``) writes one for every applied
thought; the world, its timeline branches and its file keep them, and replay
answers from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.contracts.thinking import ThoughtKind


@dataclass
class ThoughtRecord:
    tick: int
    agent: int
    kind: ThoughtKind
    prompt_hash: str
    prompt: str
    response: str
    status: str  # ok | cached | failed
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    backend: str = ""
    error: str = ""
    asked: int = -1  # the tick it was asked at (with ``tick``, when it was applied: what replay needs)
