"""The time machine: take checkpoints, seek to any tick, fork a branch when the past is changed.

Seeking restores the nearest checkpoint at or before the tick (with the memory
stream's tag of that moment) and replays the recorded line from there: every
LLM answer comes from the record, so no model is called and the state is the
same, bit for bit, as it was live.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass

from engine.contracts.events import EditMade, Event, LLMStatusChanged
from engine.contracts.thinking import LLMHealth
from engine.edits import codec
from engine.edits.apply import WORLD_EDITS, apply
from engine.memory.types import MemoryStore
from engine.persistence.checkpoint_file import CheckpointFile
from engine.sim import state_codec
from engine.sim.simulation import Simulation
from engine.state.timeline import Checkpoint
from engine.timeline.thinning import thin

DEFAULT_EVERY_MINUTES = 30
DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024
# New pieces a checkpoint leaves packed but not yet compressed, for the checkpoint file's writer to compress
# while the engine runs on (the rest, such as a whole new state after opening a world, is compressed at once,
# so a checkpoint never holds much more memory for a while than it did).
LATER_BYTES = 16 * 1024 * 1024


@dataclass
class SeekResult:
    tick: int
    checkpoint_tick: int
    replayed: int
    seconds: float


class TimeMachine:
    def __init__(
        self, sim: Simulation, memory: MemoryStore | None = None, every_minutes: float = DEFAULT_EVERY_MINUTES,
        budget_bytes: int = DEFAULT_BUDGET_BYTES, first_checkpoint: bool = True,
    ):
        self.sim = sim
        self.memory = memory
        self.timeline = sim.world.timeline
        if not isinstance(self.timeline.states, CheckpointFile):  # a long run must not hold its checkpoints
            self.timeline.states = CheckpointFile.taking_over(self.timeline.states, self.timeline.checkpoints)
        self.every_ticks = max(1, sim.clock.ticks_for(every_minutes))
        self.budget_bytes = budget_bytes
        # The map and cast edits the world currently reflects, oldest first (see _move_world).
        self.applied: list[EditMade] = [
            ev for ev in _edits(self.timeline.line_events()) if ev.tick <= sim.tick and _is_world_edit(ev)
        ]
        if first_checkpoint and not self.timeline.line_checkpoints():
            self.checkpoint("auto")  # somewhere to come back to

    # -- checkpoints -------------------------------------------------------------------------

    @property
    def checkpoint_due(self) -> bool:
        """``after_step`` takes a checkpoint now."""
        return self.sim.tick % self.every_ticks == 0

    def after_step(self) -> Checkpoint | None:
        """Call after every live tick: takes the periodic checkpoint when one is due."""
        if self.checkpoint_due:
            return self.checkpoint("auto")
        return None

    def checkpoint(self, kind: str = "user", name: str = "") -> Checkpoint:
        """Packed and hashed now; compressed and written to the checkpoint file on its writer's thread."""
        capture = self.sim.encoder.capture(self.sim.get_state(), later_bytes=LATER_BYTES)
        tag = ""
        checkpoint_id = self.timeline.next_checkpoint_id
        if self.memory is not None:  # tagging flushes first: one flush, not two (each asks LanceDB for its row count)
            tag = f"cp-{checkpoint_id}"
            self.memory.tag(tag, replace=True)
        done = self._edits_at_current_tick()
        checkpoint = self.timeline.add_checkpoint(
            self.sim.tick, kind, name, capture, tag, capture.state_hash, done
        )
        if sum(c.size for c in self.timeline.checkpoints) > self.budget_bytes:
            self.timeline.settle()  # the budget decides on exact sizes (an unfinished state's is a bound)
        kept = thin(self.timeline.checkpoints, self.sim.clock.minutes_per_tick, self.budget_bytes)
        if len(kept) != len(self.timeline.checkpoints):
            self._forget_tags(self.timeline.keep_checkpoints(kept))
        return checkpoint

    def _edits_at_current_tick(self) -> int:
        """Edits already made at this tick: the tail of the current line (no need to walk all history)."""
        tick, done = self.sim.tick, 0
        for event in reversed(self.sim.world.history):
            if event.tick < tick:
                break
            done += isinstance(event, EditMade) and event.tick == tick
        return done

    def _forget_tags(self, checkpoints: list[Checkpoint]) -> None:
        untag = getattr(self.memory, "untag", None)
        if untag is None:
            return
        for c in checkpoints:
            if c.memory_tag:
                with contextlib.suppress(KeyError, ValueError):
                    untag(c.memory_tag)

    # -- seeking -----------------------------------------------------------------------------

    @property
    def in_the_past(self) -> bool:
        return self.sim.tick < self.timeline.head

    def seek(self, tick: int, exact: bool = True) -> SeekResult:
        """Show the world at ``tick`` on the current line (exact: replay from the checkpoint to it)."""
        started = time.perf_counter()
        if tick < 0 or tick > self.timeline.head:
            raise ValueError(f"tick {tick} is not on this branch (it runs from 0 to {self.timeline.head})")
        checkpoint = self.timeline.best_checkpoint(tick)
        if checkpoint is None:
            raise ValueError(f"no checkpoint at or before tick {tick}")
        replayed = self.replay_from(checkpoint, tick if exact else checkpoint.tick)
        return SeekResult(self.sim.tick, checkpoint.tick, replayed, time.perf_counter() - started)

    def replay_from(self, checkpoint: Checkpoint, tick: int) -> int:
        """Restore ``checkpoint``, then replay the recorded line to ``tick``; returns ticks replayed."""
        minds = self.sim.cognition
        if minds is not None:  # before restoring, so thoughts in flight at the checkpoint find their answers
            minds.replay(self.timeline.line_thoughts(), _status_changes(self.timeline.line_events()))
        self.sim.outside.replay(self.timeline.line_events())  # outside answers come from the record too
        try:
            self.restore(checkpoint)
            return self.replay_to(tick, skip_at_start=checkpoint.edits_done)
        finally:
            if minds is not None:
                minds.end_replay()
            self.sim.outside.end_replay()

    def restore(self, checkpoint: Checkpoint) -> None:
        self._move_world(checkpoint.tick, checkpoint.edits_done)
        if self.memory is not None and checkpoint.memory_tag:
            try:
                self.memory.restore(checkpoint.memory_tag)
            except KeyError:
                raise ValueError(
                    f"cannot go back to tick {checkpoint.tick}: its memories (tag {checkpoint.memory_tag!r}) are not "
                    "in this world's memory stream (its memory folder was missing or from another save when it "
                    "was opened); only ticks since then can be revisited"
                ) from None
        self.sim.set_state(state_codec.decode(self.timeline.state_of(checkpoint)))

    def replay_to(self, tick: int, skip_at_start: int = 0) -> int:
        """Step forward along the recorded line (the thinker in replay): no new history, no model calls.

        At each tick boundary the edits recorded there are made again, in order, before the tick
        runs; at the starting tick the first ``skip_at_start`` are already in the restored state.
        """
        sim = self.sim
        by_tick: dict[int, list[EditMade]] = {}
        for ev in _edits(self.timeline.line_events()):
            if sim.tick <= ev.tick <= tick:
                by_tick.setdefault(ev.tick, []).append(ev)
        sim.record_history = False
        steps = 0
        try:
            while True:
                todo = by_tick.get(sim.tick, [])
                for ev in todo[skip_at_start if steps == 0 else 0 :]:
                    self._redo(ev)
                if sim.tick >= tick:
                    break
                sim.step()
                steps += 1
        finally:
            sim.record_history = True
        return steps

    # -- edits through time ------------------------------------------------------------------

    def note_edit(self, made: EditMade) -> None:
        """The engine made ``made`` live (it is in the history already)."""
        if _is_world_edit(made):
            self.applied.append(made)

    def _redo(self, made: EditMade) -> None:
        apply(self.sim, codec.from_json(made.edit))
        self.note_edit(made)

    def _move_world(self, tick: int, edits_done: int) -> None:
        """Make the map and cast what they were at ``tick`` (after its first ``edits_done`` edits)."""
        desired: list[EditMade] = []
        seen_at_tick = 0
        for ev in _edits(self.timeline.line_events()):
            if ev.tick == tick:
                seen_at_tick += 1
            if (ev.tick < tick or (ev.tick == tick and seen_at_tick <= edits_done)) and _is_world_edit(ev):
                desired.append(ev)
        common = 0
        while common < min(len(desired), len(self.applied)) and desired[common] is self.applied[common]:
            common += 1
        if common == len(desired) == len(self.applied):
            return
        for ev in reversed(self.applied[common:]):
            apply(self.sim, codec.from_json(ev.inverse))
        for ev in desired[common:]:
            apply(self.sim, codec.from_json(ev.edit))
        self.applied = desired
        for person in self.sim.people:  # schedules follow homes and jobs
            self.sim.brain.schedules[person.id] = self.sim.brain.schedule_for(person)

    # -- changing the past -------------------------------------------------------------------

    def before_change(self) -> bool:
        """Call before running a tick or applying an edit: from the past, that starts a branch."""
        if not self.in_the_past:
            return False
        self.timeline.fork(self.sim.tick)
        self._materialise_line()
        self.checkpoint("fork")
        return True

    def switch(self, branch: int) -> SeekResult:
        self.timeline.switch(branch)
        self._materialise_line()
        return self.seek(self.timeline.head)

    def _materialise_line(self) -> None:
        world = self.sim.world
        world.history = self.timeline.line_events()
        world.thoughts = self.timeline.line_thoughts()


def _edits(events: list[Event]) -> list[EditMade]:
    return [ev for ev in events if isinstance(ev, EditMade)]


_WORLD_EDIT_NAMES = frozenset(cls.__name__ for cls in WORLD_EDITS)


def _is_world_edit(made: EditMade) -> bool:
    return json.loads(made.edit)["edit"] in _WORLD_EDIT_NAMES


def _status_changes(events: list[Event]) -> dict[int, tuple[LLMHealth, str]]:
    return {e.tick: (e.state, e.message) for e in events if isinstance(e, LLMStatusChanged)}
