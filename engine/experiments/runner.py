"""Running an experiment's matrix: in this process, in worker processes, or on a Ray cluster.

Each finished run is written to ``DIR/runs/`` at once, so an experiment stopped at any
moment resumes with the runs it lacks (a failed run is tried again; one that finished is
not). The tables and the manifest are written at the end, and also when it is stopped.
Ray is imported only when asked for: it takes seconds to import.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.experiments import results
from engine.experiments.matrix import RunPlan, build_matrix
from engine.experiments.run import execute
from engine.experiments.spec import ExperimentSpec


@dataclass(frozen=True)
class Progress:
    done: int  # runs finished, those found from before included
    total: int
    failed: int
    skipped: int  # finished before this start (resumed)
    latest: str = ""  # the run just finished: "RUN_ID ok" or "RUN_ID failed: why"


@dataclass(frozen=True)
class ExperimentReport:
    out: str
    total: int
    ok: int
    failed: int
    skipped: int
    ran: int
    stopped: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


OnProgress = Callable[[Progress], None]
ShouldStop = Callable[[], bool]


def plan(spec: ExperimentSpec, out: str | Path) -> list[RunPlan]:
    return build_matrix(spec, str(Path(out).resolve() / "worlds"))


def run_experiment(spec: ExperimentSpec, out: str | Path, workers: int = 1, ray: str | None = None,
                   on_progress: OnProgress | None = None, should_stop: ShouldStop | None = None) -> ExperimentReport:
    """Run every run of ``spec`` that ``out`` lacks; ``ray``: "local" (a Ray of ``workers`` CPUs here),
    "auto" (the cluster this machine is in) or a cluster's address."""
    if ray is not None and importlib.util.find_spec("ray") is None:
        # Before any run starts, so nothing is half done. The double-click app leaves Ray out: its
        # workers need a Python interpreter beside them, which a frozen app does not have.
        raise ValueError("running on Ray needs Ray installed (pip install 'townsfolk[cluster]'); "
                         "without it, use worker processes here (--workers N)")
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    plans = plan(spec, out)
    finished = {run_id for run_id, r in results.load_runs(out).items() if r.get("status") == "ok"}
    todo = [p for p in plans if p.run_id not in finished]
    skipped = len(plans) - len(todo)
    failed = 0
    done = skipped
    report = on_progress or (lambda _p: None)
    report(Progress(done, len(plans), failed, skipped))
    stopped = False
    try:
        for result in _results(todo, workers, ray, should_stop):
            results.save_run(out, result)
            done += 1
            ok = result["status"] == "ok"
            failed += 0 if ok else 1
            latest = f"{result['run_id']} ok" if ok else f"{result['run_id']} failed: {result['error']}"
            report(Progress(done, len(plans), failed, skipped, latest))
        stopped = done < len(plans)
    finally:
        counts = results.write_results(spec, plans, out)  # what there is, even when interrupted
    return ExperimentReport(str(out), len(plans), counts["ok"], counts["failed"], skipped, done - skipped, stopped)


def _results(todo: list[RunPlan], workers: int, ray: str | None,
             should_stop: ShouldStop | None) -> Iterator[dict[str, Any]]:
    if ray is not None:
        yield from _on_ray(todo, ray, workers, should_stop)
    elif workers <= 1:
        for item in todo:
            if should_stop is not None and should_stop():
                return
            yield execute(item.as_dict())
    else:
        yield from _in_processes(todo, workers, should_stop)


def start_method() -> str:
    """How worker processes start. A fork is ready at once, with the engine already imported (seconds
    saved per worker, which matter when runs are short); but forking a process with other threads (the
    window's engine and Qt threads) can copy a lock held mid-way, so then each worker is spawned afresh."""
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


def _in_processes(todo: list[RunPlan], workers: int, should_stop: ShouldStop | None) -> Iterator[dict[str, Any]]:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(start_method()))
    waiting = list(reversed(todo))
    running: dict[Future[dict[str, Any]], RunPlan] = {}
    try:
        while waiting or running:
            while waiting and len(running) < workers * 2 and not (should_stop is not None and should_stop()):
                item = waiting.pop()
                try:
                    running[pool.submit(execute, item.as_dict())] = item
                except BrokenProcessPool as exc:  # a worker died (killed, out of memory): the rest cannot start
                    for lost in (item, *reversed(waiting)):
                        yield _lost(lost, exc)
                    waiting.clear()
            if not running:
                return
            finished, _ = wait(list(running), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                yield _outcome(future, item)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _outcome(future: Future[dict[str, Any]], item: RunPlan) -> dict[str, Any]:
    """A worker's result, or the run recorded as failed when its worker died."""
    try:
        return future.result()
    except Exception as exc:
        return _lost(item, exc)


def _lost(item: RunPlan, exc: BaseException) -> dict[str, Any]:
    return {"run_id": item.run_id, "status": "failed", "error": f"the worker was lost ({type(exc).__name__}: {exc})",
            "hours": [], "answers": [], "summary": {}, "state_hash": ""}


def _on_ray(todo: list[RunPlan], address: str, workers: int,
            should_stop: ShouldStop | None) -> Iterator[dict[str, Any]]:
    import ray  # slow to import: only for experiments that ask for it

    if not ray.is_initialized():
        if address == "local":
            ray.init(num_cpus=max(1, workers), include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    remote = ray.remote(execute)
    running = {remote.remote(item.as_dict()): item for item in todo}
    try:
        while running:
            if should_stop is not None and should_stop():
                return
            ready, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
            for ref in ready:
                item = running.pop(ref)
                try:
                    yield ray.get(ref)
                except Exception as exc:  # the task or its node died
                    yield _lost(item, exc)
    finally:
        for ref in running:
            ray.cancel(ref, force=True)
