"""One run of an experiment, headless, from its plan to its numbers.

The same plan always gives the same run: the world file is checked against the hash it
was planned with, the settings are made as logged god-mode edits before the first tick
(so the saved world's history replays them), and people think in lockstep. A run that
fails returns its error instead of raising, so the others go on.
"""

from __future__ import annotations

import json
import time
import traceback
from pathlib import Path
from typing import Any

from engine.contracts.edits import Edit, EditPerson, SeedFact, SetPolicy
from engine.contracts.events import EditMade, Event
from engine.edits import codec as edit_codec
from engine.edits.apply import apply as apply_edit
from engine.edits.scenarios import new_scenario_world
from engine.experiments import interviews
from engine.experiments.matrix import RunPlan, file_sha256
from engine.llm.backend import LLMConfig
from engine.memory.types import MemoryStore
from engine.persistence.memory_session import SessionMemory, open_session
from engine.persistence.world_file import load_world
from engine.persistence.world_save import save_pair
from engine.plugins import use as use_plugins
from engine.runtime.minds import DEFAULT_MAX_MINDS, attach_cognition
from engine.sim.diffusion import Diffusion
from engine.sim.metrics import Metrics
from engine.sim.simulation import Simulation
from engine.state.person import TRAIT_NAMES
from engine.state.world import World
from engine.timeline.machine import TimeMachine


class RunFailed(Exception):
    pass


def execute(plan_data: dict[str, Any]) -> dict[str, Any]:
    """Run one plan (a ``RunPlan.as_dict()``); returns its result, with ``status`` "ok" or "failed"."""
    plan = RunPlan.from_dict(plan_data)
    started = time.perf_counter()
    try:
        result = _run(plan)
        result.update(status="ok", error="")
    except Exception as exc:  # recorded with the run; the experiment goes on
        line = str(exc).splitlines()[0][:300] if str(exc).strip() else ""
        result = {"status": "failed", "error": f"{type(exc).__name__}: {line}" if line else type(exc).__name__,
                  "traceback": traceback.format_exc(limit=8), "hours": [], "answers": [], "summary": {},
                  "state_hash": ""}
    result.update(run_id=plan.run_id, seconds=round(time.perf_counter() - started, 3))
    return result


def llm_config(settings: dict[str, Any]) -> LLMConfig:
    return LLMConfig(brain=settings.get("brain", "rule"), hosts=tuple(settings.get("hosts", ())),
                     model=settings.get("model", "llama3.2"), budget_per_hour=int(settings.get("budget", 600)))


class RunSession:
    """A world's simulation with its time machine and minds, and the edits that change it, logged."""

    def __init__(self, world: World, world_path: Path | None, seed: int | None, llm: LLMConfig, minds: bool,
                 max_minds: int = DEFAULT_MAX_MINDS, checkpoint_minutes: float = 60.0):
        self.world = world
        self.sim = Simulation(world, seed, record_history=True)
        self.llm = llm
        self.session: SessionMemory | None = None
        self.memory: MemoryStore | None = None
        if minds or llm.brain != "rule" or self.sim.pending_cognition_state is not None:
            self.session = open_session(world, world_path, None, llm)
            self.memory = self.session.store
            attach_cognition(self.sim, llm, self.memory, mode="lockstep", max_minds=max_minds)
        every = checkpoint_minutes
        self.machine = TimeMachine(self.sim, self.memory, every_minutes=every) if every > 0 else None
        self._checkpointed_at = -1
        self.last_applied: Edit | None = None

    def apply(self, edit: Edit) -> list[Event]:
        """A god-mode edit as the engine thread makes it: logged, so a replay makes it again."""
        if self.machine is not None and self._checkpointed_at != self.sim.tick:
            self.machine.checkpoint("edit")  # once before a tick's edits: going back undoes them together
            self._checkpointed_at = self.sim.tick
        (_summary, _inverse, applied), extra = apply_edit(self.sim, edit)
        made = EditMade(self.sim.tick, edit_codec.to_json(applied), "")
        self.sim.world.record([made, *extra], [], self.sim.tick)
        if self.machine is not None:
            self.machine.note_edit(made)
        self.last_applied = applied
        return list(extra)

    def step(self) -> list[Event]:
        events = self.sim.step()
        if self.machine is not None:
            self.machine.after_step()
        return events

    def close(self) -> None:
        if self.sim.cognition is not None:
            self.sim.cognition.close()
        if self.session is not None:
            self.session.close()


def _run(plan: RunPlan) -> dict[str, Any]:
    world_path = Path(plan.world)
    if not world_path.is_file():
        raise RunFailed(f"{world_path}: the world file is missing on this machine")
    if file_sha256(str(world_path)) != plan.world_sha256:
        raise RunFailed(f"{world_path}: the world file changed since the experiment was planned")
    settings = plan.settings
    run = RunSession(_world_for(world_path, settings, plan.run_seed), world_path, plan.run_seed, llm_config(settings), bool(plan.interviews),
                     int(settings.get("minds", DEFAULT_MAX_MINDS)), plan.checkpoint_minutes)
    try:
        return _drive(run, plan)
    finally:
        run.close()


def _drive(run: RunSession, plan: RunPlan) -> dict[str, Any]:
    sim = run.sim
    facts = _set_up(run, plan.settings)
    tracker = Diffusion(sim, facts) if facts else None
    ticks = round(plan.sim_hours * 3600 / sim.world.tick_seconds)
    start = sim.tick
    pending = sorted(plan.interviews, key=lambda i: i["at_hour"])
    hours = [_hour_row(sim, 0, facts)]
    answers: list[dict[str, Any]] = []
    ticks_per_hour = 3600 / sim.world.tick_seconds
    for done in range(1, ticks + 1):
        run.step()
        if tracker is not None:
            tracker.after_step()
        if done % ticks_per_hour == 0 or done == ticks:
            hours.append(_hour_row(sim, round(done / ticks_per_hour, 3), facts))
        while pending and done >= pending[0]["at_hour"] * ticks_per_hour:
            answers.extend(_ask(run, pending.pop(0), plan))
    while pending:  # asked at the very end
        answers.extend(_ask(run, pending.pop(0), plan))
    if run.machine is not None and sim.tick > start:
        run.machine.checkpoint("end")
    state_hash = sim.state_hash()
    summary = _summary(sim, tracker)
    summary.update(_survey_means(plan, answers))
    if plan.save_world:
        Path(plan.save_world).parent.mkdir(parents=True, exist_ok=True)
        save_pair(sim.world, run.memory, plan.save_world)
    return {"state_hash": state_hash, "tick": sim.tick, "sim_time": sim.clock.text(sim.tick), "hours": hours,
            "answers": answers, "summary": summary}


def _set_up(run: RunSession, settings: dict[str, Any]) -> list[int]:
    """Make the run's settings as edits before its first tick; returns the ids of the facts seeded."""
    sim = run.sim
    districts = {d.name.lower(): d.id for d in sim.city.districts}
    for name, value in sorted(settings.items()):
        if name.startswith("policy."):
            policy, _, district = name.removeprefix("policy.").partition("@")
            if district and district.lower() not in districts:
                raise RunFailed(f"there is no district '{district}' in {sim.city.name}")
            targets = [districts[district.lower()]] if district else [d.id for d in sim.city.districts]
            for target in targets:
                run.apply(SetPolicy(district=target, policy=policy, value=float(value)))
        elif name.startswith("trait."):
            _who, trait = name.removeprefix("trait.").rsplit(".", 1)
            people = ([p.id for p in sim.people if not p.removed] if _who.lower() == "everyone"
                      else interviews.choose(sim, [_who]))
            index = TRAIT_NAMES.index(trait)
            for person in people:
                traits = list(sim.people[person].traits)
                traits[index] = float(value)
                run.apply(EditPerson(agent=person, traits=(traits[0], traits[1], traits[2], traits[3], traits[4])))
    seeded = []
    for who, text in settings.get("facts", []):
        person = interviews.choose(sim, [who])[0]
        run.apply(SeedFact(agent=person, text=text))
        applied = run.last_applied
        assert isinstance(applied, SeedFact)  # as logged: with the id the engine gave the fact
        seeded.append(applied.fact_id)
    return seeded


def _world_for(world_path: Path, settings: dict[str, Any], seed: int | None) -> World:
    """The run's world: its scenario's (made afresh from the run's seed) or the spec's file, with the plugins
    its ``plugin.NAME.KEY`` settings name switched on with those settings before the first tick."""
    scenario = settings.get("scenario")
    try:
        world = new_scenario_world(str(scenario), seed or 0) if scenario else load_world(world_path)
    except ValueError as error:  # no such scenario, or it could not be set up here
        raise RunFailed(f"scenario '{scenario}': {error}") from None
    plugin_settings: dict[str, dict[str, Any]] = {}
    for name, value in settings.items():
        if name.startswith("plugin."):
            plugin, _, key = name.removeprefix("plugin.").partition(".")
            plugin_settings.setdefault(plugin, {})[key] = value
    if plugin_settings:
        problems = use_plugins(world.meta, list(plugin_settings), settings=plugin_settings)
        if problems:
            raise RunFailed(problems[0])
    return world


def _hour_row(sim: Simulation, hour: float, facts: list[int]) -> dict[str, Any]:
    row: dict[str, Any] = {"hour": hour, "tick": sim.tick, "sim_time": sim.clock.text(sim.tick)}
    latest = sim.metrics.latest
    if not latest:  # a world that never ran has no metrics yet: measure them on a scratch copy, storing nothing
        scratch = Metrics()
        scratch.record(sim.tick, sim.pop, 0, sim.society.metrics)
        latest = {**scratch.latest, "conversations": float(sim.metrics.conversations)}
    row.update(latest)
    row["ties"] = len(sim.ties)
    for number, fact in enumerate(facts):
        row[f"fact{number}_knowers"] = sim.society.grapevine.knowers(fact)
        row[f"fact{number}_share"] = round(sim.society.grapevine.share(fact), 4)
    return row


def _ask(run: RunSession, item: dict[str, Any], plan: RunPlan) -> list[dict[str, Any]]:
    people = interviews.choose(run.sim, item["who"], seed=plan.run_seed)
    scale = tuple(item["scale"]) if item.get("scale") else None
    answers = interviews.interview(run.sim, item["question"], people, run.apply, run.step,
                                   (scale[0], scale[1]) if scale else None)
    return [{**a.as_dict(), "at_hour": item["at_hour"]} for a in answers]


def _survey_means(plan: RunPlan, answers: list[dict[str, Any]]) -> dict[str, float]:
    """Each scaled interview's mean answer, for the run's summary row (``interviewN_mean``)."""
    means = {}
    for number, item in enumerate(plan.interviews):
        scores = [a["score"] for a in answers
                  if a["question"] == item["question"] and a["at_hour"] == item["at_hour"] and a["score"] is not None]
        if item.get("scale") and scores:
            means[f"interview{number}_mean"] = round(sum(scores) / len(scores), 4)
    return means


def _summary(sim: Simulation, tracker: Diffusion | None) -> dict[str, Any]:
    """The run's end in flat numbers: the metrics, the economy, governance and the social network."""
    society = sim.society.summary()
    economy, governance, social = society["economy"], society["governance"], society["social"]
    flat: dict[str, Any] = dict(sim.metrics.latest)
    flat.update({f"economy_{k}": v for k, v in economy.items() if isinstance(v, int | float | bool)})
    flat.update({f"governance_{k}": v for k, v in governance.items() if isinstance(v, int | float)})
    flat["governance_policies"] = json.dumps(governance.get("policies", {}), sort_keys=True)
    flat.update({f"social_{k}": v for k, v in social.items() if isinstance(v, int | float)})
    if tracker is not None:
        report: dict[str, Any] = tracker.report()
        for number, fact in enumerate(report["diffusion"]):
            flat[f"fact{number}_knowers"] = fact["knowers"]
            flat[f"fact{number}_share"] = fact["share"]
        for number, event in enumerate(report["attendance"]):
            flat[f"event{number}_attended"] = event["attended"]
            flat[f"event{number}_meant_to_go"] = event["meant_to_go"]
        density = report["density"]
        assert isinstance(density, dict)
        flat["density_before"], flat["density_after"] = density["before"], density["after"]
    return flat
