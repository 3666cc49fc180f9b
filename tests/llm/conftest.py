"""Fixtures: fake model servers on loopback, started per test and always stopped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest

from engine.llm.backend import LLMConfig
from tests.llm.fake_ollama_server import FakeOllamaServer
from tests.llm.fake_openai_server import FakeOpenAIServer
from tests.llm.loopback import free_port

B = TypeVar("B")
_opened: list[object] = []


def track(backend: B) -> B:
    """Close this backend (its HTTP connections) when the test ends."""
    _opened.append(backend)
    return backend


@pytest.fixture(autouse=True)
def _close_tracked() -> Iterator[None]:
    yield
    while _opened:
        _opened.pop().close()  # type: ignore[attr-defined]


# Tiny timeouts and backoff keep failure tests fast; behaviour is the same as with the defaults.
FAST = {"retry_base_s": 0.01, "retry_cap_s": 0.05}


def fast_config(**overrides: object) -> LLMConfig:
    values: dict[str, object] = {"brain": "ollama", "model": "llama3.2", "timeout_s": 0.3, "connect_timeout_s": 0.3,
                                 "retries": 2, "extra": dict(FAST)}
    values.update(overrides)
    return LLMConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def ollama_server() -> Iterator[FakeOllamaServer]:
    server = FakeOllamaServer().start()
    yield server
    server.stop()


@pytest.fixture
def second_ollama_server() -> Iterator[FakeOllamaServer]:
    server = FakeOllamaServer().start()
    yield server
    server.stop()


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}"
