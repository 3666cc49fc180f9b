"""The `sim` command's pacing options and its progress line (headless; never imports Qt)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

PACES = ("lockstep", "live")  # as engine.runtime.minds_pacing.PACES (the app reaches the engine only through api)


def add_pace_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pacing (with a model)")
    group.add_argument("--pace", choices=PACES, default="lockstep",
                       help="lockstep: answers are applied a few sim minutes after they are asked, waiting for "
                            "them if need be (reproducible; the default); live: time runs at --speed and nothing "
                            "waits for the model, as in the window")
    group.add_argument("--speed", type=float, default=1.0, metavar="X",
                       help="with --pace live: sim minutes per wall second (default 1)")
    group.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    group.add_argument("--progress-every", type=float, metavar="SECONDS",
                       help="wall seconds between progress lines (default 5; 0: after every tick); "
                            "a run shorter than this prints none")


def pace_options(args: argparse.Namespace) -> dict[str, Any]:
    """run_headless's keyword arguments for the pacing and the progress line; ValueError on a bad speed."""
    if args.speed <= 0:
        raise ValueError("--speed must be above 0 (sim minutes per wall second)")
    options: dict[str, Any] = {"pace": args.pace, "speed": args.speed}
    if args.progress_every is not None and args.progress_every < 0:
        raise ValueError("--progress-every must be 0 or more (wall seconds)")
    if not args.quiet:
        options["on_progress"] = lambda line: print(f"townsfolk: {line}", file=sys.stderr, flush=True)
        options["progress_every"] = args.progress_every
    return options
