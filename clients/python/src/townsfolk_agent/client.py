"""The client: register (claim a person), then answer their decision points.

``Agent.run`` reads decisions over the WebSocket (``transport="ws"``) or by long
polling (``"http"``) and answers each with what the ``on_decision`` handler returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from websockets.sync.client import connect

from townsfolk_agent.actions import Action

Handler = Callable[[dict[str, Any]], list[Action]]


class TownsfolkError(RuntimeError):
    """The API refused a request; the message is its one-line reason."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status


def _check(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        raise TownsfolkError(response.status_code, str(message))
    return response


def register(url: str, person: int | str, deadline_s: float = 2.0, timeout: float = 30.0) -> Agent:
    """Claim ``person`` (id or full name) at the API ``url`` (e.g. http://127.0.0.1:8765/v1)."""
    http = httpx.Client(timeout=timeout)
    body = _check(http.post(f"{url.rstrip('/')}/register", json={"person": person, "deadline_s": deadline_s})).json()
    return Agent(url, body["agent"], body["name"], body["token"], http)


class Agent:
    def __init__(self, url: str, agent: int, name: str, token: str, http: httpx.Client | None = None):
        self.url = url.rstrip("/")
        self.agent, self.name, self.token = agent, name, token
        self.http = http or httpx.Client(timeout=30.0)
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.handler: Handler | None = None
        self.outcomes: list[dict[str, Any]] = []
        self._places: list[dict[str, Any]] | None = None

    def on_decision(self, handler: Handler) -> Handler:
        """Decorate the function that turns a perception into actions."""
        self.handler = handler
        return handler

    def places(self) -> list[dict[str, Any]]:
        if self._places is None:
            self._places = _check(self.http.get(f"{self.url}/places")).json()
        return self._places

    def next_decision(self, wait: float = 10.0) -> dict[str, Any] | None:
        """The decision the person waits on (None if there was none within ``wait`` seconds)."""
        r = _check(self.http.get(f"{self.url}/decision", params={"wait": wait}))
        return None if r.status_code == 204 else r.json()

    def act(self, actions: list[Action], decision: int = 0) -> int:
        """Answer ``decision`` with ``actions`` (0: act now, whatever they are doing)."""
        r = _check(self.http.post(f"{self.url}/decision", json={"decision": decision, "actions": actions}))
        return int(r.json()["accepted"])

    def outcome(self) -> dict[str, Any] | None:
        r = _check(self.http.get(f"{self.url}/outcome"))
        return None if r.status_code == 204 else r.json()

    def release(self) -> None:
        """Give the person back to their own brain."""
        _check(self.http.delete(f"{self.url}/register"))

    def _decide(self, decision: dict[str, Any]) -> list[Action]:
        if self.handler is None:
            raise RuntimeError("no handler: decorate one with @agent.on_decision")
        return self.handler(decision["perception"])

    def run(self, decisions: int | None = None, transport: str = "ws") -> None:
        """Answer decision points as they come (``decisions``: stop after that many)."""
        if transport == "http":
            done = 0
            while decisions is None or done < decisions:
                decision = self.next_decision()
                if decision is not None:
                    self.act(self._decide(decision), decision["decision"])
                    done += 1
            return
        ws_url = self.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        with connect(f"{ws_url}/ws?token={self.token}&acks=0") as ws:  # refusals come back, not each acceptance
            done = 0
            while decisions is None or done < decisions:
                message = json.loads(ws.recv())
                if message["type"] == "decision":
                    ws.send(json.dumps({"decision": message["decision"], "actions": self._decide(message)}))
                    done += 1
                elif message["type"] == "outcome":
                    self.outcomes.append(message)
                elif message["type"] == "error":
                    if message.get("status") == 409:  # that decision was made already: the next one comes
                        continue
                    raise TownsfolkError(int(message.get("status", 400)), message["error"])
