"""An experiment stopped part-way resumes: the runs it finished are not run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine import api
from tests.conftest import ROOT
from tests.experiments.conftest import write_spec


def test_an_interrupted_experiment_resumes_without_running_finished_runs_again(tmp_path: Path) -> None:
    # Two sim days a run: long enough (~0.5 s here) that Ctrl+C lands while runs remain.
    spec = write_spec(tmp_path, "seeds = [1, 2, 3, 4, 5, 6]\nsim_hours = 48\ncheckpoint_minutes = 0\n")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "app", "experiment", str(spec), "--out", str(out), "--quiet"],
                               env=env, stderr=subprocess.PIPE, text=True)
    runs = out / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(runs.glob("*.json")) if runs.is_dir() else []) < 2:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)  # as Ctrl+C does: the run under way ends, no other starts
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    finished = {path.name: path.stat().st_mtime_ns for path in runs.glob("*.json")}
    assert 2 <= len(finished) < 6
    assert (out / "summary.csv").read_text().count("\n") == 1 + len(finished)  # tables of what was done

    report = api.run_experiment(api.load_spec(spec), out)
    assert (report.total, report.ok, report.skipped, report.ran) == (6, 6, len(finished), 6 - len(finished))
    for name, stamp in finished.items():
        assert (runs / name).stat().st_mtime_ns == stamp  # not run (nor written) again
    assert (out / "summary.csv").read_text().count("\n") == 7
