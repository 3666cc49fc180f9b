"""Where the engine thread hands decision points out and outcomes back, to whoever serves them.

The engine thread only appends and calls listeners that must not block (the agent
server's listener hands each item to its event loop); any thread may read the
decision a person is waiting on. This is the outside counterpart of the snapshot
outbox. Answers come back in here too (``hand_in``): the engine thread takes them
before its next tick without being woken, and without the command round (an event
and a fresh snapshot for each) that would cost it more than the answer itself.
The player's answers still go in as commands (``AnswerDecision``).

Before a long hold of the GIL (a checkpoint, and the collection after it) the engine
thread may give the answers already on their way a moment to come in
(``wait_for_answers``): an answer that came back a few ms into the hold would
otherwise wait through all of it, since the server's event loop cannot run meanwhile.
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
class HandedIn:
    agent: int
    decision: int
    actions: str  # JSON
    sent: float  # time.monotonic() when it came in


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
        self._handed_in: deque[HandedIn] = deque()  # appended by any thread, taken by the engine thread
        self._unanswered: dict[int, float] = {}  # agent -> when their open decision was posted, until answered
        self._awaited: set[int] = set()  # whose answers ``wait_for_answers`` waits on now
        self._all_came = threading.Condition(self._lock)
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
            self._unanswered[request.agent] = request.posted
            listeners = list(self._listeners)
        for listener in listeners:
            listener(request)

    def close(self, outcome: Outcome, answered_at: float | None = None) -> None:
        """Engine thread: the decision ended (answered, late or invalid)."""
        with self._lock:
            request = self._open.get(outcome.agent)
            if request is not None and request.decision == outcome.decision:
                del self._open[outcome.agent]
                self._unanswered.pop(outcome.agent, None)
                self._no_longer_awaited(outcome.agent)
                if answered_at is not None:
                    self.round_trips.append(answered_at - request.posted)
            self._last[outcome.agent] = outcome
            listeners = list(self._listeners)
        for listener in listeners:
            listener(outcome)

    def hand_in(self, agent: int, decision: int, actions: str) -> None:
        """Any thread: ``agent``'s answer to ``decision`` (0: steer them now), for the engine's next tick."""
        now = time.monotonic()
        with self._lock:
            request = self._open.get(agent)
            if request is not None and request.decision == decision:
                self.answer_trips.append(now - request.posted)
                self._unanswered.pop(agent, None)
                self._no_longer_awaited(agent)
        self._handed_in.append(HandedIn(agent, decision, actions, now))

    def wait_for_answers(self, within_s: float) -> float:
        """Engine thread, before it holds the GIL for long: wait until every decision posted less than
        ``within_s`` ago is answered, and no longer than ``within_s`` (a decision older than that, such as a
        player's, waits through the hold as before). Returns the seconds it waited."""
        started = time.monotonic()
        posted_since, until = started - within_s, started + within_s
        with self._lock:
            self._awaited = {agent for agent, posted in self._unanswered.items() if posted > posted_since}
            while self._awaited:  # woken once, by the last of them (not by each: every wake is a GIL hand-off)
                left = until - time.monotonic()
                if left <= 0:
                    break
                self._all_came.wait(left)
            self._awaited = set()
        return time.monotonic() - started

    def _no_longer_awaited(self, agent: int) -> None:
        """With the lock held: ``agent`` answered (or their decision closed); the waiter hears when none is left."""
        if agent in self._awaited:
            self._awaited.discard(agent)
            if not self._awaited:
                self._all_came.notify_all()

    def take_answers(self) -> list[HandedIn]:
        """Engine thread: the answers handed in so far, oldest first."""
        taken = []
        while self._handed_in:
            taken.append(self._handed_in.popleft())
        return taken

    def waiting(self, agent: int) -> DecisionRequest | None:
        with self._lock:
            return self._open.get(agent)

    def last_outcome(self, agent: int) -> Outcome | None:
        with self._lock:
            return self._last.get(agent)

    def forget(self, agent: int) -> None:
        with self._lock:
            self._open.pop(agent, None)
            self._unanswered.pop(agent, None)
            self._no_longer_awaited(agent)
            self._last.pop(agent, None)
