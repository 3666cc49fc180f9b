"""The run matrix: worlds x seeds x settings x replications, one plan per run.

A plan is plain JSON-ready data, so it crosses to a worker process or a Ray node
as it is and is written into the manifest to reproduce the run. Its id is a hash of
what it runs, so it stays the same when the spec grows and a resumed experiment
finds the runs it already has.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.experiments.spec import ExperimentSpec, Interview

REPLICATION_STRIDE = 1_000_003  # replication r of seed s runs on seed s + r * this (r = 0: the seed itself)


@dataclass(frozen=True)
class RunPlan:
    run_id: str
    index: int
    world: str
    world_sha256: str
    seed: int
    replication: int
    run_seed: int
    sim_hours: float
    checkpoint_minutes: float
    settings: dict[str, Any]
    swept: dict[str, Any]
    interviews: list[dict[str, Any]] = field(default_factory=list)
    save_world: str | None = None  # where the run's world is written (None: not kept)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> RunPlan:
        return RunPlan(**data)


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_matrix(spec: ExperimentSpec, worlds_dir: str | None = None) -> list[RunPlan]:
    """Every run of ``spec`` in a fixed order; ``worlds_dir``: where each run keeps its world."""
    hashes = {str(w): file_sha256(str(w)) for w in spec.worlds}
    interviews = [_interview_dict(i) for i in spec.interviews]
    plans: list[RunPlan] = []
    for world in spec.worlds:
        for settings in spec.combinations():
            swept = {name: settings[name] for name in sorted(spec.sweep)}
            for seed in spec.seeds:
                for replication in range(spec.replications):
                    run_seed = seed + replication * REPLICATION_STRIDE
                    key = json.dumps([hashes[str(world)], run_seed, spec.sim_hours, spec.checkpoint_minutes,
                                      settings, interviews], sort_keys=True)
                    run_id = hashlib.sha256(key.encode()).hexdigest()[:12]
                    saved = f"{worlds_dir}/{run_id}.town" if worlds_dir and spec.save_worlds else None
                    plans.append(RunPlan(run_id, len(plans), str(world), hashes[str(world)], seed, replication,
                                         run_seed, spec.sim_hours, spec.checkpoint_minutes, settings, swept,
                                         interviews, saved))
    return plans


def _interview_dict(interview: Interview) -> dict[str, Any]:
    who = list(interview.who) if isinstance(interview.who, tuple) else interview.who
    scale = list(interview.scale) if interview.scale else None
    return {"at_hour": interview.at_hour, "question": interview.question, "who": who, "scale": scale}
