"""Branches and checkpoints of one world, and which of them lie on the current line.

Every event and every recorded thought belongs to the branch that was current when
it happened (its *own* list). A branch forks from its parent at a tick; its line
is its ancestors' own records up to each fork, then its own. ``World.history``
and ``World.thoughts`` are the current line, materialised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from engine.contracts.events import EditMade, Event, LLMStatusChanged
from engine.state.pieces import Parted, as_bytes, stored_size
from engine.state.thoughts import ThoughtRecord

ROOT = 0
PROTECTED_KINDS = ("user", "fork")  # never thinned away
# What a replay cannot make again: the edits and the model's health (with the thoughts, the answers).
# Everything else in the history is an outcome of the tick, which replaying from a checkpoint makes
# again bit for bit, so only a recent window of it is kept (see ``Timeline.compact``).
INPUT_EVENTS: tuple[type[Event], ...] = (EditMade, LLMStatusChanged)


@dataclass
class Branch:
    id: int
    name: str
    parent: int  # -1 for the root
    fork_tick: int  # the line follows the parent up to and including this tick
    head_tick: int  # the furthest tick reached on this branch


@dataclass
class Checkpoint:
    """What a checkpoint is; its engine state (msgpack + zstd, ``size`` bytes) is kept by ``Timeline.states``."""

    id: int
    branch: int
    tick: int
    kind: str  # auto | edit | user | save | fork
    name: str
    memory_tag: str
    state_hash: str
    edits_done: int = 0  # edits already made at this tick when it was taken (replay makes the rest)
    size: int = 0


class Unfinished(Protocol):
    """A state packed and hashed, its new pieces not yet compressed (``engine.sim.state_codec.Capture``)."""

    def finish(self) -> Parted:
        """The parted state, compressing what is left (on whichever thread calls it)."""
        ...

    def size_bound(self) -> int:
        """At least ``stored_size(finish())``, known at once."""
        ...


class CheckpointStates(Protocol):
    """Where checkpoints' encoded states live, by checkpoint id (the timeline holds only what they are)."""

    def put(self, checkpoint_id: int, state: bytes | Parted) -> None:
        """``state``: encoded bytes, or a parted state in its parts (``engine.state.pieces``)."""
        ...

    def put_later(self, checkpoint_id: int, state: Unfinished, stored: Callable[[int], None]) -> None:
        """``put``, finishing ``state`` off the caller's thread if this can; ``stored(size)`` once it is kept."""
        ...

    def settle(self) -> None:
        """Wait until every state handed to ``put_later`` is kept (raising what went wrong, if anything did)."""
        ...

    def get(self, checkpoint_id: int, keep: bool = True) -> bytes:
        """``keep``: worth keeping at hand (a seek may come back to it; a save's copy will not)."""
        ...

    def drop(self, checkpoint_ids: Iterable[int]) -> None: ...

    def held_bytes(self) -> int:
        """Bytes of states this process holds in memory (the rest is on disk)."""
        ...

    def saved_to(self, path: Path, checkpoints: Iterable[Checkpoint]) -> None:
        """A save has just put the states of ``checkpoints`` into the world file at ``path``."""
        ...


class HeldStates:
    """States in memory: a world nobody takes checkpoints of on disk (tests, tools); the time machine
    moves them to disk (``engine.persistence.checkpoint_file``)."""

    def __init__(self) -> None:
        self.states: dict[int, bytes] = {}

    def put(self, checkpoint_id: int, state: bytes | Parted) -> None:
        self.states[checkpoint_id] = as_bytes(state)

    def put_later(self, checkpoint_id: int, state: Unfinished, stored: Callable[[int], None]) -> None:
        self.put(checkpoint_id, state.finish())  # held in memory: nothing to gain from another thread
        stored(len(self.states[checkpoint_id]))

    def settle(self) -> None:
        pass

    def get(self, checkpoint_id: int, keep: bool = True) -> bytes:
        return self.states[checkpoint_id]

    def drop(self, checkpoint_ids: Iterable[int]) -> None:
        for checkpoint_id in checkpoint_ids:
            self.states.pop(checkpoint_id, None)

    def held_bytes(self) -> int:
        return sum(map(len, self.states.values()))

    def saved_to(self, path: Path, checkpoints: Iterable[Checkpoint]) -> None:
        pass  # still held: a world without a time machine keeps its few checkpoints as they are


@dataclass
class Timeline:
    branches: dict[int, Branch] = field(default_factory=lambda: {ROOT: Branch(ROOT, "main", -1, -1, 0)})
    current: int = ROOT
    checkpoints: list[Checkpoint] = field(default_factory=list)
    own_events: dict[int, list[Event]] = field(default_factory=lambda: {ROOT: []})
    own_thoughts: dict[int, list[ThoughtRecord]] = field(default_factory=lambda: {ROOT: []})
    next_checkpoint_id: int = 1
    version: int = 0  # bumped on any change, for views
    states: CheckpointStates = field(default_factory=HeldStates, repr=False)

    # -- lines -------------------------------------------------------------------------------

    def chain(self, branch: int | None = None) -> list[Branch]:
        """Root first, ``branch`` (default: current) last."""
        b = self.branches[self.current if branch is None else branch]
        chain = [b]
        while b.parent >= 0:
            b = self.branches[b.parent]
            chain.append(b)
        return chain[::-1]

    def _limits(self, branch: int | None) -> list[tuple[int, int | None]]:
        """(branch id, last tick of its own records on this line); None = no limit."""
        chain = self.chain(branch)
        return [(b.id, chain[i + 1].fork_tick if i + 1 < len(chain) else None) for i, b in enumerate(chain)]

    def line_events(self, branch: int | None = None) -> list[Event]:
        line: list[Event] = []
        for bid, limit in self._limits(branch):
            line.extend(e for e in self.own_events.get(bid, []) if limit is None or e.tick <= limit)
        return line

    def line_thoughts(self, branch: int | None = None) -> list[ThoughtRecord]:
        line: list[ThoughtRecord] = []
        for bid, limit in self._limits(branch):
            line.extend(t for t in self.own_thoughts.get(bid, []) if limit is None or t.tick <= limit)
        return line

    def line_checkpoints(self, branch: int | None = None) -> list[Checkpoint]:
        limits = dict(self._limits(branch))
        on_line = [c for c in self.checkpoints
                   if c.branch in limits and ((limit := limits[c.branch]) is None or c.tick <= limit)]
        return sorted(on_line, key=lambda c: (c.tick, c.id))

    def best_checkpoint(self, tick: int, branch: int | None = None) -> Checkpoint | None:
        best = None
        for c in self.line_checkpoints(branch):
            if c.tick <= tick:
                best = c
        return best

    @property
    def head(self) -> int:
        return self.branches[self.current].head_tick

    # -- recording ---------------------------------------------------------------------------

    def record(self, events: list[Event], thoughts: list[ThoughtRecord], tick: int) -> None:
        self.own_events.setdefault(self.current, []).extend(events)
        self.own_thoughts.setdefault(self.current, []).extend(thoughts)
        branch = self.branches[self.current]
        if tick > branch.head_tick:
            branch.head_tick = tick

    def compact(self, before_tick: int) -> bool:
        """Forget the outcomes recorded before ``before_tick`` on every branch, keeping the inputs
        (``INPUT_EVENTS``; thoughts are all kept). Returns whether anything was dropped."""
        dropped = False
        for branch, events in self.own_events.items():
            if not events or events[0].tick >= before_tick:
                continue
            kept = [e for e in events if e.tick >= before_tick or isinstance(e, INPUT_EVENTS)]
            if len(kept) != len(events):
                self.own_events[branch] = kept
                dropped = True
        return dropped

    def add_checkpoint(
        self, tick: int, kind: str, name: str, state: bytes | Parted | Unfinished, memory_tag: str, state_hash: str,
        edits_done: int = 0,
    ) -> Checkpoint:
        """``state`` unfinished: kept by ``states`` when it is finished (until then ``size`` is an upper bound;
        ``settle`` waits for it)."""
        size = stored_size(state) if isinstance(state, bytes | tuple) else state.size_bound()
        checkpoint = Checkpoint(self.next_checkpoint_id, self.current, tick, kind, name, memory_tag, state_hash,
                                edits_done, size)
        if isinstance(state, bytes | tuple):
            self.states.put(checkpoint.id, state)
        else:
            self.states.put_later(checkpoint.id, state, lambda stored: setattr(checkpoint, "size", stored))
        self.next_checkpoint_id += 1
        self.checkpoints.append(checkpoint)
        self.version += 1
        return checkpoint

    def settle(self) -> None:
        """Every checkpoint's state kept and its ``size`` exact."""
        self.states.settle()

    def state_of(self, checkpoint: Checkpoint, keep: bool = True) -> bytes:
        """The checkpoint's encoded engine state (read from disk when it is not held)."""
        return self.states.get(checkpoint.id, keep)

    def keep_checkpoints(self, kept: list[Checkpoint]) -> list[Checkpoint]:
        """Only ``kept`` remain (thinning); the others' states go too. Returns the dropped ones."""
        ids = {c.id for c in kept}
        dropped = [c for c in self.checkpoints if c.id not in ids]
        if dropped:
            self.states.drop(c.id for c in dropped)
            self.checkpoints = kept
            self.version += 1
        return dropped

    # -- branching ---------------------------------------------------------------------------

    def fork(self, tick: int, name: str = "") -> Branch:
        """A new branch leaving the current line at ``tick`` (from whichever branch owns that tick)."""
        owner = self.chain()[0]
        for b in self.chain():
            if b.parent < 0 or b.fork_tick < tick:
                owner = b
        bid = max(self.branches) + 1
        branch = Branch(bid, name or f"branch {bid}", owner.id, tick, tick)
        self.branches[bid] = branch
        self.own_events[bid] = []
        self.own_thoughts[bid] = []
        self.current = bid
        self.version += 1
        return branch

    def switch(self, branch: int) -> None:
        if branch not in self.branches:
            raise ValueError(f"there is no branch {branch}")
        self.current = branch
        self.version += 1

    def rename(self, branch: int, name: str) -> None:
        if branch not in self.branches:
            raise ValueError(f"there is no branch {branch}")
        if not name.strip():
            raise ValueError("a branch needs a name")
        self.branches[branch].name = name.strip()
        self.version += 1

    def delete(self, branch: int) -> None:
        if branch not in self.branches:
            raise ValueError(f"there is no branch {branch}")
        if branch == ROOT:
            raise ValueError("the main branch cannot be deleted")
        if branch in {b.id for b in self.chain()}:
            raise ValueError("switch to another branch before deleting this one")
        doomed = {branch}
        grew = True
        while grew:  # and every branch that forked from it
            grew = False
            for b in self.branches.values():
                if b.parent in doomed and b.id not in doomed:
                    doomed.add(b.id)
                    grew = True
        for bid in doomed:
            del self.branches[bid]
            self.own_events.pop(bid, None)
            self.own_thoughts.pop(bid, None)
        self.keep_checkpoints([c for c in self.checkpoints if c.branch not in doomed])
        self.version += 1

    def children(self, branch: int) -> list[Branch]:
        return [b for b in self.branches.values() if b.parent == branch]

    def describe(self) -> dict[str, Any]:
        self.settle()
        return {
            "current": self.current,
            "branches": [vars(b).copy() for b in sorted(self.branches.values(), key=lambda b: b.id)],
            "checkpoints": [
                {"id": c.id, "branch": c.branch, "tick": c.tick, "kind": c.kind, "name": c.name, "bytes": c.size,
                 "state_hash": c.state_hash}
                for c in sorted(self.checkpoints, key=lambda c: (c.branch, c.tick, c.id))
            ],
        }
