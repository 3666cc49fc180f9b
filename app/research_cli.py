"""The research sub-commands: experiment, ask, compare. `app.cli` registers them.

They print tables for people and, with --json, one JSON object for scripts; a bad spec,
world or name is one line on stderr (``app.cli`` turns the ValueError into it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from app.common.comparison import compare_lines
from engine import api

EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl+C


def add_parsers(sub: argparse._SubParsersAction) -> None:
    experiment = sub.add_parser("experiment", help="run an experiment spec (TOML): worlds x seeds x settings")
    experiment.add_argument("spec", help="the spec file (see experiments/README.md)")
    experiment.add_argument("--out", required=True, metavar="DIR",
                            help="the results folder (runs.parquet, summary.csv, manifest.json); "
                                 "runs already there are not run again")
    experiment.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    experiment.add_argument("--ray", metavar="auto|local|ADDRESS",
                            help="run on Ray: 'auto' (the cluster this machine is in), 'local' (Ray here, "
                                 "--workers CPUs) or a cluster's address")
    experiment.add_argument("--rerun", metavar="RUN_ID",
                            help="run one row of DIR/manifest.json again and compare its state hash")
    experiment.add_argument("--json", action="store_true", help="print one JSON object at the end")
    experiment.add_argument("--quiet", action="store_true", help="no progress bar")

    ask = sub.add_parser("ask", help="interview or survey the people of a world")
    ask.add_argument("world")
    ask.add_argument("question")
    ask.add_argument("--who", action="append", default=[], metavar="WHO",
                     help="'all' (default), 'sample:N', or a person (repeatable)")
    ask.add_argument("--scale", metavar="LOW-HIGH", help="answers on a scale, e.g. 1-5 (default: free text)")
    ask.add_argument("--seed", type=int, default=0, help="which sample is drawn")
    ask.add_argument("--brain", choices=("rule", "ollama", "fake"), default="rule")
    ask.add_argument("--ollama-host", action="append", default=[], metavar="URL")
    ask.add_argument("--model", default="llama3.2")
    ask.add_argument("--save", metavar="OUT", help="save the world afterwards (the talks become memories)")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true")
    output.add_argument("--csv", action="store_true")

    compare = sub.add_parser("compare", help="two branches of a world side by side")
    compare.add_argument("world")
    compare.add_argument("branch_a", help="a branch id or name")
    compare.add_argument("branch_b")
    compare.add_argument("--json", action="store_true")


def _experiment(args: argparse.Namespace) -> int:
    if args.rerun:
        result = api.rerun_experiment(args.out, args.rerun)
        if args.json:
            print(json.dumps(result))
        else:
            verdict = "the same state" if result["same"] else "a DIFFERENT state"
            print(f"run {result['run_id']}: {result['status']} at {result['sim_time']}, state {result['state_hash']} "
                  f"(recorded {result['recorded_hash']}): {verdict}")
        return 0 if result["same"] else EXIT_FAILED_RUNS
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    spec = api.load_spec(args.spec)
    with _stop_on_ctrl_c() as should_stop:
        report = _with_progress(spec, args, should_stop) if not args.quiet else api.run_experiment(
            spec, args.out, args.workers, args.ray, should_stop=should_stop)
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(f"{spec.name}: {report.ok} of {report.total} runs ok, {report.failed} failed "
              f"({report.skipped} done before); results in {report.out}")
    if report.failed:
        print(f"townsfolk: {report.failed} run(s) failed: see 'error' in {report.out}/summary.csv", file=sys.stderr)
    if report.stopped:
        print("townsfolk: interrupted; the same command runs the rest", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED_RUNS if report.failed else 0


@contextmanager
def _stop_on_ctrl_c() -> Iterator[Callable[[], bool]]:
    """The first Ctrl+C asks the experiment to stop after the runs under way (their results are kept, so a
    resume skips them); a second one interrupts at once. A flag rather than KeyboardInterrupt, which Python
    may raise inside a library's clean-up callback, where it is printed and lost."""
    asked: list[bool] = []
    parent = os.getpid()

    def stop(_signum: int, _frame: object) -> None:
        if os.getpid() != parent:  # a forked worker (the terminal signals them all): its run goes on
            return
        asked.append(True)
        print("townsfolk: stopping after the runs under way (Ctrl+C again to stop now)", file=sys.stderr)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield lambda: bool(asked)
    finally:
        signal.signal(signal.SIGINT, previous)


def _with_progress(spec: api.ExperimentSpec, args: argparse.Namespace,
                   should_stop: Callable[[], bool]) -> api.ExperimentReport:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), TextColumn("{task.fields[latest]}"), console=console,
                  auto_refresh=False) as bar:  # no refresh thread: worker processes can then be forked
        task = bar.add_task(spec.name, total=None, latest="")

        def show(progress: api.Progress) -> None:
            bar.update(task, total=progress.total, completed=progress.done,
                       latest=(f"{progress.failed} failed " if progress.failed else "") + progress.latest[:60])
            bar.refresh()

        return api.run_experiment(spec, args.out, args.workers, args.ray, on_progress=show, should_stop=should_stop)


def _scale(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    low, sep, high = text.partition("-")
    if not sep or not low.strip().isdigit() or not high.strip().isdigit() or int(low) >= int(high):
        raise ValueError(f"--scale must be LOW-HIGH, e.g. 1-5, not {text!r}")
    return int(low), int(high)


def _ask(args: argparse.Namespace) -> int:
    scale = _scale(args.scale)
    world = api.open_world(args.world)
    who: str | list[str] = args.who if args.who else "all"
    if isinstance(who, list) and len(who) == 1 and (who[0] == "all" or who[0].startswith("sample:")):
        who = who[0]
    llm = api.LLMConfig(brain=args.brain, hosts=tuple(args.ollama_host), model=args.model)
    answers = api.ask_world(world, args.world, args.question, who, scale, llm, args.seed, args.save)
    rows = [a.as_dict() for a in answers]
    if args.json:
        print(json.dumps({"question": args.question, "scale": list(scale) if scale else None, "answers": rows}))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["person"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        width = max((len(a.name) for a in answers), default=4)
        for a in answers:
            score = f"[{a.score}] " if a.score is not None else ""
            print(f"{a.name:<{width}}  {score}{a.answer}  ({a.how})")
        scores = [a.score for a in answers if a.score is not None]
        if scores:
            print(f"mean {sum(scores) / len(scores):.2f} of {len(scores)} on {scale[0]}-{scale[1]}")  # type: ignore[index]
    return 0


def _compare(args: argparse.Namespace) -> int:
    report = api.compare_branches(args.world, args.branch_a, args.branch_b)
    if args.json:
        print(json.dumps(report))
        return 0
    for line in compare_lines(report):
        print(line)
    return 0


SUBCOMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "experiment": _experiment,
    "ask": _ask,
    "compare": _compare,
}
