"""The engine thread: the only thread that writes world state, the world file included.

Loop: wait for a tick to be due (or a command), apply commands at the tick
boundary, run the tick, publish a snapshot and the tick's events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from engine.contracts.commands import Command, Pause, Play, SaveWorld, SetSpeed, Step
from engine.contracts.events import CommandApplied, CommandRejected, Event, WorldSaved
from engine.persistence.errors import WorldFileError
from engine.persistence.world_file import save_world
from engine.runtime.controller import StepController
from engine.runtime.mailbox import Inbox, Outbox
from engine.sim.simulation import Simulation
from engine.sim.snapshot import build_relationships, build_snapshot, build_static

log = logging.getLogger(__name__)
TIES_REFRESH_TICKS = 30


class EngineThread:
    def __init__(self, sim: Simulation, outbox: Outbox, inbox: Inbox, controller: StepController):
        self.sim = sim
        self.outbox = outbox
        self.inbox = inbox
        self.controller = controller
        self._static_version = 1
        self._static = build_static(sim.world, self._static_version)
        self._ties = build_relationships(sim.ties)
        self._ties_built_at = sim.tick
        self._tick_times: deque[float] = deque(maxlen=60)
        self._thread = threading.Thread(target=self._run, name="townsfolk-engine", daemon=True)
        self._handlers: dict[type, Callable[[Command], str]] = {
            Play: lambda c: (self.controller.play(), "playing")[1],
            Pause: lambda c: (self.controller.pause(), "paused")[1],
            Step: self._on_step,
            SetSpeed: self._on_speed,
            SaveWorld: self._on_save,
        }
        self.error: BaseException | None = None

    def start(self) -> None:
        self.publish([])
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self.controller.stopped:
                due = self.controller.wait_for_work()
                events = self._apply_commands()
                if due and not self.controller.stopped:
                    events.extend(self.sim.step())
                    self._tick_times.append(time.perf_counter())
                self.publish(events)
        except BaseException as exc:  # the GUI must hear about it, not a silent dead thread
            log.exception("engine thread failed")
            self.error = exc
            self.publish([CommandRejected(self.sim.tick, -1, f"engine stopped: {exc}")])

    def publish(self, events: list[Event]) -> None:
        tps = 0.0
        if len(self._tick_times) >= 2:
            span = self._tick_times[-1] - self._tick_times[0]
            tps = (len(self._tick_times) - 1) / span if span > 0 else 0.0
        snapshot = build_snapshot(self.sim, self._static, self._current_ties(), self.controller.running, tps)
        self.outbox.publish(snapshot, events)

    def _current_ties(self):  # type: ignore[no-untyped-def]
        """Rebuilding 50k ties costs ~30 ms: at most every 30 ticks while running."""
        stale = self._ties.version != self.sim.ties.version
        if stale and (not self.controller.running or self.sim.tick - self._ties_built_at >= TIES_REFRESH_TICKS):
            self._ties = build_relationships(self.sim.ties)
            self._ties_built_at = self.sim.tick
        return self._ties

    def _apply_commands(self) -> list[Event]:
        events: list[Event] = []
        for command in self.inbox.drain():
            handler = self._handlers.get(type(command))
            if handler is None:
                events.append(CommandRejected(self.sim.tick, command.id, f"unknown command {type(command).__name__}"))
                continue
            try:
                summary = handler(command)
            except (ValueError, WorldFileError, OSError) as exc:
                events.append(CommandRejected(self.sim.tick, command.id, str(exc)))
                continue
            events.append(CommandApplied(self.sim.tick, command.id, summary))
            if isinstance(command, SaveWorld):
                events.append(WorldSaved(self.sim.tick, command.path))
        return events

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
        save_world(self.sim.world, command.path)
        return f"saved {command.path}"
