"""Stopping a call to a model server while it runs: a chat may not wait behind a background thought.

A one-thread server answers one request at a time, so a chat asked while a background
thought is being generated would wait for all of it. ``CancelToken.cancel`` asks the call
running under ``cancellable(token)`` to stop: ``DeadlineTransport`` checks the token
between the chunks of a streamed answer and closes the connection, and the server stops
generating when its client hangs up (Ollama does; so do the Ollama-wire llama.cpp server and
llama.cpp's own OpenAI-compatible server for streamed answers). A token cancelled before
the request is sent stops it from being sent at all. The backend turns the stop into an
``LLMError`` of kind ``CANCELLED``, which is never retried and never benches a host.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

_local = threading.local()


class CancelToken:
    """Set once, from any thread; read by the thread making the call."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class CallCancelled(httpx.TransportError):
    """Raised between the chunks of an answer whose call was cancelled (the connection is then closed)."""


@contextmanager
def cancellable(token: CancelToken) -> Iterator[CancelToken]:
    """Calls this thread makes inside the block stop when ``token`` is cancelled."""
    outer = getattr(_local, "token", None)
    _local.token = token
    try:
        yield token
    finally:
        _local.token = outer


def current() -> CancelToken | None:
    """The token the calls of this thread answer to (None: they run to the end)."""
    token: CancelToken | None = getattr(_local, "token", None)
    return token
