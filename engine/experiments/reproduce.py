"""Running one row of an experiment again from its manifest, to the state it reached."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.experiments.matrix import RunPlan
from engine.experiments.run import execute


def rerun(out: str | Path, run_id: str) -> dict[str, Any]:
    """Run ``run_id`` of the experiment in ``out`` again (its world not kept); returns both state hashes."""
    path = Path(out) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no manifest (has the experiment been run into {out}?)") from None
    except ValueError as exc:
        raise ValueError(f"{path}: not a manifest ({exc})") from None
    found = [run for run in manifest.get("runs", []) if run["plan"]["run_id"].startswith(run_id)]
    if len(found) != 1:
        raise ValueError(f"{path}: {'no run' if not found else 'several runs'} with the id {run_id!r}")
    entry = found[0]
    plan = replace(RunPlan.from_dict(entry["plan"]), save_world=None)
    result = execute(plan.as_dict())
    return {"run_id": plan.run_id, "status": result["status"], "error": result.get("error", ""),
            "recorded_hash": entry.get("state_hash", ""), "state_hash": result.get("state_hash", ""),
            "same": bool(entry.get("state_hash")) and result.get("state_hash") == entry.get("state_hash"),
            "sim_time": result.get("sim_time", ""), "seconds": result.get("seconds")}
