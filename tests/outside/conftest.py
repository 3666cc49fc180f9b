"""A village running on its engine thread with the agent API in front of it, on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from engine import api
from engine.agent_server import AgentServer
from engine.agent_server.app import Limits
from engine.contracts.commands import Play, SetSpeed


@pytest.fixture
def handle() -> Iterator[api.EngineHandle]:
    h = api.EngineHandle(api.new_world(25, seed=3, template="village"), seed=1, minds=True, embedder="hashing")
    h.start()
    h.submit(SetSpeed(ticks_per_second=40))
    h.submit(Play())
    yield h
    h.stop()


@pytest.fixture
def limits() -> Limits:
    return Limits()


@pytest.fixture
def server(handle: api.EngineHandle, limits: Limits) -> Iterator[AgentServer]:
    s = AgentServer(handle, port=0, limits=limits)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def client(server: AgentServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=20) as c:
        yield c
