"""An experiment spec run in worker processes and on Ray: its tables, manifest, failures and reruns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from engine import api
from tests.experiments.conftest import SMALL, write_spec

METRICS = ("mean_energy", "mean_hunger", "mean_social", "mean_fun", "conversations", "gdp", "gini", "treasury")


def _summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_parallel_workers_write_every_table(small_spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen: list[api.Progress] = []
    report = api.run_experiment(api.load_spec(small_spec), out, workers=2, on_progress=seen.append)
    assert (report.total, report.ok, report.failed, report.stopped) == (4, 4, 0, False)
    assert [p.done for p in seen] == [0, 1, 2, 3, 4]

    table = pq.read_table(out / "runs.parquet").to_pylist()
    assert len(table) == 4 * 3  # four runs, hours 0, 1 and 2
    assert {row["hour"] for row in table} == {0, 1, 2}
    assert all(row[name] is not None for row in table for name in METRICS)  # hour 0 measured too
    for column in (*METRICS, "run_id", "seed", "setting.policy.tax_rate", "fact0_knowers", "fact0_share", "ties"):
        assert column in table[0], column
    assert {row["setting.policy.tax_rate"] for row in table} == {0.1, 0.3}
    last = [row for row in table if row["hour"] == 2]
    assert all(row["fact0_knowers"] >= 1 for row in last)  # Rosa knows her own party

    rows = _summary(out)
    assert len(rows) == 4 and {r["status"] for r in rows} == {"ok"}
    assert {(r["seed"], r["setting.policy.tax_rate"]) for r in rows} == {("1", "0.1"), ("1", "0.3"), ("2", "0.1"),
                                                                        ("2", "0.3")}
    assert all(r["sim_time"] == "Day 1 Mon 08:00" and len(r["state_hash"]) == 32 for r in rows)
    assert all("income tax 30%" in r["governance_policies"] for r in rows if r["setting.policy.tax_rate"] == "0.3")

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["versions"]["python"] and manifest["versions"]["numpy"]
    world = str((small_spec.parent / "village.town").resolve())
    assert len(manifest["worlds"][world]) == 64  # sha256 of the world file
    assert manifest["spec"]["sweep"] == {"policy.tax_rate": [0.1, 0.3]}
    by_id = {r["run_id"]: r for r in rows}
    for run in manifest["runs"]:
        plan = run["plan"]
        assert run["status"] == "ok" and run["state_hash"] == by_id[plan["run_id"]]["state_hash"]
        assert plan["world_sha256"] == manifest["worlds"][world] and plan["run_seed"] in (1, 2)
        assert plan["settings"]["brain"] == "rule" and Path(plan["save_world"]).is_file()


def test_ray_local_gives_the_same_runs_as_worker_processes(small_spec: Path, tmp_path: Path) -> None:
    import ray

    spec = api.load_spec(small_spec)
    api.run_experiment(spec, tmp_path / "procs", workers=2)
    try:
        report = api.run_experiment(spec, tmp_path / "ray", workers=2, ray="local")
    finally:
        ray.shutdown()
    assert (report.ok, report.failed) == (4, 0)
    hashes = {r["run_id"]: r["state_hash"] for r in _summary(tmp_path / "procs")}
    assert {r["run_id"]: r["state_hash"] for r in _summary(tmp_path / "ray")} == hashes
    assert pq.read_table(tmp_path / "ray" / "runs.parquet").num_rows == 12


def test_ray_asked_for_without_ray_installed_is_one_clear_error_before_any_run(
        small_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real_find_spec(name, *a))
    with pytest.raises(ValueError, match=r"pip install 'townsfolk\[cluster\]'"):
        api.run_experiment(api.load_spec(small_spec), tmp_path / "out", workers=2, ray="local")
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_a_failed_run_is_recorded_and_the_others_go_on(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """
seeds = [1]
sim_hours = 1
[sweep]
facts = [[["Rosa Alvarez", "the bakery is closing"]], [["Nobody Atall", "a rumour"]]]
""")
    out = tmp_path / "out"
    code = _cli(["experiment", str(spec), "--out", str(out), "--quiet"])
    assert code == 1  # some runs failed
    rows = _summary(out)
    assert sorted(r["status"] for r in rows) == ["failed", "ok"]
    failed = next(r for r in rows if r["status"] == "failed")
    assert "Nobody Atall" in failed["error"]
    assert pq.read_table(out / "runs.parquet").num_rows == 2  # the run that went on: hours 0 and 1


def test_rerun_from_the_manifest_reaches_the_same_state(small_spec: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    api.run_experiment(api.load_spec(small_spec), out)
    row = _summary(out)[3]
    assert _cli(["experiment", str(small_spec), "--out", str(out), "--rerun", row["run_id"], "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["same"] and result["state_hash"] == row["state_hash"]
    # The run's kept world opens at any hour: replaying its history reaches the same state.
    world = api.open_world(row["saved_world"])
    assert api.replay(world, int(row["tick"]), row["saved_world"])["state_hash"] == row["state_hash"]


def test_the_run_matrix_and_seeds(tmp_path: Path) -> None:
    spec = api.load_spec(write_spec(tmp_path, SMALL.replace("seeds = [1, 2]", "seeds = [1, 2]\nreplications = 3")))
    plans = api.plan_experiment(spec, tmp_path / "out")
    assert len(plans) == 2 * 2 * 3 and len({p.run_id for p in plans}) == 12
    assert sorted({p.run_seed for p in plans if p.seed == 1}) == [1, 1_000_004, 2_000_007]


@pytest.mark.parametrize(("body", "words"), [
    ("seeds = [1]\n", "'sim_hours' must be a number"),
    ("sim_hours = 1\n[sweep]\n\"policy.tax_rate\" = [0.9]\n", "'policy.tax_rate' = 0.9: income tax must be between"),
    ("sim_hours = 1\n[settings]\nbrains = \"rule\"\n", "unknown setting 'brains'"),
    ("sim_hours = 1\n[settings]\n\"trait.Rosa Alvarez.kindness\" = 0.5\n", "TRAIT one of openness"),
    ("sim_hours = 1\n[[interviews]]\nat_hour = 5\nquestion = \"why?\"\n", "comes after the run ends"),
    ("sim_hours = [1\n", "not valid TOML"),
])
def test_a_bad_spec_is_one_line_naming_the_file(tmp_path: Path, capsys, body: str, words: str) -> None:
    spec = write_spec(tmp_path, body)
    assert _cli(["experiment", str(spec), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(spec) in error and words in error, error


def _cli(argv: list[str]) -> int:
    from app.cli import run_cli

    return run_cli(argv)


def _dies_on_seed_2(plan: dict) -> dict:  # type: ignore[type-arg]
    """A worker that is killed in the middle of one run (as by the OOM killer)."""
    import os

    from engine.experiments.run import execute

    if plan["seed"] == 2:
        os._exit(9)
    return execute(plan)


def test_a_worker_that_dies_is_recorded_and_a_resume_finishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.experiments import runner

    spec = api.load_spec(write_spec(tmp_path, "seeds = [1, 2, 3]\nsim_hours = 1\ncheckpoint_minutes = 0\n"))
    out = tmp_path / "out"
    monkeypatch.setattr(runner, "start_method", lambda: "fork")  # the children see the patched worker function
    monkeypatch.setattr(runner, "execute", _dies_on_seed_2)
    report = api.run_experiment(spec, out, workers=2)
    assert report.failed >= 1 and report.ok + report.failed == 3
    dead = next(r for r in _summary(out) if r["seed"] == "2")
    assert dead["status"] == "failed" and "the worker was lost" in dead["error"]
    monkeypatch.undo()
    again = api.run_experiment(spec, out, workers=2)
    assert (again.ok, again.failed, again.skipped) == (3, 0, report.ok)


def test_plugin_settings_and_a_scenario_reach_the_runs(tmp_path: Path) -> None:
    """``plugin.NAME.KEY`` switches an installed plugin on with that setting; ``scenario`` makes the run's world."""
    body = """
seeds = [1]
sim_hours = 1
checkpoint_minutes = 0

[sweep]
"plugin.market_day.weekday" = [0, 5]
"""
    out = tmp_path / "plugin"
    report = api.run_experiment(api.load_spec(write_spec(tmp_path, body)), out, workers=1)
    assert (report.ok, report.failed) == (2, 0), _summary(out)
    table = pq.read_table(out / "runs.parquet").to_pylist()
    assert all("market_day.price_index" in row for row in table)  # the plugin's metric is measured every hour

    scenario = tmp_path / "scenario"
    scenario.mkdir()
    spec = write_spec(scenario, 'seeds = [3]\nsim_hours = 1\ncheckpoint_minutes = 0\n[settings]\nscenario = "market_town"\n')
    report = api.run_experiment(api.load_spec(spec), scenario / "out", workers=1)
    assert (report.ok, report.failed) == (1, 0), _summary(scenario / "out")

    missing = tmp_path / "missing"
    missing.mkdir()
    spec = write_spec(missing, 'seeds = [3]\nsim_hours = 1\n[settings]\n"plugin.no_such_plugin.x" = 1\n')
    report = api.run_experiment(api.load_spec(spec), missing / "out", workers=1)
    assert report.failed == 1
    assert "no_such_plugin" in _summary(missing / "out")[0]["error"]
