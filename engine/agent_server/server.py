"""Run the agent API on its own thread (uvicorn), on loopback unless the user says otherwise."""

from __future__ import annotations

import importlib.util
import ipaddress
import sys
import threading
import time

import uvicorn

from engine.agent_server.app import Limits, create_app
from engine.api import EngineHandle

DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"
# How long the engine thread may hold the GIL while the server's loop waits for it (Python's default is 5 ms).
# The loop gives the GIL up for every system call (each socket read and write, each wake-up) and then waits
# for the engine, computing flat out, to hand it back: at 5 ms, each of a tick's batch of decisions could
# wait that long before the next went out (README, "agents_api"). Lowered only, never raised (the window
# sets the same for its own thread); the process keeps it until it ends.
SERVER_SWITCH_INTERVAL_S = 0.0005
# libuv's event loop (uvloop) where there is one (not on Windows): it writes to the sockets without giving
# the GIL up (the standard loop gives it up for every send and receive, and waits for the engine thread to
# hand it back each time), so a tick's batch of decisions goes out in one go; the standard loop elsewhere.
EVENT_LOOP = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


class ServerError(ValueError):
    """The agent API could not start; the message says why."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AgentServer:
    def __init__(self, handle: EngineHandle, host: str = LOOPBACK, port: int = DEFAULT_PORT,
                 allow_remote: bool = False, limits: Limits | None = None,
                 switch_interval_s: float = SERVER_SWITCH_INTERVAL_S):
        """``allow_remote``: the user asked to listen beyond this machine (any other host is refused).
        ``switch_interval_s``: the longest the loop waits for the GIL (``SERVER_SWITCH_INTERVAL_S``)."""
        if not is_loopback(host) and not allow_remote:
            raise ServerError(f"the agent API listens on loopback only; {host} would let other machines in "
                              "(allow it explicitly: --allow-remote)")
        self.host = host
        self.app = create_app(handle, limits)
        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning", ws_max_size=64 * 1024,
                                ws_per_message_deflate=False,  # small JSON messages: compressing costs more than it saves
                                lifespan="on", access_log=False, loop=EVENT_LOOP)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="townsfolk-agent-api", daemon=True)
        self.port = port
        self.switch_interval_s = switch_interval_s

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, timeout: float = 10.0) -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), self.switch_interval_s))
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise ServerError(f"the agent API could not listen on {self.host}:{self.port} "
                                  "(is the port in use? pick another with --port)")
            if time.monotonic() > deadline:
                raise ServerError("the agent API did not start in time")
            time.sleep(0.01)
        sockets = [sock for server in self._server.servers for sock in server.sockets]
        if sockets:
            self.port = int(sockets[0].getsockname()[1])  # port 0: the one the system picked

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self._server.started
