"""Run the agent API on its own thread (uvicorn), on loopback unless the user says otherwise."""

from __future__ import annotations

import ipaddress
import threading
import time

import uvicorn

from engine.agent_server.app import Limits, create_app
from engine.api import EngineHandle

DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"


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
                 allow_remote: bool = False, limits: Limits | None = None):
        """``allow_remote``: the user asked to listen beyond this machine (any other host is refused)."""
        if not is_loopback(host) and not allow_remote:
            raise ServerError(f"the agent API listens on loopback only; {host} would let other machines in "
                              "(allow it explicitly: --allow-remote)")
        self.host = host
        self.app = create_app(handle, limits)
        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning", ws_max_size=64 * 1024,
                                ws_per_message_deflate=False,  # small JSON messages: compressing costs more than it saves
                                lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="townsfolk-agent-api", daemon=True)
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, timeout: float = 10.0) -> None:
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
