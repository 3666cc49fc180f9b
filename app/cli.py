"""Headless sub-commands: new, sim, info, check, serve, ... Scripts rely on their output.

Errors go to stderr as one line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from app import research_cli, serve_cli
from app.sim_pace import add_pace_arguments, pace_options
from engine import api
from engine.contracts import LLMHealth

EXIT_PROBLEMS = 1
EXIT_ERROR = 2


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see 'townsfolk {self.prog.split()[-1]} --help')")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _build_parser() -> argparse.ArgumentParser:
    root = _Parser(prog="townsfolk", description="A living city of generative agents.")
    sub = root.add_subparsers(dest="command", required=True, parser_class=_Parser)

    new = sub.add_parser("new", help="generate a new world file (or one from a plugin's scenario)")
    new.add_argument("out", help="the .town file to create")
    new.add_argument("--scenario", metavar="NAME",
                     help="start from an installed plugin's scenario ('townsfolk plugins' lists them); "
                          "--agents, --template and --name are then the scenario's")
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
    sim.add_argument("--from-tick", type=int, metavar="T",
                     help="first go back to tick T of the current branch, then run on a new branch")
    sim.add_argument("--checkpoint-every", type=float, default=30.0, metavar="MIN",
                     help="sim minutes between checkpoints (default 30; 0 = none)")
    sim.add_argument("--seed-fact", nargs=2, action="append", default=[], metavar=("PERSON", "TEXT"),
                     help="PERSON (name or id) knows TEXT at the start and may pass it on; a time and a place "
                          "make it an event (\"a party at the cafe tomorrow at 5pm\"); the report says how far "
                          "it spread (repeatable)")
    sim.add_argument("--plugin", action="append", default=[], metavar="NAME[:KEY=VALUE,...]",
                     help="switch an installed plugin on for this run (and the saved world), with its settings "
                          "(repeatable; 'townsfolk plugins' lists them)")
    _llm_arguments(sim)
    add_pace_arguments(sim)

    plugins = sub.add_parser("plugins", help="list the installed plugins, what each adds, and any errors")
    plugins.add_argument("--json", action="store_true")

    tiled = sub.add_parser("import-tiled", help="make a world from a Tiled map (.tmj/.json/.tmx)")
    tiled.add_argument("map")
    tiled.add_argument("out", help="the .town file to create")
    tiled.add_argument("--agents", type=int, help="how many people move in (default: as many as the homes hold)")
    tiled.add_argument("--seed", type=int, default=0)
    tiled.add_argument("--name", help="the town's name")
    tiled.add_argument("--force", action="store_true", help="overwrite an existing file")

    export = sub.add_parser("export-tiled", help="write a world's map as a Tiled map (.tmj)")
    export.add_argument("world")
    export.add_argument("out")

    checkpoints = sub.add_parser("checkpoints", help="list a world's branches and checkpoints")
    checkpoints.add_argument("world")
    checkpoints.add_argument("--json", action="store_true")

    replay = sub.add_parser("replay", help="replay the recorded history to a tick and print its state hash")
    replay.add_argument("world")
    replay.add_argument("--to-tick", type=int, required=True, metavar="T")
    replay.add_argument("--json", action="store_true")

    info = sub.add_parser("info", help="describe a world file")
    info.add_argument("world")
    info.add_argument("--json", action="store_true")

    personas = sub.add_parser("import-personas", help="add Generative Agents personas (scratch.json) to a world")
    personas.add_argument("folder", help="a folder with one sub-folder (or file) per persona")
    personas.add_argument("--into", required=True, metavar="WORLD", help="the world file to add them to")
    personas.add_argument("--replace", action="store_true",
                          help="let a persona overwrite a resident of the same name (refused otherwise)")

    check = sub.add_parser("check", help="list every problem in a world file")
    check.add_argument("world")
    check.add_argument("--json", action="store_true")
    research_cli.add_parsers(sub)
    serve_cli.add_parser(sub, _llm_arguments)
    return root


def _llm_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("thinking")
    group.add_argument("--brain", choices=("rule", "ollama", "fake"), default="rule",
                       help="rule: built-in, no LLM (default); ollama: a local Ollama or OpenAI-compatible server; "
                            "fake: a deterministic stand-in for tests")
    group.add_argument("--ollama-host", action="append", default=[], metavar="URL",
                       help="a model server (repeatable; load is shared). Default: $OLLAMA_HOST or "
                            "http://127.0.0.1:11434. A URL ending in /v1 is an OpenAI-compatible server.")
    group.add_argument("--model", default="llama3.2", help="the chat model (default llama3.2)")
    group.add_argument("--llm-budget", type=int, default=600, metavar="N", help="LLM calls per sim hour, town-wide")
    group.add_argument("--llm-timeout", type=float, default=60.0, metavar="S", help="seconds before a call gives up")
    group.add_argument("--embedder", metavar="NAME",
                       help="memory embeddings: wordllama (default, offline), hashing, or ollama:<model> "
                            "(e.g. ollama:nomic-embed-text, on the --ollama-host servers)")
    group.add_argument("--minds", type=int, default=100, metavar="N", help="at most N people think on the LLM")


def _llm_config(args: argparse.Namespace) -> api.LLMConfig:
    return api.LLMConfig(brain=args.brain, hosts=tuple(args.ollama_host), model=args.model,
                         budget_per_hour=args.llm_budget, timeout_s=args.llm_timeout)


def _new(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise CliError(f"{out} already exists (use --force to overwrite)")
    if args.scenario:
        world = api.new_scenario_world(args.scenario, args.seed)
    else:
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
    if args.checkpoint_every < 0:
        raise CliError("--checkpoint-every cannot be negative")
    try:
        pacing = pace_options(args)
    except ValueError as error:
        raise CliError(str(error)) from None
    summary = api.run_headless(world, ticks, args.seed, keep_history=True, llm=_llm_config(args),
                               world_path=args.world, embedder=args.embedder, max_minds=args.minds,
                               checkpoint_minutes=args.checkpoint_every, from_tick=args.from_tick,
                               seed_facts=[tuple(pair) for pair in args.seed_fact],
                               **_plugin_choice(args.plugin),
                               on_warning=lambda text: print(f"townsfolk: warning: {text}", file=sys.stderr),
                               **pacing)
    if summary.llm and (summary.llm["state"] not in (LLMHealth.READY, LLMHealth.OFF) or summary.llm.get("fallbacks")):
        llm = summary.llm
        counted = f"{llm.get('fallbacks', 0)} stand-ins by the rule brain, {llm.get('failures', 0)} failed calls"
        if llm["state"] in (LLMHealth.READY, LLMHealth.OFF):
            print(f"townsfolk: thinking ({llm['state']}): {counted}", file=sys.stderr)
        else:
            message = " ".join(str(llm["message"]).split())
            print(f"townsfolk: thinking fell back to the rule brain ({llm['state']}; {counted}): {message}",
                  file=sys.stderr)
    if args.save:
        api.save_world(world, args.save, memory=summary.memory)
    if args.json:
        print(json.dumps(summary.as_dict()))
    else:
        print(f"{world.name}: ran {summary.ticks} ticks to {summary.sim_time} "
              f"({summary.ticks_per_sec} ticks/s); {summary.events} events, "
              f"{summary.conversations} conversations; state {summary.state_hash}")
        for line in _society_lines(summary):
            print(line)
    return 0


def _plugin_choice(specs: list[str]) -> dict[str, Any]:
    """``--plugin market_day:weekday=6`` -> plugins=["market_day"], plugin_settings={"market_day": {"weekday": 6}}."""
    names: list[str] = []
    settings: dict[str, dict[str, Any]] = {}
    for spec in specs:
        name, _, rest = spec.partition(":")
        names.append(name.strip())
        for pair in filter(None, (p.strip() for p in rest.split(","))):
            key, eq, value = pair.partition("=")
            if not eq or not key.strip():
                raise CliError(f"--plugin {spec}: settings are KEY=VALUE, separated by commas")
            settings.setdefault(name.strip(), {})[key.strip()] = _setting(value.strip())
    return {"plugins": names, "plugin_settings": settings or None}


def _setting(text: str) -> Any:
    """A setting's value as JSON when it reads as JSON (6, 0.5, true), else as the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _plugins(args: argparse.Namespace) -> int:
    found = api.plugins_info()
    if args.json:
        print(json.dumps({"plugins": found, "scenarios": api.scenarios()}))
        return 0
    if not found:
        print("no plugins installed (a plugin is a package with a 'townsfolk.plugins' entry point; see docs/plugins.md)")
    for plugin in found:
        state = "ok" if plugin["ok"] else f"switched off: {plugin['error']}"
        print(f"{plugin['name']} {plugin['version']} ({state})")
        for line in plugin["summary"]:
            print(f"    {line}")
    return 0


def _society_lines(summary: api.RunSummary) -> list[str]:
    economy, governance, social = summary.economy, summary.governance, summary.social
    lines = [
        f"economy: GDP ${int(economy['gdp']) / 100:,.0f}/day, Gini {economy['gini']}, "
        f"{economy['transactions']:,} transactions",
        f"governance: {governance.get('proposals', 0)} proposals ({governance.get('passed', 0)} passed), "
        f"{governance.get('elections', 0)} elections",
        f"social: density {social['density']}, {social['communities']} communities",
    ]
    for name, report in (summary.plugins or {}).items():
        if name not in ("active", "missing", "switched_off", "metrics"):
            lines.append(f"{name}: " + ", ".join(f"{k} {v}" for k, v in report.items() if not isinstance(v, (dict, list))))
    words = summary.word_of_mouth or {}
    for fact in words.get("diffusion", []):
        lines.append(f"word of mouth: {fact['knowers']} know \u201c{fact['text']}\u201d ({fact['share']:.0%})")
    for event in words.get("attendance", []):
        lines.append(f"  at {event['place']} ({event['starts']}): {event['attended']} came "
                     f"of {event['meant_to_go']} who meant to")
    return lines


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
    _world, problems = api.check_world_file(args.world)
    if args.json:
        print(json.dumps({"world": args.world, "problems": problems}))
    elif problems:
        print(f"{args.world}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print(f"{args.world}: no problems")
    return EXIT_PROBLEMS if problems else 0


def _import_tiled(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise CliError(f"{out} already exists (use --force to overwrite)")
    if args.agents is not None and args.agents < 0:
        raise CliError("--agents cannot be negative")
    world = api.import_tiled(args.map, args.agents, args.seed, args.name)
    api.save_world(world, out)
    print(f"created {out}: {world.name}, {len(world.people)} people, {len(world.city.buildings)} buildings")
    return 0


def _export_tiled(args: argparse.Namespace) -> int:
    api.export_tiled(api.open_world(args.world, with_history=False), args.out)
    print(f"wrote {args.out}")
    return 0


def _checkpoints(args: argparse.Namespace) -> int:
    info = api.timeline_info(api.open_world(args.world))
    if args.json:
        print(json.dumps(info))
        return 0
    for branch in info["branches"]:
        mark = "*" if branch["id"] == info["current"] else " "
        print(f"{mark} branch {branch['id']} '{branch['name']}': from tick {max(branch['fork_tick'], 0)} "
              f"to {branch['head_tick']}")
        for c in info["checkpoints"]:
            if c["branch"] == branch["id"]:
                label = f" '{c['name']}'" if c["name"] else ""
                print(f"    tick {c['tick']:>7}  {c['sim_time']}  {c['kind']}{label}  {c['bytes'] / 1024:.0f} KiB")
    return 0


def _replay(args: argparse.Namespace) -> int:
    result = api.replay(api.open_world(args.world), args.to_tick, args.world)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"tick {result['tick']} ({result['sim_time']}): state {result['state_hash']} "
              f"(from the checkpoint at tick {result['from_checkpoint']}, {result['replayed_ticks']} ticks replayed)")
    return 0


def _import_personas(args: argparse.Namespace) -> int:
    world = api.open_world(args.into)
    names = api.import_personas(world, args.folder, replace=args.replace)
    api.save_world(world, args.into)
    print(f"imported {len(names)} persona(s) into {args.into}: {', '.join(names)}")
    return 0


SUBCOMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "new": _new,
    "sim": _sim,
    "info": _info,
    "check": _check,
    "import-personas": _import_personas,
    "checkpoints": _checkpoints,
    "import-tiled": _import_tiled,
    "export-tiled": _export_tiled,
    "replay": _replay,
    "serve": lambda args: serve_cli.run(args, _llm_config(args)),
    "plugins": _plugins,
    **research_cli.SUBCOMMANDS,
}


def _subject(args: argparse.Namespace | None) -> str:
    """The file a command works on, so every error can name it."""
    for name in ("world", "map", "into", "folder", "spec"):
        value = getattr(args, name, None)
        if value:
            return str(value)
    return ""


def _one_line(exc: BaseException, subject: str, unexpected: bool = False) -> str:
    """The error as one line that names the file (scripts and people read stderr line by line)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    if len(lines) > 1:
        text += f" (and {len(lines) - 1} more line(s))"
    text = "".join(ch if ch.isprintable() else "?" for ch in text)[:500]
    if unexpected:
        text = f"could not be handled ({type(exc).__name__}: {text})"
    if subject and subject not in text:
        text = f"{subject}: {text}"
    return text


def run_cli(argv: list[str]) -> int:
    args = None
    try:
        args = _build_parser().parse_args(argv)
        return SUBCOMMANDS[args.command](args)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except CliError as exc:
        print(f"townsfolk: error: {_one_line(exc, '')}", file=sys.stderr)
        return EXIT_ERROR
    except api.WorldFileError as exc:  # names its own file (which may be the --save target)
        print(f"townsfolk: error: {_one_line(exc, '')}", file=sys.stderr)
        return EXIT_ERROR
    except (ValueError, OSError, MemoryError, RecursionError) as exc:
        print(f"townsfolk: error: {_one_line(exc, _subject(args))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("townsfolk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise is one line, never a traceback, whatever the input
        print(f"townsfolk: error: {_one_line(exc, _subject(args), unexpected=True)}", file=sys.stderr)
        return EXIT_ERROR
