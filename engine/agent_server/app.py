"""The agent API's routes (FastAPI), version 1.

HTTP: register to claim a person and get their token; long-poll ``/v1/decision``
for the next decision point and POST the answer; ``/v1/outcome`` says how the last
one ended. WebSocket ``/v1/ws?token=...``: decisions and outcomes are pushed, answers
sent back as ``{"decision": N, "actions": [...]}`` (``acks=0``: answers taken are
not confirmed; ``ok_outcomes=0``: only outcomes that were not ok are pushed). Every request with a token is
rate limited per person; bodies and WebSocket messages are size limited; every
refusal is ``{"error": "..."}`` with one line that says what was wrong.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json

from engine.agent_server import schemas as s
from engine.agent_server.rate import Bucket
from engine.api import EngineHandle
from engine.contracts.commands import DriveFromOutside
from engine.contracts.enums import BuildingType
from engine.outside import LIMITS, DecisionRequest, Outcome

API_VERSION = "1"
MAX_WAIT_S = 30.0  # the longest a long poll is held
QUEUE_KEPT = 64  # messages kept for a WebSocket that reads slowly (oldest dropped first)


@dataclass
class Limits:
    rate: float = 20.0  # requests per second per person
    burst: float = 40.0
    body_bytes: int = LIMITS.answer_bytes
    people: int = 2_000  # people driven at once


@dataclass
class Session:
    agent: int
    name: str
    token: str
    deadline_s: float
    bucket: Bucket
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_KEPT))
    news: asyncio.Event = field(default_factory=asyncio.Event)
    answered: int = 0  # the newest decision answered here (a second answer to it is refused)
    ok_outcomes: bool = True  # outcomes that were ok are pushed too (off: the next perception says so)

    def push(self, message: dict[str, Any]) -> None:
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(message)
        self.news.set()


def _decision(request: DecisionRequest) -> dict[str, Any]:
    """A ``schemas.Decision`` as JSON-ready data (built directly: one per decision, at 500 agents)."""
    return {"type": "decision", "decision": request.decision, "tick": request.tick,
            "deadline_s": request.deadline_s, "perception": request.perception}


def _outcome(outcome: Outcome) -> dict[str, Any]:
    """A ``schemas.OutcomeMessage`` as JSON-ready data (built directly, as ``_decision``: one per decision)."""
    return {"type": "outcome", "decision": outcome.decision, "tick": outcome.tick, "status": outcome.status,
            "reason": outcome.reason}


def _one_line(error: ValidationError | RequestValidationError) -> str:
    parts = []
    for e in error.errors()[:3]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
    return "; ".join(parts)


class Desk:
    """The sessions: who drives whom, with which token; fed by the engine's exchange."""

    def __init__(self, handle: EngineHandle, limits: Limits):
        self.handle = handle
        self.limits = limits
        self.by_token: dict[str, Session] = {}
        self.by_agent: dict[int, Session] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.register_bucket = Bucket(limits.rate, limits.burst)
        self._incoming: deque[DecisionRequest | Outcome] = deque()  # from the engine thread, for the loop
        self._wake_lock = threading.Lock()
        self._woken = False

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.handle.outside.subscribe(self._from_engine)

    def detach(self) -> None:
        self.handle.outside.unsubscribe(self._from_engine)
        for session in list(self.by_agent.values()):
            self.release(session)

    def _from_engine(self, item: DecisionRequest | Outcome) -> None:
        """Engine thread: hand over to the event loop, never wait. The loop is woken once for all that
        came meanwhile (waking it per item costs the engine a system call and a turn of the GIL each)."""
        loop = self.loop
        self._incoming.append(item)
        with self._wake_lock:
            if self._woken or loop is None or loop.is_closed():
                return
            self._woken = True
        loop.call_soon_threadsafe(self._route)

    def _route(self) -> None:
        with self._wake_lock:
            self._woken = False
        while self._incoming:
            item = self._incoming.popleft()
            session = self.by_agent.get(item.agent)
            if session is None:
                continue
            if isinstance(item, DecisionRequest):
                session.push(_decision(item))
            elif session.ok_outcomes or item.status != "ok":
                session.push(_outcome(item))

    def claim(self, person: int | str, deadline_s: float) -> Session:
        snapshot = self.handle.latest_snapshot()
        if snapshot is None:
            raise HTTPException(503, "the world is not running yet")
        people = snapshot.static.people
        if isinstance(person, str):
            found = [p for p in people if p.name.casefold() == person.strip().casefold() and not p.removed]
            if not found:
                raise HTTPException(404, f"nobody called {person!r} lives here")
            agent = found[0].id
        else:
            agent = person
            if not 0 <= agent < len(people) or people[agent].removed:
                raise HTTPException(404, f"there is no person {agent}")
        if agent in self.by_agent:
            raise HTTPException(409, f"{people[agent].name} is already driven by another program")
        if len(self.by_agent) >= self.limits.people:
            raise HTTPException(503, f"at most {self.limits.people} people may be driven at once")
        session = Session(agent, people[agent].name, secrets.token_urlsafe(24), deadline_s,
                          Bucket(self.limits.rate, self.limits.burst))
        self.by_token[session.token] = session
        self.by_agent[agent] = session
        self.handle.submit(DriveFromOutside(agent=agent, driven=True, who="program", deadline_s=deadline_s))
        return session

    def release(self, session: Session) -> None:
        self.by_token.pop(session.token, None)
        self.by_agent.pop(session.agent, None)
        self.handle.submit(DriveFromOutside(agent=session.agent, driven=False, who="program"))

    def session(self, token: str | None) -> Session:
        session = self.by_token.get(token or "")
        if session is None:
            raise HTTPException(401, "unknown or missing token: register first, then send "
                                     "'Authorization: Bearer <token>'")
        wait = session.bucket.take()
        if wait > 0:
            raise HTTPException(429, f"too many requests for {session.name}: at most "
                                     f"{self.limits.rate:g} a second (burst {self.limits.burst:g}); "
                                     f"retry in {wait:.2f} s", headers={"Retry-After": f"{wait:.2f}"})
        return session

    def answer(self, session: Session, answer: s.Answer) -> s.Accepted:
        if answer.decision:
            waiting = self.handle.outside.waiting(session.agent)
            if waiting is None or waiting.decision != answer.decision:
                raise HTTPException(409, f"decision {answer.decision} is not open: it was already made "
                                         "(see /v1/outcome)")
            if session.answered == answer.decision:
                raise HTTPException(409, f"decision {answer.decision} was already answered")
            session.answered = answer.decision
        actions = json.dumps([a.model_dump() for a in answer.actions], separators=(",", ":"))
        self.handle.outside.hand_in(session.agent, answer.decision, actions)  # taken before the next tick
        return s.Accepted(accepted=answer.decision)


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def create_app(handle: EngineHandle, limits: Limits | None = None) -> FastAPI:
    desk = Desk(handle, limits or Limits())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        desk.attach(asyncio.get_running_loop())
        yield
        desk.detach()  # the people it drove live on their own again

    app = FastAPI(lifespan=lifespan, title="Townsfolk agent API", version=API_VERSION, openapi_url="/v1/openapi.json",
                  docs_url="/v1/docs", redoc_url=None,
                  description="Outside programs living as people in a Townsfolk town.")
    app.state.desk = desk

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": f"malformed request: {_one_line(exc)}", "details": exc.errors()[:10]}, 422)

    @app.middleware("http")
    async def size_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method in ("POST", "PUT", "PATCH"):
            size = request.headers.get("content-length")
            if size is None:
                return JSONResponse({"error": "send a Content-Length (chunked bodies are not accepted)"}, 411)
            if not size.isdigit() or int(size) > desk.limits.body_bytes:
                return JSONResponse({"error": f"the body is larger than {desk.limits.body_bytes} bytes"}, 413)
        return await call_next(request)

    @app.get("/v1")
    async def about() -> dict[str, Any]:
        return {"api": "townsfolk-agents", "version": API_VERSION, "schemas": "/v1/schema",
                "openapi": "/v1/openapi.json"}

    @app.get("/v1/schema")
    async def schema() -> dict[str, Any]:
        """The JSON Schema of every message."""
        return {name: model.model_json_schema() for name, model in s.MESSAGES.items()}

    @app.get("/v1/places", response_model=list[s.Place])
    async def places() -> list[s.Place]:
        """The town's places: what anyone who lives there knows."""
        snapshot = handle.latest_snapshot()
        if snapshot is None:
            raise HTTPException(503, "the world is not running yet")
        return [s.Place(id=b.id, name=b.name, kind=BuildingType(b.type).name.lower(), opens=b.opens, closes=b.closes)
                for b in snapshot.static.buildings if not b.removed]

    @app.get("/v1/people", response_model=list[s.Resident])
    async def people() -> list[s.Resident]:
        """Who lives here (to claim someone), and whether a program drives them already."""
        snapshot = handle.latest_snapshot()
        if snapshot is None:
            raise HTTPException(503, "the world is not running yet")
        return [s.Resident(id=p.id, name=p.name, occupation=p.occupation, driven=p.id in desk.by_agent)
                for p in snapshot.static.people if not p.removed]

    @app.post("/v1/register", response_model=s.Registered, status_code=201)
    async def register(body: s.Register) -> s.Registered:
        wait = desk.register_bucket.take()
        if wait > 0:
            raise HTTPException(429, f"too many registrations; retry in {wait:.2f} s",
                                headers={"Retry-After": f"{wait:.2f}"})
        session = desk.claim(body.person, body.deadline_s)
        return s.Registered(agent=session.agent, name=session.name, token=session.token, deadline_s=session.deadline_s)

    @app.delete("/v1/register", status_code=204)
    async def unregister(authorization: str | None = Header(default=None)) -> Response:
        desk.release(desk.session(_bearer(authorization)))
        return Response(status_code=204)

    @app.get("/v1/decision", response_model=s.Decision, responses={204: {"description": "nothing to decide yet"}})
    async def decision(authorization: str | None = Header(default=None),
                       wait: float = Query(default=10.0, ge=0, le=MAX_WAIT_S)) -> Any:
        """The decision the person waits on; long-polls up to ``wait`` seconds for one."""
        session = desk.session(_bearer(authorization))
        deadline = time.monotonic() + wait
        while True:
            waiting = handle.outside.waiting(session.agent)
            if waiting is not None and waiting.decision != session.answered:
                return _decision(waiting)
            left = deadline - time.monotonic()
            if left <= 0:
                return Response(status_code=204)
            session.news.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(session.news.wait(), left)

    @app.post("/v1/decision", response_model=s.Accepted, status_code=202)
    async def answer(body: s.Answer, authorization: str | None = Header(default=None)) -> s.Accepted:
        return desk.answer(desk.session(_bearer(authorization)), body)

    @app.get("/v1/outcome", response_model=s.OutcomeMessage, responses={204: {"description": "none yet"}})
    async def outcome(authorization: str | None = Header(default=None)) -> Any:
        session = desk.session(_bearer(authorization))
        last = handle.outside.last_outcome(session.agent)
        return _outcome(last) if last is not None else Response(status_code=204)

    answers = TypeAdapter(s.Answer)

    @app.websocket("/v1/ws")
    async def socket(ws: WebSocket, token: str = "", acks: bool = True, ok_outcomes: bool = True) -> None:
        """``acks``: confirm each answer taken (``{"type": "accepted"}``); with ``acks=0`` only refusals
        come back (a program driving hundreds of people need not read a confirmation of every answer).
        ``ok_outcomes``: push every outcome; with ``ok_outcomes=0`` only those that were not ok (late,
        invalid, released): the next decision's perception says how the one before ended
        (``last_outcome``), so a decision costs two messages, not three."""
        session = desk.by_token.get(token)
        await ws.accept()
        if session is None:
            await ws.send_json({"type": "error", "error": "unknown or missing token: register first, "
                                "then connect to /v1/ws?token=<token>"})
            await ws.close(code=4401)
            return
        session.ok_outcomes = ok_outcomes  # as the newest socket asked (each says when it opens)
        waiting = handle.outside.waiting(session.agent)
        last_sent = [0]  # the newest decision sent on this socket: none is sent twice
        if waiting is not None and waiting.decision != session.answered:
            await _send(ws, _decision(waiting))
            last_sent[0] = waiting.decision
        sender = asyncio.create_task(_forward(ws, session, last_sent))
        try:
            while True:
                text = await ws.receive_text()
                if len(text.encode()) > desk.limits.body_bytes:
                    await ws.send_json({"type": "error", "error": f"message larger than {desk.limits.body_bytes} bytes"})
                    continue
                try:
                    desk.session(token)
                    accepted = desk.answer(session, answers.validate_json(text))
                    if acks:
                        await ws.send_text(f'{{"type":"accepted","accepted":{accepted.accepted}}}')
                except ValidationError as exc:
                    await ws.send_json({"type": "error", "error": f"malformed answer: {_one_line(exc)}"})
                except HTTPException as exc:
                    await ws.send_json({"type": "error", "error": exc.detail, "status": exc.status_code})
        except WebSocketDisconnect:
            pass
        finally:
            sender.cancel()

    return app


async def _send(ws: WebSocket, message: dict[str, Any]) -> None:
    """As ``send_json``, through pydantic's JSON encoder: a decision's perception in a quarter of the time."""
    await ws.send_text(to_json(message).decode())


async def _forward(ws: WebSocket, session: Session, last_sent: list[int]) -> None:
    while True:
        message = await session.queue.get()
        if message["type"] == "decision":
            if message["decision"] <= last_sent[0] or message["decision"] == session.answered:
                continue  # already sent when the socket opened, or answered over HTTP meanwhile
            last_sent[0] = message["decision"]
        await _send(ws, message)
