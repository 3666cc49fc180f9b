"""Many people from one process: each their own token and WebSocket, all on one asyncio loop.

``Crowd.join`` claims the people and connects them (each starts answering at once);
``Crowd.leave`` stops and gives them back. What every message costs is kept small,
as hundreds of sockets share the process: the server is asked not to confirm each
answer (``acks=0``; refusals still come), optionally not to send the outcomes that
were ok (``ok_outcomes=False``: each perception's ``last_outcome`` says how the
decision before ended), and once everyone is connected the collector is settled
(``settle_collector``) so its pauses stay short while decisions wait. ``run`` runs a coroutine on libuv's loop where uvloop is installed.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

import httpx
import websockets

from townsfolk_agent.actions import Action
from townsfolk_agent.client import TownsfolkError

Decide = Callable[[int, dict[str, Any]], list[Action]]  # (person's id, what they perceive) -> actions
T = TypeVar("T")
MAX_MESSAGE_BYTES = 2**20
PACED_TRIES = 20  # requests refused for pace (429) are tried again after the Retry-After the server gave


def settle_collector() -> None:
    """Freeze what is alive now: later collections walk only what came since, not every connection, socket
    and buffer of the crowd (a full walk of those pauses every agent at once, more the more they are).

    Only the young generations are collected first, in a few ms: a full collection here would itself be
    such a pause, with the first people already waiting on answers. What the older generation holds of the
    setup's garbage (a little, once) stays frozen with the rest."""
    gc.collect(1)
    gc.freeze()


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, on uvloop's loop where it is installed (fewer Python steps per socket event)."""
    if importlib.util.find_spec("uvloop") is not None:
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)


class Crowd:
    def __init__(self, url: str, decide: Decide, deadline_s: float = 2.0, ok_outcomes: bool = True):
        """``url``: the API (e.g. http://127.0.0.1:8765/v1); ``decide``: a person's actions for a perception.
        ``ok_outcomes``: the server sends every outcome; False: only those that were not ok (a decision then
        costs two messages instead of three; ``last_outcome`` holds only those, the perceptions say the rest)."""
        self.url = url.rstrip("/")
        self.decide = decide
        self.deadline_s = deadline_s
        self.ok_outcomes = ok_outcomes
        self.answered = 0  # decisions answered, all people together
        self.last_outcome: dict[int, dict[str, Any]] = {}  # person id -> their newest outcome received
        self.tokens: dict[int, str] = {}
        self.errors: dict[int, BaseException] = {}  # person id -> why their socket stopped (a refusal, a lost connection)
        self._tasks: list[asyncio.Task[None]] = []

    async def join(self, people: Iterable[int | str], settle: bool = True) -> list[int]:
        """Claim ``people`` (ids or full names) and connect each; they answer from the moment they are
        connected. Returns their ids. ``settle``: settle the collector once all are connected."""
        connected: list[asyncio.Future[None]] = []
        ids = []
        async with httpx.AsyncClient(timeout=60) as http:
            for person in people:
                agent, token = await self._register(http, person)
                self.tokens[agent] = token
                ids.append(agent)
                ready = asyncio.get_running_loop().create_future()
                connected.append(ready)
                self._tasks.append(asyncio.create_task(self._live(agent, token, ready)))
        await asyncio.gather(*connected)
        if settle:
            settle_collector()
        return ids

    async def leave(self, release: bool = True) -> None:
        """Stop answering, close every socket and (``release``) give the people back to their own brains."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if release:
            async with httpx.AsyncClient(timeout=60) as http:
                for token in self.tokens.values():
                    headers = {"Authorization": f"Bearer {token}"}
                    await _paced(lambda h=headers: http.delete(f"{self.url}/register", headers=h))  # type: ignore[misc]
        self.tokens.clear()

    async def _register(self, http: httpx.AsyncClient, person: int | str) -> tuple[int, str]:
        body = (await _paced(lambda: http.post(f"{self.url}/register",
                                               json={"person": person, "deadline_s": self.deadline_s}))).json()
        return int(body["agent"]), str(body["token"])

    async def _live(self, agent: int, token: str, ready: asyncio.Future[None]) -> None:
        ws_url = self.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        decide, loads, dumps = self.decide, json.loads, json.dumps
        try:
            oks = "" if self.ok_outcomes else "&ok_outcomes=0"
            async with websockets.connect(f"{ws_url}/ws?token={token}&acks=0{oks}", max_size=MAX_MESSAGE_BYTES,
                                          compression=None) as ws:
                ready.set_result(None)
                async for raw in ws:
                    message = loads(raw)
                    kind = message["type"]
                    if kind == "decision":
                        actions = decide(agent, message["perception"])
                        await ws.send(dumps({"decision": message["decision"], "actions": actions}))
                        self.answered += 1
                    elif kind == "outcome":
                        self.last_outcome[agent] = message
                    elif kind == "error" and message.get("status") != 409:  # 409: made already; the next comes
                        raise TownsfolkError(int(message.get("status", 400)), message["error"])
        except BaseException as exc:
            if not isinstance(exc, asyncio.CancelledError):
                self.errors[agent] = exc
            if not ready.done():  # join hears of it
                ready.cancel() if isinstance(exc, asyncio.CancelledError) else ready.set_exception(exc)
            raise


async def _paced(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """``send()``, again after the server's Retry-After while it refuses for pace; any other refusal raises."""
    for _ in range(PACED_TRIES):
        r = await send()
        if r.status_code == 429:
            await asyncio.sleep(float(r.headers.get("Retry-After", "0.1")))
            continue
        if r.status_code >= 400:
            try:
                message = str(r.json().get("error", r.text))
            except ValueError:
                message = r.text
            raise TownsfolkError(r.status_code, message)
        return r
    raise TownsfolkError(429, f"refused for pace {PACED_TRIES} times: {r.json().get('error', r.text)}")
