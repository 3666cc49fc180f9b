"""The engine's public API: everything the Qt shell and the CLI may call.

``EngineHandle`` runs a world on the engine thread; the module functions do the
headless work (new, open, save, check, info, run) on the caller's thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.agents.personas import PersonaError, find_personas
from engine.agents.personas import import_personas as _import_personas
from engine.contracts.commands import Command, Pause
from engine.contracts.edits import Edit, SeedFact
from engine.contracts.enums import Sex
from engine.contracts.events import EditMade, Event
from engine.contracts.snapshots import WorldSnapshot
from engine.contracts.thinking import LLMHealth
from engine.edits import codec as edit_codec
from engine.edits.apply import apply as apply_edit
from engine.edits.scenarios import new_scenario_world as _new_scenario_world
from engine.edits.scenarios import scenarios as _scenarios
from engine.experiments import ExperimentReport, ExperimentSpec, Progress, SpecError, load_spec, run_experiment
from engine.experiments import plan as plan_experiment
from engine.experiments.compare import compare_branches
from engine.experiments.interviews import Answer
from engine.experiments.reproduce import rerun as rerun_experiment
from engine.experiments.survey import ask_world
from engine.llm.backend import Health, LLMConfig
from engine.llm.factory import make_backend
from engine.llm.hosts import host_kind as _host_kind
from engine.llm.hosts import host_problem as _host_problem
from engine.llm.hosts import normalise_host as _normalise_host
from engine.memory.types import MemoryStore
from engine.outside import Exchange
from engine.persistence.errors import WorldFileError
from engine.persistence.memory_session import SessionMemory, open_session
from engine.persistence.schema import SCHEMA_VERSION
from engine.persistence.world_file import load_world, read_meta
from engine.persistence.world_save import remove_pair, save_pair
from engine.plugins import Registry, installed, recorded
from engine.plugins import drop as _drop_plugins
from engine.plugins import use as _use_plugins
from engine.runtime import collector
from engine.runtime.controller import StepController
from engine.runtime.engine_thread import EngineThread
from engine.runtime.looking import looking_back
from engine.runtime.mailbox import Inbox, Outbox
from engine.runtime.minds import DEFAULT_MAX_MINDS, attach_cognition
from engine.runtime.minds_pacing import LOCKSTEP_LATENCY_MINUTES, Pace
from engine.runtime.minds_pacing import Progress as RunProgress
from engine.runtime.trial import world_problems
from engine.sim import state_codec
from engine.sim.diffusion import Diffusion
from engine.sim.simulation import Simulation
from engine.state.clock import Clock
from engine.state.world import World
from engine.timeline.machine import DEFAULT_EVERY_MINUTES, SeekResult, TimeMachine
from engine.world.generator import TEMPLATES, generate
from engine.world.tiled import TiledError
from engine.world.tiled import export_tiled as _export_tiled
from engine.world.tiled import import_tiled as _import_tiled

__all__ = [
    "SCHEMA_VERSION",
    "TEMPLATES",
    "Answer",
    "EngineHandle",
    "ExperimentReport",
    "ExperimentSpec",
    "Health",
    "LLMConfig",
    "PersonaError",
    "Progress",
    "RunSummary",
    "SpecError",
    "TiledError",
    "World",
    "WorldFileError",
    "ask_world",
    "check_world",
    "compare_branches",
    "drop_plugins",
    "edit_from_json",
    "edit_to_json",
    "export_tiled",
    "host_kind",
    "host_problem",
    "import_personas",
    "import_tiled",
    "load_spec",
    "new_scenario_world",
    "new_world",
    "normalise_host",
    "open_world",
    "plan_experiment",
    "plugin_warnings",
    "plugins_info",
    "probe_llm",
    "read_meta",
    "remove_world",
    "replay",
    "rerun_experiment",
    "run_experiment",
    "run_headless",
    "save_world",
    "scenarios",
    "timeline_info",
    "use_plugins",
    "world_info",
    "world_plugins",
]


class EngineHandle:
    """A world running on its own thread. Talk to it only through these methods."""

    def __init__(
        self, world: World, seed: int | None = None, path: str | Path | None = None, llm: LLMConfig | None = None,
        minds: bool = True, embedder: str | None = None, max_minds: int = DEFAULT_MAX_MINDS,
    ):
        """``minds``: people perceive, remember and (with ``llm``) think; off, it is the bare rule brain.

        Like the rest of the world, memories are written beside the world file only on save:
        until then they live in a private copy (or RAM), so an unsaved session changes nothing.
        """
        self.path = Path(path) if path else None
        self._sim = Simulation(world, seed)
        self._session: SessionMemory | None = None
        memory = None
        if minds:
            self._session = open_session(world, self.path, embedder, llm)
            memory = self._session.store
        #: One line each about what was wrong with the world's files and what happens instead.
        self.warnings: list[str] = [self._session.warning] if self._session and self._session.warning else []
        self.warnings += self._sim.plugins.messages()  # plugins the world uses that are missing here
        self._inbox = Inbox()
        self._outbox = Outbox()
        self._controller = StepController()
        self._thread = EngineThread(self._sim, self._outbox, self._inbox, self._controller, llm, memory, max_minds)

    @classmethod
    def open(cls, path: str | Path, seed: int | None = None, llm: LLMConfig | None = None, minds: bool = True,
             embedder: str | None = None, max_minds: int = DEFAULT_MAX_MINDS) -> EngineHandle:
        return cls(load_world(path), seed, path, llm=llm, minds=minds, embedder=embedder, max_minds=max_minds)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the engine thread; a save it is writing is always finished first, however long it takes."""
        self._controller.stop()
        self._thread.join(timeout)
        while self._thread.alive and self._thread.saving:
            self._thread.join(0.05)
        if not self._thread.alive and self._session is not None:
            self._session.close()  # the working copy of the memories goes with the session
            self._session = None

    @property
    def saving(self) -> bool:
        """A save is being written right now (the window waits for it before quitting)."""
        return self._thread.saving

    def submit(self, command: Command) -> int:
        self._inbox.put(command)
        self._controller.poke()
        return command.id

    @property
    def outside(self) -> Exchange:
        """Where decision points of people driven from outside come out (any thread may read it;
        its listeners are called on the engine thread and must not block). Programs' answers go in
        through its ``hand_in``, the player's as ``AnswerDecision`` commands; ``DriveFromOutside``
        hands a person over."""
        return self._sim.outside.exchange

    def latest_snapshot(self) -> WorldSnapshot | None:
        return self._outbox.latest()

    def read_only(self, parts: Iterable[str]) -> None:
        """The reader shows only these of the snapshot's costly parts now (``COSTLY_PARTS``: "relationships",
        "society"). While running, the engine leaves the others as it last built them; paused, it builds them
        all. Until this is called every part is read."""
        self._outbox.read_only(parts)

    def drain_events(self, limit: int | None = None) -> list[Event]:
        return self._outbox.drain(limit)

    @property
    def alive(self) -> bool:
        return self._thread.alive

    @property
    def failure(self) -> BaseException | None:
        return self._thread.error

    @property
    def checkpoint_holds_ms(self) -> list[tuple[float, float]]:
        """How long each of the last periodic checkpoints held the engine thread: (wall ms, its CPU ms)."""
        return list(self._thread.checkpoint_holds)

    def pause_and_wait(self, timeout: float = 5.0) -> None:
        """Pause and wait until the engine has acknowledged (for tests and shutdown)."""
        command = Pause()
        self.submit(command)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive:
            snapshot = self.latest_snapshot()
            if snapshot is not None and not snapshot.running:
                return
            time.sleep(0.01)


def import_personas(world: World, folder: str | Path, replace: bool = False) -> list[str]:
    """Add the Generative Agents personas found under ``folder``; returns their names. A persona named like
    a resident who did not come from a persona file is refused unless ``replace``."""
    personas = find_personas(folder)
    ids = _import_personas(world, personas, replace)
    if world.sim_state:  # keep the saved running state in step with the new ties
        state = state_codec.decode(world.sim_state)
        state["relationships"] = world.relationships.get_state()
        world.sim_state = state_codec.encode(state)
    return [world.people[i].name for i in ids]


def normalise_host(text: str) -> str:
    """A model server address as Townsfolk will use it (raises ValueError, with why, if it is not one)."""
    return _normalise_host(text)


def host_problem(text: str) -> str | None:
    """Why ``text`` is not a model server address, in words (for the settings dialog); None if it is one."""
    return _host_problem(text)


def host_kind(text: str) -> str:
    """"openai" for an OpenAI-compatible address (ending in /v1, or openai+...), else "ollama"."""
    return _host_kind(text)


def probe_llm(config: LLMConfig) -> Health:
    """Ask the configured server(s) how they are and which models they have (blocks: call off the GUI thread).

    For the settings dialog and Help > LLM status: ``Health.state`` is ready, no_server, no_model or
    degraded; ``message`` says what to do; ``models`` lists what ``/api/tags`` (or ``/v1/models``) offers.
    """
    backend = make_backend(config)
    if backend is None:
        return Health(LLMHealth.OFF, "Thinking is off: people live on the built-in rule brain.")
    try:
        return backend.health()
    finally:
        backend.close()


def save_world(world: World, path: str | Path, memory: MemoryStore | None = None) -> None:
    """Save the world file and, with ``memory``, its memories beside it, as one unit (see ``world_save``)."""
    save_pair(world, memory, path)


def remove_world(path: str | Path) -> None:
    """Delete a world file and its memories (for the app's recovery copies; never asks)."""
    remove_pair(path)


def import_tiled(path: str | Path, agents: int | None = None, seed: int = 0, name: str | None = None) -> World:
    """A new world from a Tiled map (layer conventions in ``engine.world.tiled``); refused (TiledError,
    naming the map) when the town it makes could not run."""
    world = _import_tiled(path, agents, seed, name)
    problems = world_problems(world)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise TiledError(f"{path}: the map makes a town that cannot run: {problems[0]}{more}")
    return world


def export_tiled(world: World, path: str | Path) -> None:
    """The world's terrain, buildings and districts as a Tiled map (.tmj) with its tileset image beside it."""
    _export_tiled(world, path)


def edit_from_json(text: str) -> Edit:
    """The edit an ``EditApplied.inverse`` (or a console line) describes, ready to submit."""
    return edit_codec.from_json(text)


def edit_to_json(edit: Edit) -> str:
    return edit_codec.to_json(edit)


def suggest_name(taken: set[str], seed: int = 0) -> str:
    """A plausible full name from the town's name lists that nobody in ``taken`` has; the same
    seed and names give the same answer (a numbered name once every pair is taken)."""
    import random

    from engine.state.sexes import names_for
    from engine.world.names import SURNAMES

    first_names = names_for(Sex.UNSPECIFIED)
    rng = random.Random(seed)
    for _ in range(64):
        name = f"{rng.choice(first_names)} {rng.choice(SURNAMES)}"
        if name not in taken:
            return name
    number = 2
    while f"{name} {number}" in taken:
        number += 1
    return f"{name} {number}"


def timeline_info(world: World) -> dict[str, Any]:
    """Branches and checkpoints, for `townsfolk checkpoints` and scripts."""
    clock = Clock(world.tick_seconds, world.start_minute)
    info = world.timeline.describe()
    for checkpoint in info["checkpoints"]:
        checkpoint["sim_time"] = clock.text(checkpoint["tick"])
    info["tick"] = world.tick
    return info


def replay(world: World, to_tick: int, world_path: str | Path | None = None) -> dict[str, object]:
    """Go to ``to_tick`` of the current branch by restoring a checkpoint and replaying the record.

    No model is called: recorded answers are used. Returns the state hash reached and,
    when a checkpoint was taken at that very tick live, the hash recorded then.
    """
    with looking_back(world, world_path) as (sim, machine):
        result: SeekResult = machine.seek(to_tick)
    recorded = [c.state_hash for c in world.timeline.line_checkpoints() if c.tick == to_tick]
    return {
        "tick": sim.tick,
        "sim_time": sim.clock.text(sim.tick),
        "state_hash": sim.state_hash(),
        "recorded_hash": recorded[-1] if recorded else None,
        "branch": world.timeline.current,
        "from_checkpoint": result.checkpoint_tick,
        "replayed_ticks": result.replayed,
        "seconds": round(result.seconds, 4),
    }


def new_world(agents: int, seed: int = 0, template: str = "city", name: str | None = None) -> World:
    return generate(agents, seed, template, name)


def open_world(
    path: str | Path, with_history: bool = True, progress: Callable[[float, str], None] | None = None
) -> World:
    """Open a world file; ``progress(fraction, what)`` reports how far loading got (on the calling thread).

    A world that ``check_world_file`` would find problems in is refused (``WorldFileError``, naming the
    file and the first problem): what opens, runs.
    """
    world = load_world(path, with_history, progress)
    problems = world_problems(world)
    if problems:
        more = f" (and {len(problems) - 1} more: 'townsfolk check' lists them)" if len(problems) > 1 else ""
        raise WorldFileError(path, problems[0] + more)
    return world


def check_world_file(path: str | Path) -> tuple[World, list[str]]:
    """The world in ``path`` and every problem that would stop it opening or running (``WorldFileError``
    when it cannot be read at all). The same checks as ``open_world``."""
    world = load_world(path, with_history=True)
    return world, world_problems(world)


def check_world(world: World) -> list[str]:
    """Every problem that would stop ``world`` running, its saved engine state included."""
    return world_problems(world)


def world_info(world: World) -> dict[str, Any]:
    clock = Clock(world.tick_seconds, world.start_minute)
    city = world.city
    return {
        "name": city.name,
        "agents": sum(1 for p in world.people if not p.removed),
        "people": [p.name for p in world.people if not p.removed],
        "buildings": len(city.standing),
        "building_types": _count(b.type.label for b in city.standing),
        "districts": [d.name for d in city.districts],
        "neighbourhoods": len(city.neighbourhoods),
        "map": {"width": city.width, "height": city.height},
        "relationships": len(world.relationships),
        "schema_version": SCHEMA_VERSION,
        "tick": world.tick,
        "sim_time": clock.text(world.tick),
        "events": len(world.history),
        "seed": world.seed,
        "plugins": {name: entry.get("version", "") for name, entry in recorded(world.meta).items()},
    }


def _count(items: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return dict(sorted(counts.items()))


@dataclass
class RunSummary:
    ticks: int
    sim_time: str
    agents: int
    events: int
    conversations: int
    state_hash: str
    ticks_per_sec: float
    metrics: dict[str, float]
    llm: dict[str, object] | None = None
    memory: MemoryStore | None = field(default=None, repr=False)  # the run's memories, for save_world
    # The reports below are JSON-ready (the CLI prints them as they are); readers take the keys they know.
    economy: dict[str, Any] = field(default_factory=dict)  # gdp, gini, transactions, ...
    governance: dict[str, Any] = field(default_factory=dict)  # proposals, votes, policies, ...
    social: dict[str, Any] = field(default_factory=dict)  # density, communities, ...
    word_of_mouth: dict[str, Any] | None = None  # with seeded facts: diffusion, density before/after, attendance
    plugins: dict[str, Any] | None = None  # with plugins: active, missing, switched_off, metrics, each one's report
    warnings: list[str] = field(default_factory=list)  # one line each: what was wrong with the files, what happened

    def as_dict(self) -> dict[str, object]:
        data = {k: v for k, v in vars(self).items() if k not in ("memory", "warnings")}
        for optional in ("llm", "word_of_mouth", "plugins"):
            if data[optional] is None:
                data.pop(optional)
        if self.word_of_mouth is not None:  # the experiment's numbers also at the top, where scripts look first
            data.update({key: self.word_of_mouth[key] for key in ("diffusion", "density", "attendance")})
        return data


def find_person(world: World, who: str) -> int:
    """A person by id, full name or first name (case-insensitive); ValueError, with why, if none or several."""
    people = [p for p in world.people if not p.removed]
    if who.strip().isdigit():
        pid = int(who)
        if any(p.id == pid for p in people):
            return pid
        raise ValueError(f"there is no person {pid}")
    wanted = who.strip().lower()
    exact = [p.id for p in people if p.name.lower() == wanted]
    first = [p.id for p in people if p.first_name.lower() == wanted]
    found = exact or first
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValueError(f"nobody called {who!r} lives in {world.city.name}")
    names = ", ".join(world.people[i].name for i in found[:5])
    raise ValueError(f"{who!r} could be {names}: use the full name")


def run_headless(
    world: World, ticks: int, seed: int | None = None, keep_history: bool = True, llm: LLMConfig | None = None,
    world_path: str | Path | None = None, embedder: str | None = None, max_minds: int = DEFAULT_MAX_MINDS,
    checkpoint_minutes: float = DEFAULT_EVERY_MINUTES, from_tick: int | None = None,
    seed_facts: Sequence[tuple[str, str]] = (), on_warning: Callable[[str], None] | None = None,
    plugins: Sequence[str] = (), plugin_settings: dict[str, dict[str, Any]] | None = None,
    pace: str = "lockstep", speed: float = 1.0, on_progress: Callable[[str], None] | None = None,
    progress_every: float | None = None,
) -> RunSummary:
    """Run ``ticks`` ticks on this thread; the world (and its history) ends up advanced.

    With a language model (``llm.brain`` other than "rule") people think in lockstep, so
    the run is reproducible given the same answers; their memories live in a private copy
    (``RunSummary.memory``) that ``save_world(..., memory=...)`` writes beside the file.
    Checkpoints are taken every ``checkpoint_minutes`` sim minutes (0: none). ``from_tick``
    first goes back to that tick of the current branch and continues on a new branch.
    ``seed_facts`` — (person, words) pairs — are planted at the start, as the god-mode edit
    ``SeedFact`` (so a replay plants them too), and their spread is reported. ``on_warning`` hears
    each problem with the world's files at once (also kept in ``RunSummary.warnings``). ``plugins`` are switched
    on in the world first (with ``plugin_settings`` by name); ValueError when one is not installed or broken.
    ``pace``: with a model, "lockstep" (answers applied a few sim minutes after they were asked, waiting
    if need be: reproducible) or "live" (``speed`` sim minutes per wall second; nothing waits for the
    model). ``on_progress`` hears a progress line now and then (sim time, calls, tokens/s, expected end).
    ``progress_every`` sets the wall seconds between those lines (default 5; a shorter run hears none).
    """
    if ticks < 0:
        raise ValueError("ticks cannot be negative")
    if plugins or plugin_settings:
        problems = use_plugins(world, [*plugins, *(n for n in plugin_settings or {} if n not in plugins)],
                               plugin_settings)
        if problems:
            raise ValueError(problems[0])
    sim = Simulation(world, seed, record_history=keep_history)
    cognition = None
    memory = None
    warnings: list[str] = sim.plugins.messages()
    for warning in warnings:
        if on_warning is not None:
            on_warning(warning)
    if (llm is not None and llm.brain != "rule") or sim.pending_cognition_state is not None:
        session = open_session(world, world_path, embedder, llm)  # its working copy goes with the store
        memory = session.store
        if session.warning:
            warnings.append(session.warning)
            if on_warning is not None:
                on_warning(session.warning)
        thinking = llm is not None and llm.brain != "rule"
        latency = sim.clock.ticks_for(LOCKSTEP_LATENCY_MINUTES) if thinking else 1
        cognition = attach_cognition(sim, llm or LLMConfig(), memory, mode=pace if thinking else "lockstep",
                                     max_minds=max_minds, latency_ticks=latency)
    pacer = Pace(pace if cognition is not None else "lockstep", speed, sim.clock.tick_seconds)
    progress = None
    if on_progress is not None:
        progress = RunProgress(ticks, on_progress) if progress_every is None else \
            RunProgress(ticks, on_progress, every_s=progress_every)
    machine = TimeMachine(sim, memory, every_minutes=checkpoint_minutes) if checkpoint_minutes > 0 else None
    if machine is not None and from_tick is not None:
        machine.seek(from_tick)
        machine.before_change()
    facts = [_make_edit(sim, machine, SeedFact(agent=find_person(world, who), text=text)) for who, text in seed_facts]
    seeded = [fact.fact_id for fact in facts if isinstance(fact, SeedFact)]  # as applied: each has its fact id
    tracker = Diffusion(sim, seeded) if facts else None
    events = 0
    conversations_before = sim.metrics.conversations
    llm_before = cognition.status().stats if cognition is not None else {}
    started = time.perf_counter()
    collector.settle()  # as the engine thread does: the world is not walked again by every full collection
    try:
        for index in range(ticks):
            pacer.before_tick(index)
            events += len(sim.step())
            if progress is not None:
                progress.after_tick(index + 1, sim.clock.text(sim.tick),
                                    cognition.status().stats if cognition is not None else {})
            if machine is not None and machine.after_step() is not None:
                collector.settle()
            if tracker is not None:
                tracker.after_step()
        if machine is not None and ticks:
            machine.checkpoint("end")  # so a later replay can prove it reaches this exact state
    finally:
        collector.release()
        if cognition is not None:
            cognition.close()
    elapsed = time.perf_counter() - started
    sim.freeze()
    llm_report = None
    if cognition is not None:
        status = cognition.status()
        this_run = {key: value - llm_before.get(key, 0) for key, value in status.stats.items()}
        llm_report = {**this_run, "state": status.state, "message": status.message, **cognition.thinking_report()}
    return RunSummary(
        ticks=ticks,
        sim_time=sim.clock.text(sim.tick),
        agents=len(world.people),
        events=events,
        conversations=sim.metrics.conversations - conversations_before,
        state_hash=sim.state_hash(),
        ticks_per_sec=round(ticks / elapsed, 1) if elapsed > 0 else 0.0,
        metrics=dict(sim.metrics.latest),
        llm=llm_report,
        memory=memory,
        **sim.society.summary(),
        word_of_mouth=tracker.report() if tracker is not None else None,
        plugins=sim.plugins.summary() if sim.plugins.record else None,
        warnings=[*warnings, *(m for m in sim.plugins.off.values() if m not in warnings)],
    )


def _make_edit(sim: Simulation, machine: TimeMachine | None, edit: Edit) -> Edit:
    """Apply a god-mode edit the way the engine thread does: logged, so replays make it again."""
    if machine is not None:
        machine.checkpoint("edit")
    (_summary, inverse, applied), extra = apply_edit(sim, edit)
    made = EditMade(sim.tick, edit_codec.to_json(applied), edit_codec.to_json(inverse) if inverse else "")
    sim.world.record([made, *extra], [], sim.tick)
    if machine is not None:
        machine.note_edit(made)
    return applied


# -- plugins ---------------------------------------------------------------------------------------


def plugins_info(registry: Registry | None = None) -> list[dict[str, Any]]:
    """Every installed plugin: name, version, ok, error, what it adds (``townsfolk plugins --json``)."""
    return (registry or installed()).describe()


def use_plugins(world: World, names: Sequence[str], settings: dict[str, dict[str, Any]] | None = None,
                registry: Registry | None = None) -> list[str]:
    """Switch plugins on in ``world`` (from its next run); returns what is wrong with any of them, in words."""
    return _use_plugins(world.meta, list(names), registry, settings)


def drop_plugins(world: World, names: Sequence[str]) -> None:
    """``world`` no longer uses these plugins (from its next run)."""
    _drop_plugins(world.meta, list(names))


def world_plugins(world: World) -> dict[str, dict[str, Any]]:
    """The plugins ``world`` records using: {name: {"version", "adds", "settings"?}}."""
    return recorded(world.meta)


def plugin_warnings(world: World, registry: Registry | None = None) -> list[str]:
    """One line for each plugin ``world`` uses that cannot run here, saying what will be left out."""
    registry = registry or installed()
    out = []
    for name, entry in recorded(world.meta).items():
        if registry.working(name) is None:
            known = registry.records.get(name)
            why = known.error if known is not None and known.error else "it is not installed"
            adds = ", ".join(entry.get("adds") or ()) or "what it added"
            out.append(f"this world uses plugin '{name}' {entry.get('version', '')}".rstrip()
                       + f", but {why}: left out: {adds}")
    return out


def scenarios(registry: Registry | None = None) -> list[dict[str, Any]]:
    """Every installed plugin's scenarios: key, title, description, goals, plugin."""
    return _scenarios(registry)


def new_scenario_world(key: str, seed: int = 0, registry: Registry | None = None) -> World:
    """A new world from an installed plugin's scenario, its set-up edits made and logged (replays make them)."""
    return _new_scenario_world(key, seed, registry)


def collect_garbage_on_this_thread_only() -> None:
    """For a process with a Qt window, from its GUI thread: garbage holding Qt objects is then only ever
    collected there (the engine thread's collection would destroy them off the GUI thread and deadlock).
    The caller must call ``tend_garbage_collection`` every few hundred milliseconds."""
    collector.collect_on_this_thread_only()


def tend_garbage_collection() -> None:
    """The collections the engine asked for and automatic ones would do (see ``collect_on_this_thread_only``)."""
    collector.tend()
