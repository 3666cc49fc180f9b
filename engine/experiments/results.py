"""What an experiment leaves in its folder, for people to analyse and to reproduce it.

- ``runs/RUN_ID.json``: one finished run each (written as it finishes, so a stopped
  experiment resumes from them);
- ``runs.parquet``: one row per run per sim hour with every metric, and the run's settings;
- ``summary.csv``: one row per run: how it ended, its settings and its final numbers;
- ``answers.csv``: every interview answer, when the spec asks any;
- ``manifest.json``: versions, the spec, and per run the world file and its hash, seeds,
  models and the state hash reached: what is needed to run any row again.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from engine.experiments.matrix import RunPlan
from engine.experiments.spec import ExperimentSpec

RUN_COLUMNS = ("run_id", "index", "world", "seed", "replication", "run_seed")


def runs_folder(out: Path) -> Path:
    return out / "runs"


def write_json_atomically(path: Path, data: Any) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")
    os.replace(temporary, path)


def save_run(out: Path, result: dict[str, Any]) -> None:
    folder = runs_folder(out)
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomically(folder / f"{result['run_id']}.json", result)


def load_runs(out: Path) -> dict[str, dict[str, Any]]:
    """The runs already finished in ``out`` (a half-written file is not one)."""
    found: dict[str, dict[str, Any]] = {}
    folder = runs_folder(out)
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "run_id" in data:
            found[str(data["run_id"])] = data
    return found


def _cell(value: Any) -> Any:
    """A setting's value as a table cell: lists and tables as JSON text."""
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def _identity(plan: RunPlan) -> dict[str, Any]:
    row = {"run_id": plan.run_id, "index": plan.index, "world": Path(plan.world).name, "seed": plan.seed,
           "replication": plan.replication, "run_seed": plan.run_seed}
    row.update({f"setting.{name}": _cell(value) for name, value in plan.swept.items()})
    return row


def write_results(spec: ExperimentSpec, plans: list[RunPlan], out: Path) -> dict[str, int]:
    """Write the tables and the manifest from every finished run; returns counts of ok, failed, missing."""
    import pyarrow as pa  # only here: workers never need it
    import pyarrow.parquet as pq

    results = load_runs(out)
    hourly: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    counts = {"ok": 0, "failed": 0, "missing": 0}
    for plan in plans:
        result = results.get(plan.run_id)
        identity = _identity(plan)
        if result is None:
            counts["missing"] += 1
            continue
        counts["ok" if result["status"] == "ok" else "failed"] += 1
        for hour in result.get("hours", []):
            hourly.append({**identity, **hour})
        summary.append({**identity, "status": result["status"], "error": result.get("error", ""),
                        "seconds": result.get("seconds"), "state_hash": result.get("state_hash", ""),
                        "tick": result.get("tick"), "sim_time": result.get("sim_time", ""),
                        "saved_world": plan.save_world or "", **result.get("summary", {})})
        answers.extend({**identity, **answer} for answer in result.get("answers", []))
    pq.write_table(pa.Table.from_pylist(_filled(hourly)) if hourly else pa.table({c: [] for c in RUN_COLUMNS}),
                   out / "runs.parquet")
    _write_csv(out / "summary.csv", summary)
    if answers:
        _write_csv(out / "answers.csv", answers)
    write_json_atomically(out / "manifest.json", manifest(spec, plans, results))
    return counts


def _filled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with every column (runs with other facts or settings leave theirs empty)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return [{c: row.get(c) for c in columns} for row in rows]


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    filled = _filled(rows)
    columns = list(filled[0]) if filled else ["run_id"]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(filled)
    os.replace(temporary, path)


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for package in ("townsfolk", "numpy", "scipy", "networkx", "pyarrow", "lancedb", "wordllama", "ollama"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = ""
    return found


def manifest(spec: ExperimentSpec, plans: list[RunPlan], results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    runs = []
    for plan in plans:
        result = results.get(plan.run_id, {})
        settings = plan.settings
        runs.append({
            "plan": plan.as_dict(),
            "status": result.get("status", "not run"), "error": result.get("error", ""),
            "state_hash": result.get("state_hash", ""), "tick": result.get("tick"),
            "brain": settings.get("brain", "rule"), "model": settings.get("model", "") if settings.get("brain", "rule") != "rule" else "",
        })
    return {
        "experiment": spec.name, "description": spec.description, "spec_file": str(spec.path), "spec": spec.raw,
        "written": datetime.now(UTC).isoformat(timespec="seconds"), "versions": versions(),
        "worlds": {plan.world: plan.world_sha256 for plan in plans}, "runs": runs,
    }
