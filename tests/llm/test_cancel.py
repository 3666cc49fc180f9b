"""Stopping a call in flight: the connection closes between chunks, the server sees the client leave,
and the call ends as CANCELLED at once, never retried and never held against the host."""

from __future__ import annotations

import threading
import time

import pytest

from engine.contracts.thinking import LLMErrorKind
from engine.llm.backend import ChatRequest, LLMError
from engine.llm.cancel import CancelToken, cancellable
from engine.llm.ollama_backend import OllamaBackend
from engine.llm.pool import HostPool
from tests.llm.conftest import fast_config, track
from tests.llm.fake_ollama_server import FakeOllamaServer
from tests.llm.loopback import Trickle

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
REQUEST = ChatRequest((("user", "Count slowly."),), SCHEMA)


def call_in_thread(backend: object, token: CancelToken) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        with cancellable(token):
            try:
                backend.chat(REQUEST)  # type: ignore[attr-defined]
            except BaseException as error:  # handed to the test
                raised.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, raised


@pytest.mark.parametrize("pooled", [False, True])
def test_a_cancelled_call_closes_the_connection_and_ends_as_cancelled(ollama_server: FakeOllamaServer,
                                                                       pooled: bool) -> None:
    trickle = Trickle(every=0.02)
    ollama_server.push(trickle)
    one = OllamaBackend(fast_config(timeout_s=30.0), ollama_server.url)
    backend = track(HostPool([one]) if pooled else one)
    token = CancelToken()
    thread, raised = call_in_thread(backend, token)
    time.sleep(0.3)  # the answer is streaming
    started = time.monotonic()
    token.cancel("made way for a chat")
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 2.0
    (error,) = raised
    assert isinstance(error, LLMError) and error.kind == LLMErrorKind.CANCELLED
    assert "made way for a chat" in str(error)
    assert trickle.client_left.wait(2), "the server did not see the client leave"
    assert len(ollama_server.posts("/api/chat")) == 1  # not retried
    if pooled:
        assert all(up for _, up, _ in backend.status())  # type: ignore[attr-defined]  # not benched


def test_a_call_cancelled_before_it_is_sent_is_never_sent(ollama_server: FakeOllamaServer) -> None:
    backend = track(OllamaBackend(fast_config(), ollama_server.url))
    token = CancelToken()
    token.cancel("stale")
    with cancellable(token), pytest.raises(LLMError) as caught:
        backend.chat(REQUEST)
    assert caught.value.kind == LLMErrorKind.CANCELLED
    assert ollama_server.posts("/api/chat") == []
