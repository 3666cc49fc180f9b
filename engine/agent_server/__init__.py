"""The local agent API: outside programs live as people in the town, over HTTP and WebSocket.

Served on loopback (version 1 under ``/v1``); it talks to the running engine only
through ``engine.api`` (commands in, decision points out of the exchange) and never
blocks the engine thread. See ``README.md``, "Bring your own agent".
"""

from engine.agent_server.app import API_VERSION, create_app
from engine.agent_server.server import AgentServer, ServerError

__all__ = ["API_VERSION", "AgentServer", "ServerError", "create_app"]
