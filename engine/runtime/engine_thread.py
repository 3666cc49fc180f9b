"""The engine thread: the only thread that writes world state, the world file included.

Loop: wait for a tick to be due (or a command), apply commands at the tick
boundary, run the tick, publish the tick's events and, when someone will see it, a
snapshot. At max speed a snapshot is built only once the reader took the last one
(``Outbox.wanted``): the window reads ~30 a second, and building one per tick would
cost the engine its time (and, holding the GIL, the window its frames). After the
last tick before a wait, or a command, a snapshot is always published.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from engine import plugins
from engine.contracts.commands import (
    AnswerDecision,
    ChoosePlugins,
    Command,
    ConfigureLLM,
    DeleteBranch,
    DriveFromOutside,
    ExportTiled,
    MakeCheckpoint,
    ParseConsole,
    Pause,
    Play,
    QueryMemories,
    QueryMind,
    QueryPlugins,
    QueryThoughts,
    RenameBranch,
    SaveWorld,
    Seek,
    SetSpeed,
    Step,
    SwitchBranch,
    Watch,
)
from engine.contracts.edits import Edit
from engine.contracts.events import (
    CommandApplied,
    CommandRejected,
    ConsoleParsed,
    EditApplied,
    EditMade,
    Event,
    PluginsChosen,
    TimeJumped,
    WorldSaved,
)
from engine.contracts.snapshots import RelationshipTable
from engine.contracts.society import QueryLedger, QueryPair, SocietyView
from engine.edits import codec as edit_codec
from engine.edits import console as console_words
from engine.edits import console_round
from engine.edits.apply import apply as apply_edit
from engine.llm.backend import LLMConfig
from engine.memory.types import MemoryStore
from engine.persistence.errors import WorldFileError
from engine.persistence.world_save import save_pair
from engine.runtime import collector, queries
from engine.runtime.controller import StepController
from engine.runtime.mailbox import Inbox, Outbox
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from engine.sim.snapshot import build_relationships, build_snapshot, build_static
from engine.timeline.machine import TimeMachine
from engine.world.tiled import export_tiled

log = logging.getLogger(__name__)
SNAPSHOT_MIN_S = 1 / 60  # a reader polling in a tight loop still gets no more than a display shows
TIES_REFRESH_S = 1.0  # while running, the relationship table is rebuilt at most this often...
TIES_COST_SHARE = 20  # ...and no more often than every 20x its own cost (10-20 ms at 10,000 people)
# Likewise the society's view (the economy's books, word of mouth's knowers, the ties' density): ~10 ms at
# 10,000 people, and talk changes it every tick, so rebuilt for every snapshot it was a sixth of the
# engine's time with the window open, for docks that redraw a few times a second.
SOCIETY_REFRESH_S = 0.5
IDLE_REFRESH_S = 0.5  # while paused, how often to check whether the LLM status changed
# Before a checkpoint (tens of ms holding the GIL, with the collection after it) the engine waits at most this
# long for answers to decisions it posted in this time: outside programs answer in a few ms, and an answer
# arriving during the hold would wait through it (the agent API's event loop cannot run meanwhile).
ANSWERS_IN_FLIGHT_S = 0.02


Handled = str | tuple[str, list[Event]]  # a summary, plus any answer events
Query = TypeVar("Query", bound=Command)


def _answer(kind: type[Query], summary: str, answer: Callable[[Query], Event]) -> Callable[[Command], Handled]:
    """A handler for one kind of query: its answer is the one event sent back."""
    def handle(command: Command) -> Handled:
        assert isinstance(command, kind)  # the handlers are looked up by the command's type
        return summary, [answer(command)]
    return handle


class EngineThread:
    def __init__(
        self, sim: Simulation, outbox: Outbox, inbox: Inbox, controller: StepController,
        llm: LLMConfig | None = None, memory: MemoryStore | None = None, max_minds: int = 100,
    ):
        self.sim = sim
        self.llm = llm or LLMConfig()
        self.memory = memory
        self.max_minds = max_minds
        self.outbox = outbox
        self.inbox = inbox
        self.controller = controller
        self._static_version = 1
        self._static = build_static(sim.world, self._static_version)
        self._static_revision = sim.world.revision
        self._ties = build_relationships(sim.ties)
        self._ties_next = 0.0
        self._society: SocietyView | None = None
        self._society_tick = -1
        self._society_next = 0.0
        self._published_at = 0.0
        self._stale = False  # ticks ran since the last snapshot
        self._tick_times: deque[float] = deque(maxlen=60)
        # How long each periodic checkpoint held this thread: (wall ms, this thread's CPU ms), for benchmarks.
        self.checkpoint_holds: deque[tuple[float, float]] = deque(maxlen=1000)
        self.answer_waits: deque[float] = deque(maxlen=1000)  # seconds waited for answers before each, likewise
        self._thread = threading.Thread(target=self._run, name="townsfolk-engine", daemon=True)
        self._handlers: dict[type, Callable[[Command], Handled]] = {
            Play: self._on_play,
            Pause: self._on_pause,
            Step: self._on_step,
            SetSpeed: self._on_speed,
            SaveWorld: self._on_save,
            Watch: self._on_watch,
            QueryMind: _answer(QueryMind, "mind",
                               lambda c: queries.mind_report(self.sim.cognition, c, self.sim.tick, self.sim.brain)),
            QueryMemories: _answer(QueryMemories, "memories",
                                   lambda c: queries.memories(self.sim.cognition, c, self.sim.tick)),
            QueryThoughts: _answer(QueryThoughts, "thoughts",
                                   lambda c: queries.thoughts(self.sim.world, c, self.sim.tick, self.sim.brain)),
            QueryLedger: _answer(QueryLedger, "ledger", lambda c: self.sim.society.ledger_page(c, self.sim.tick)),
            QueryPair: _answer(QueryPair, "pair", lambda c: self.sim.society.pair(c, self.sim.tick)),
            ConfigureLLM: self._on_configure,
            MakeCheckpoint: self._on_checkpoint,
            Seek: self._on_seek,
            SwitchBranch: self._on_switch,
            RenameBranch: self._on_rename,
            DeleteBranch: self._on_delete,
            ParseConsole: self._on_console,
            ExportTiled: self._on_export_tiled,
            DriveFromOutside: self._on_drive,
            AnswerDecision: self._on_answer,
            QueryPlugins: _answer(QueryPlugins, "plugins",
                                  lambda c: queries.plugins_report(self.sim, c.id, self.sim.tick)),
            ChoosePlugins: self._on_choose_plugins,
        }
        if memory is not None:
            attach_cognition(sim, self.llm, memory, mode="live", max_minds=max_minds)
        self.machine = TimeMachine(sim, memory)
        self._timeline_view = queries.timeline_view(sim.world.timeline)
        self.error: BaseException | None = None
        self.saving = False  # read by other threads: stopping waits while a save is being written

    def start(self) -> None:
        self.publish([])
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        collector.settle()  # the world as opened: never walked by the collector again while it runs
        try:
            while not self.controller.stopped:
                due = self.controller.wait_for_work(idle_timeout=IDLE_REFRESH_S)
                events = self._apply_commands()
                commanded = bool(events)  # every command is answered by an event
                ticked = due and not self.controller.stopped
                if ticked:
                    events.extend(self._tick())
                elif not events and not self._stale and self._llm_status_unchanged():
                    continue  # idle and nothing new to show
                if commanded or not ticked or self._snapshot_due():
                    self.publish(events)
                else:
                    self.outbox.publish(None, events)
                    self._stale = True
        except BaseException as exc:  # the GUI must hear about it, not a silent dead thread
            log.exception("engine thread failed")
            self.error = exc
            self.publish([CommandRejected(self.sim.tick, -1, f"engine stopped: {exc}")])
        finally:
            if self.sim.cognition is not None:
                self.sim.cognition.close()
            collector.release()

    def _tick(self) -> list[Event]:
        events: list[Event] = []
        from_tick = self.sim.tick
        if self.machine.before_change():  # playing from the past: the old future stays on its branch
            events.append(TimeJumped(from_tick, self.sim.world.timeline.current, from_tick, "fork"))
        events.extend(self.sim.step())
        if self.machine.checkpoint_due:
            if self.sim.outside.claims:
                self.answer_waits.append(self.sim.outside.exchange.wait_for_answers(ANSWERS_IN_FLIGHT_S))
            started, started_cpu = time.perf_counter(), time.thread_time()
            self.machine.after_step()
            collector.settle()  # the engine paused for the checkpoint already; this adds a few ms
            self.checkpoint_holds.append(((time.perf_counter() - started) * 1000,
                                          (time.thread_time() - started_cpu) * 1000))
        self._tick_times.append(time.perf_counter())
        return events

    def _snapshot_due(self) -> bool:
        """After a tick: the engine is about to wait (show where it stopped), or the reader wants the next."""
        if not self.controller.work_waiting():
            return True
        return self.outbox.wanted and time.perf_counter() - self._published_at >= SNAPSHOT_MIN_S

    def _llm_status_unchanged(self) -> bool:
        latest = self.outbox.peek()
        current = queries.llm_status(self.sim.cognition, self.llm.brain, self.llm.model, self.llm.hosts)
        return latest is not None and (latest.llm.state, latest.llm.message) == (current.state, current.message)

    def publish(self, events: list[Event]) -> None:
        tps = 0.0
        if len(self._tick_times) >= 2:
            span = self._tick_times[-1] - self._tick_times[0]
            tps = (len(self._tick_times) - 1) / span if span > 0 else 0.0
        llm = queries.llm_status(self.sim.cognition, self.llm.brain, self.llm.model, self.llm.hosts)
        timeline = self.sim.world.timeline
        if (self._timeline_view.version, self._timeline_view.head) != (timeline.version, timeline.head):
            self._timeline_view = queries.timeline_view(timeline)
        if self._static_revision != self.sim.world.revision:
            self._static_version += 1
            self._static = build_static(self.sim.world, self._static_version)
            self._static_revision = self.sim.world.revision
        read_ties, read_society = self.outbox.reads("relationships"), self.outbox.reads("society")
        ties, society = self._current_ties(read_ties), self._current_society(read_society)
        # Parts left as last built because the reader shows them nowhere: a view shown again knows to wait for
        # the next snapshot (built once the reader says it shows them) rather than lay out old ties.
        unread = tuple(part for part, left in (
            ("relationships", not read_ties and ties.version != self.sim.ties.version),
            ("society", not read_society and self._society_tick != self.sim.tick)) if left)
        snapshot = build_snapshot(self.sim, self._static, ties, self.controller.running, tps, llm,
                                  self._timeline_view, society, unread=unread)
        self.outbox.publish(snapshot, events)
        self._published_at = time.perf_counter()
        self._stale = False

    def _current_ties(self, reading: bool) -> RelationshipTable:
        """The relationship table: joined from the checkpoint's blocks of ties (``Relationships.columns``),
        10-30 ms for 60,000 ties; while the engine runs it is rebuilt at most every ``TIES_REFRESH_S`` and
        ``TIES_COST_SHARE`` times its cost, and only while the reader shows it; paused, at once."""
        stale = self._ties.version != self.sim.ties.version
        if stale and (self.controller.idle or (reading and time.perf_counter() >= self._ties_next)):
            started = time.perf_counter()
            self._ties = build_relationships(self.sim.ties)
            cost = time.perf_counter() - started
            self._ties_next = time.perf_counter() + max(TIES_REFRESH_S, TIES_COST_SHARE * cost)
        return self._ties

    def _current_society(self, reading: bool) -> SocietyView:
        """The society's view: while the engine runs, rebuilt at most every ``SOCIETY_REFRESH_S`` and
        ``TIES_COST_SHARE`` times its cost, and only while the reader shows it; paused, after a command, or
        when time went back, at once (a view nobody shows waits until someone does)."""
        now, tick = time.perf_counter(), self.sim.tick
        due = now >= self._society_next or tick < self._society_tick
        if self._society is None or self.controller.idle or (due and reading):
            self._society = self.sim.society.view(tick)
            self._society_tick = tick
            self._society_next = now + max(SOCIETY_REFRESH_S, TIES_COST_SHARE * (time.perf_counter() - now))
        return self._society

    def _apply_commands(self) -> list[Event]:
        events: list[Event] = []
        self.sim.outside.take_handed_in()  # first: the claims these answers rely on were sent before them
        for command in self.inbox.drain():
            self._society_next = 0.0  # what a command changed shows in the next snapshot, not up to a refresh later
            handler = self._on_edit if isinstance(command, Edit) else self._handlers.get(type(command))
            if handler is None:
                events.append(CommandRejected(self.sim.tick, command.id, f"unknown command {type(command).__name__}"))
                continue
            try:
                handled = handler(command)
            except (ValueError, WorldFileError, OSError) as exc:
                events.append(CommandRejected(self.sim.tick, command.id, str(exc)))
                continue
            summary, answers = handled if isinstance(handled, tuple) else (handled, [])
            events.extend(answers)
            events.append(CommandApplied(self.sim.tick, command.id, summary))
            if isinstance(command, SaveWorld):
                events.append(WorldSaved(self.sim.tick, command.path))
        return events

    def _on_play(self, command: Command) -> str:
        self.controller.play()
        return "playing"

    def _on_pause(self, command: Command) -> str:
        self.controller.pause()
        return "paused"

    def _on_step(self, command: Command) -> str:
        assert isinstance(command, Step)
        if command.ticks < 1:
            raise ValueError("step needs at least one tick")
        self.controller.step(command.ticks)
        return f"stepping {command.ticks} tick(s)"

    def _on_speed(self, command: Command) -> str:
        assert isinstance(command, SetSpeed)
        if command.ticks_per_second < 0:
            raise ValueError("speed cannot be negative")
        self.controller.set_speed(command.ticks_per_second)
        return "max speed" if command.ticks_per_second == 0 else f"{command.ticks_per_second:g} ticks/s"

    def _on_save(self, command: Command) -> str:
        assert isinstance(command, SaveWorld)
        self.sim.freeze()
        self.saving = True
        try:
            save_pair(self.sim.world, self.memory, command.path)
        finally:
            self.saving = False
        return f"saved {command.path}"

    def _on_edit(self, command: Command) -> Handled:
        """God mode: from the past this starts a branch; a checkpoint first, so it can be undone in time too."""
        assert isinstance(command, Edit)
        from_tick = self.sim.tick
        events: list[Event] = []
        if self.machine.before_change():
            events.append(TimeJumped(from_tick, self.sim.world.timeline.current, from_tick, "fork"))
        self.machine.checkpoint("edit")
        (summary, inverse, applied), extra = apply_edit(self.sim, command)
        inverse_json = edit_codec.to_json(inverse) if inverse is not None else ""
        made = EditMade(self.sim.tick, edit_codec.to_json(applied), inverse_json)
        self.sim.world.record([made, *extra], [], self.sim.tick)
        self.machine.note_edit(made)
        events += [made, *extra, EditApplied(self.sim.tick, command.id, summary, inverse_json)]
        return summary, events

    def _on_console(self, command: Command) -> Handled:
        assert isinstance(command, ParseConsole)
        pop = self.sim.pop
        reading = console_words.read(self.sim.world, command.text,
                                     lambda person: (int(pop.xy[person][0]), int(pop.xy[person][1])))
        minds = self.sim.cognition
        if reading.edits or minds is None or not minds.available:
            lines = tuple(edit_codec.to_json(x) for x in reading.edits)
            return "parsed", [ConsoleParsed(self.sim.tick, command.id, command.text, lines, "\n".join(reading.words),
                                            reading.error)]
        refused = console_round.ask(minds, self.sim.world, command.text, command.id, self.sim.tick)
        return "asking the model", minds.drain_events() + refused

    def _on_export_tiled(self, command: Command) -> str:
        assert isinstance(command, ExportTiled)
        if not command.path.strip():
            raise ValueError("say where to export the map")
        export_tiled(self.sim.world, command.path)  # TiledError is a ValueError; an unwritable path an OSError
        return f"exported the map to {command.path}"

    def _on_choose_plugins(self, command: Command) -> Handled:
        """Plugins on or off for the world: saved with it, they apply the next time it opens (switching one in the
        middle of a run would leave checkpoints from before it that a replay could not match)."""
        assert isinstance(command, ChoosePlugins)
        meta = self.sim.world.meta
        problems = plugins.use(meta, list(command.use)) if command.use else []
        if problems:
            raise ValueError(problems[0])
        plugins.drop(meta, list(command.drop))
        changed = PluginsChosen(self.sim.tick, tuple(command.use), tuple(command.drop))
        words = ", ".join([*(f"{n} on" for n in command.use), *(f"{n} off" for n in command.drop)]) or "no change"
        return (f"plugins: {words} (from the next time this world is opened)",
                [changed, queries.plugins_report(self.sim, command.id, self.sim.tick)])

    def _on_checkpoint(self, command: Command) -> str:
        assert isinstance(command, MakeCheckpoint)
        checkpoint = self.machine.checkpoint("user", command.name.strip())
        return f"checkpoint {checkpoint.name or checkpoint.id} at {self.sim.clock.text(checkpoint.tick)}"

    def _on_seek(self, command: Command) -> Handled:
        assert isinstance(command, Seek)
        self.controller.pause()
        from_tick = self.sim.tick
        result = self.machine.seek(command.tick, command.exact)
        jumped = TimeJumped(self.sim.tick, self.sim.world.timeline.current, from_tick, "seek")
        summary = f"at {self.sim.clock.text(result.tick)} ({result.replayed} ticks replayed in {result.seconds * 1000:.0f} ms)"
        return summary, [jumped]

    def _on_switch(self, command: Command) -> Handled:
        assert isinstance(command, SwitchBranch)
        self.controller.pause()
        from_tick = self.sim.tick
        self.machine.switch(command.branch)
        branch = self.sim.world.timeline.branches[command.branch]
        return f"on branch '{branch.name}'", [TimeJumped(self.sim.tick, branch.id, from_tick, "switch")]

    def _on_rename(self, command: Command) -> str:
        assert isinstance(command, RenameBranch)
        self.sim.world.timeline.rename(command.branch, command.name)
        return f"renamed branch {command.branch} to '{command.name.strip()}'"

    def _on_delete(self, command: Command) -> str:
        assert isinstance(command, DeleteBranch)
        self.sim.world.timeline.delete(command.branch)
        return f"deleted branch {command.branch}"

    def _people_check(self, agent: int) -> None:
        if not 0 <= agent < len(self.sim.people):
            raise ValueError(f"there is no person {agent}")

    def _on_watch(self, command: Command) -> str:
        assert isinstance(command, Watch)
        self._people_check(command.agent)
        if self.sim.cognition is not None:
            self.sim.cognition.watch(command.agent, command.watched)
        return f"{'watching' if command.watched else 'not watching'} {self.sim.people[command.agent].name}"

    def _on_drive(self, command: Command) -> str:
        assert isinstance(command, DriveFromOutside)
        return self.sim.outside.request_claim(command.agent, command.driven, command.who, command.deadline_s)

    def _on_answer(self, command: Command) -> str:
        assert isinstance(command, AnswerDecision)
        return self.sim.outside.answer(command.agent, command.decision, command.actions, command.sent)

    def _on_configure(self, command: Command) -> str:
        assert isinstance(command, ConfigureLLM)
        if command.brain not in ("rule", "ollama", "fake"):
            raise ValueError(f"unknown brain {command.brain!r}")
        if self.memory is None:
            raise ValueError("this world runs without minds")
        old = self.sim.cognition
        state = old.get_state() if old is not None else None
        if old is not None:
            old.close()
        self.llm = LLMConfig(brain=command.brain, hosts=command.hosts, model=command.model,
                             temperature=command.temperature, budget_per_hour=command.budget_per_hour,
                             timeout_s=command.timeout_s)
        cognition = attach_cognition(self.sim, self.llm, self.memory, mode="live", max_minds=self.max_minds,
                                     state=state)
        cognition.probe_now()  # say at once when the new server is not there, not at the next tick
        return f"thinking with {command.brain}" + (f" ({command.model})" if command.brain == "ollama" else "")
