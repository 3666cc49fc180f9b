"""`townsfolk serve WORLD`: run a world headless with the agent API in front of it.

Outside programs claim people over HTTP/WebSocket on loopback (``--host`` beyond
it only with ``--allow-remote``); the world plays at ``--speed`` until Ctrl+C (or
``--seconds``), then is saved when ``--save`` says where.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from engine import api
from engine.agent_server import AgentServer
from engine.agent_server.server import DEFAULT_PORT, LOOPBACK
from engine.contracts import CommandApplied, CommandRejected, Play, SaveWorld, SetSpeed


def add_parser(sub: Any, llm_arguments: Callable[[argparse.ArgumentParser], None]) -> None:
    serve = sub.add_parser("serve", help="run a world with the agent API for outside programs")
    serve.add_argument("world")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT}; 0: any free)")
    serve.add_argument("--host", default=LOOPBACK, help="where to listen (default loopback, this machine only)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a --host other machines can reach (anyone who can reach it may claim people)")
    serve.add_argument("--speed", type=float, default=2.0, metavar="TPS", help="ticks per second (default 2; 0: max)")
    serve.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds (default: at Ctrl+C)")
    serve.add_argument("--seed", type=int, help="reseed the world's random numbers")
    serve.add_argument("--save", metavar="OUT", help="write the world when stopping, history included")
    llm_arguments(serve)


def run(args: argparse.Namespace, llm: api.LLMConfig) -> int:
    handle = api.EngineHandle.open(args.world, seed=args.seed, llm=llm, embedder=args.embedder, max_minds=args.minds)
    server = AgentServer(handle, host=args.host, port=args.port, allow_remote=args.allow_remote)
    handle.start()
    try:
        server.start()
        print(f"agent API on {server.url} (schemas: {server.url}/openapi.json); Ctrl+C stops", flush=True)
        handle.submit(SetSpeed(ticks_per_second=args.speed))
        handle.submit(Play())
        stop_at = time.monotonic() + args.seconds if args.seconds is not None else None
        try:
            while stop_at is None or time.monotonic() < stop_at:
                time.sleep(0.2)
                handle.drain_events()  # nobody reads them here; the world file keeps the history
                if handle.failure is not None:
                    raise RuntimeError(f"the engine stopped: {handle.failure}")
        except KeyboardInterrupt:
            pass
        server.stop()
        if args.save:
            _save(handle, args.save)
            print(f"saved {args.save}")
    finally:
        server.stop()
        handle.stop()
    return 0


def _save(handle: api.EngineHandle, path: str) -> None:
    command = SaveWorld(path=path)
    handle.submit(command)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for event in handle.drain_events():
            if isinstance(event, CommandRejected) and event.command_id == command.id:
                raise OSError(f"{path}: {event.reason}")
            if isinstance(event, CommandApplied) and event.command_id == command.id:
                return
        time.sleep(0.05)
    raise OSError(f"{path}: the save did not finish in time")
