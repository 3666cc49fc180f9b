"""Where the engine thread hands decision points out and outcomes back, to whoever serves them.

The engine thread only appends and calls listeners that must not block (the agent
server's listener hands each item to its event loop); any thread may read the
decision a person is waiting on. This is the outside counterpart of the snapshot
outbox; answers go back in as commands (``AnswerDecision``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DecisionRequest:
    agent: int
    decision: int
    tick: int
    deadline_s: float  # 0: no deadline
    perception: dict[str, Any]
    posted: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Outcome:
    agent: int
    decision: int
    tick: int
    status: str  # ok | late | invalid
    reason: str = ""


Listener = Callable[[DecisionRequest | Outcome], None]


class Exchange:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[int, DecisionRequest] = {}
        self._last: dict[int, Outcome] = {}
        self._listeners: list[Listener] = []
        # Seconds from posting a decision to its answer: at the engine's door (the server hands it in), and
        # taken up by the engine thread (later by whatever the engine was doing: a tick, a checkpoint).
        self.answer_trips: deque[float] = deque(maxlen=200_000)
        self.round_trips: deque[float] = deque(maxlen=200_000)

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def post(self, request: DecisionRequest) -> None:
        """Engine thread: ``request.agent`` waits on this decision."""
        with self._lock:
            self._open[request.agent] = request
            listeners = list(self._listeners)
        for listener in listeners:
            listener(request)

    def close(self, outcome: Outcome, answered_at: float | None = None) -> None:
        """Engine thread: the decision ended (answered, late or invalid)."""
        with self._lock:
            request = self._open.get(outcome.agent)
            if request is not None and request.decision == outcome.decision:
                del self._open[outcome.agent]
                if answered_at is not None:
                    self.round_trips.append(answered_at - request.posted)
            self._last[outcome.agent] = outcome
            listeners = list(self._listeners)
        for listener in listeners:
            listener(outcome)

    def answered(self, agent: int, decision: int) -> None:
        """Any thread: the answer to ``decision`` is handed in (timed, for the benchmark)."""
        with self._lock:
            request = self._open.get(agent)
            if request is not None and request.decision == decision:
                self.answer_trips.append(time.monotonic() - request.posted)

    def waiting(self, agent: int) -> DecisionRequest | None:
        with self._lock:
            return self._open.get(agent)

    def last_outcome(self, agent: int) -> Outcome | None:
        with self._lock:
            return self._last.get(agent)

    def forget(self, agent: int) -> None:
        with self._lock:
            self._open.pop(agent, None)
            self._last.pop(agent, None)
