"""Headless sub-commands: new, sim, info, check. Scripts rely on their output.

Errors go to stderr as one line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from engine import api

EXIT_PROBLEMS = 1
EXIT_ERROR = 2


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise CliError(f"{message} (see 'townsfolk {self.prog.split()[-1]} --help')")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _build_parser() -> argparse.ArgumentParser:
    root = _Parser(prog="townsfolk", description="A living city of generative agents.")
    sub = root.add_subparsers(dest="command", required=True, parser_class=_Parser)

    new = sub.add_parser("new", help="generate a new world file")
    new.add_argument("out", help="the .town file to create")
    new.add_argument("--agents", type=_positive, default=25, help="how many people (default 25)")
    new.add_argument("--seed", type=int, default=0)
    new.add_argument("--template", choices=api.TEMPLATES, default="city")
    new.add_argument("--name", help="the town's name")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")

    sim = sub.add_parser("sim", help="run a world without a window")
    sim.add_argument("world")
    length = sim.add_mutually_exclusive_group(required=True)
    length.add_argument("--ticks", type=int)
    length.add_argument("--sim-hours", type=float)
    sim.add_argument("--seed", type=int, help="reseed the world's random numbers")
    sim.add_argument("--save", metavar="OUT", help="write the world as it ends, history included")
    sim.add_argument("--json", action="store_true", help="print one JSON object")

    info = sub.add_parser("info", help="describe a world file")
    info.add_argument("world")
    info.add_argument("--json", action="store_true")

    check = sub.add_parser("check", help="list every problem in a world file")
    check.add_argument("world")
    check.add_argument("--json", action="store_true")
    return root


def _new(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise CliError(f"{out} already exists (use --force to overwrite)")
    world = api.new_world(args.agents, args.seed, args.template, args.name)
    api.save_world(world, out)
    print(f"created {out}: {world.name}, {len(world.people)} people, {len(world.city.buildings)} buildings")
    return 0


def _sim(args: argparse.Namespace) -> int:
    world = api.open_world(args.world)
    if args.sim_hours is not None:
        if args.sim_hours < 0:
            raise CliError("--sim-hours cannot be negative")
        ticks = round(args.sim_hours * 3600 / world.tick_seconds)
    else:
        ticks = args.ticks
    if ticks < 0:
        raise CliError("--ticks cannot be negative")
    summary = api.run_headless(world, ticks, args.seed, keep_history=True)
    if args.save:
        api.save_world(world, args.save)
    if args.json:
        print(json.dumps(summary.as_dict()))
    else:
        print(f"{world.name}: ran {summary.ticks} ticks to {summary.sim_time} "
              f"({summary.ticks_per_sec} ticks/s); {summary.events} events, "
              f"{summary.conversations} conversations; state {summary.state_hash}")
    return 0


def _info(args: argparse.Namespace) -> int:
    info = api.world_info(api.open_world(args.world, with_history=True))
    if args.json:
        print(json.dumps(info))
    else:
        print(f"{info['name']}: {info['agents']} people, {info['buildings']} buildings, "
              f"districts {', '.join(info['districts'])}; {info['sim_time']} (tick {info['tick']}), "
              f"world schema {info['schema_version']}")
    return 0


def _check(args: argparse.Namespace) -> int:
    problems = api.check_world(api.open_world(args.world, with_history=False))
    if args.json:
        print(json.dumps({"world": args.world, "problems": problems}))
    elif problems:
        print(f"{args.world}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print(f"{args.world}: no problems")
    return EXIT_PROBLEMS if problems else 0


SUBCOMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "new": _new,
    "sim": _sim,
    "info": _info,
    "check": _check,
}


def run_cli(argv: list[str]) -> int:
    try:
        args = _build_parser().parse_args(argv)
        return SUBCOMMANDS[args.command](args)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except (CliError, api.WorldFileError, ValueError, OSError) as exc:
        print(f"townsfolk: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("townsfolk: interrupted", file=sys.stderr)
        return 130
