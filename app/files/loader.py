"""Open or generate worlds off the GUI thread, so a big world never freezes the window.

A job is a plain function run on a worker thread; its result (a ready, not yet
started ``EngineHandle``) or its error comes back as a Qt signal. Only the
newest job's answer counts: opening another world while one loads drops the first.

Opening a file reports how far it got (``progress``, emitted from the worker
thread, so Qt queues it to the window); the last stretch is waking the
people's minds (their memory store, the thinking backend).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine import api

FILE_SHARE = 0.85  # of the progress bar: reading the file; the rest is waking minds


@dataclass(frozen=True)
class HandleOptions:
    """How the engine is started: how people think and how memories are embedded."""

    llm: api.LLMConfig = field(default_factory=api.LLMConfig)
    embedder: str | None = None  # None: the world's own choice


@dataclass(frozen=True)
class Loaded:
    handle: api.EngineHandle
    path: Path | None  # None for a new, unsaved world
    name: str
    people: int
    seconds: float
    options: HandleOptions = field(default_factory=HandleOptions)


class WorldLoader(QObject):
    started = Signal(str)  # what is being loaded, for the status bar
    progress = Signal(float, str)  # fraction done, what is happening now
    loaded = Signal(object)  # Loaded
    failed = Signal(str, str)  # title, message

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._job = 0
        self.busy = False

    def open(self, path: str | Path, options: HandleOptions | None = None) -> None:
        path = Path(path)
        options = options or HandleOptions()

        def work(report: Callable[[float, str], None]) -> Loaded:
            world = api.open_world(path, progress=lambda fraction, what: report(fraction * FILE_SHARE, what))
            report(FILE_SHARE, "waking their minds")
            handle = api.EngineHandle(world, path=path, llm=options.llm, embedder=options.embedder)
            return Loaded(handle, path, world.name, len(world.people), 0.0, options)

        self._run(f"Opening {path.name}…", f"Could not open {path.name}", work)

    def new(self, template: str, agents: int, seed: int, name: str | None = None,
            options: HandleOptions | None = None) -> None:
        options = options or HandleOptions()

        def work(report: Callable[[float, str], None]) -> Loaded:
            report(0.0, "laying out the streets")
            world = api.new_world(agents, seed, template, name or None)
            report(FILE_SHARE, "waking their minds")
            handle = api.EngineHandle(world, llm=options.llm, embedder=options.embedder)
            return Loaded(handle, None, world.name, len(world.people), 0.0, options)

        self._run(f"Building a new {template} of {agents:,} people…", "Could not create the world", work)

    def scenario(self, key: str, seed: int = 0, options: HandleOptions | None = None) -> None:
        """A new, unsaved town from an installed plugin's scenario (its world, buildings and seeded facts)."""
        options = options or HandleOptions()

        def work(report: Callable[[float, str], None]) -> Loaded:
            report(0.0, "building the scenario")
            world = api.new_scenario_world(key, seed)
            report(FILE_SHARE, "waking their minds")
            handle = api.EngineHandle(world, llm=options.llm, embedder=options.embedder)
            return Loaded(handle, None, world.name, len(world.people), 0.0, options)

        self._run(f"Setting up the scenario {key}…", f"Could not set up the scenario {key}", work)

    def import_tiled(self, path: str | Path, options: HandleOptions | None = None) -> None:
        """A new, unsaved town from a Tiled map (.tmj, .tmx or Tiled's .json): its streets, then its people."""
        path = Path(path)
        options = options or HandleOptions()

        def work(report: Callable[[float, str], None]) -> Loaded:
            report(0.0, "reading the map")
            world = api.import_tiled(path)
            report(FILE_SHARE, "waking their minds")
            handle = api.EngineHandle(world, llm=options.llm, embedder=options.embedder)
            return Loaded(handle, None, world.name, len(world.people), 0.0, options)

        self._run(f"Importing {path.name}…", f"Could not import {path.name}", work)

    def _run(self, label: str, title: str, work: Callable[[Callable[[float, str], None]], Loaded]) -> None:
        self._job += 1
        job = self._job
        self.busy = True
        self.started.emit(label)

        def report(fraction: float, what: str) -> None:
            if job == self._job:  # a superseded load keeps quiet
                self.progress.emit(max(0.0, min(1.0, fraction)), what)

        def target() -> None:
            started = time.perf_counter()
            try:
                result = work(report)
            except api.WorldFileError as exc:
                self._finish(job, None, title, str(exc))
            except (OSError, ValueError) as exc:
                self._finish(job, None, title, str(exc) or type(exc).__name__)
            except Exception as exc:  # anything else still gets a dialog, not a traceback
                self._finish(job, None, title, f"{type(exc).__name__}: {exc}")
            else:
                result = replace(result, seconds=time.perf_counter() - started)
                self._finish(job, result, "", "")

        threading.Thread(target=target, name="townsfolk-loader", daemon=True).start()

    def _finish(self, job: int, result: Loaded | None, title: str, message: str) -> None:
        if job != self._job:
            return  # superseded by a newer open
        self.busy = False
        if result is None:
            self.failed.emit(title, message)
        else:
            self.loaded.emit(result)
