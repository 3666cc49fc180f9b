"""A total deadline for one call to a model server: connect, first byte and the whole answer.

httpx's timeouts bound each socket operation, not the request: a server that accepts
and then sends one byte every few seconds never trips them, and a hung thinking call
stalls a lockstep run. ``within(seconds)`` sets a deadline for everything the current
thread sends until it ends; ``DeadlineTransport`` shortens every operation's timeout to
the time left and checks the clock between the chunks of an answer, so a trickle ends
as an ``httpx.ReadTimeout`` when the deadline passes. The same check between chunks stops an
answer whose call was cancelled (``engine.llm.cancel``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from engine.llm import cancel

_local = threading.local()


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Everything this thread sends to a model server inside the block ends within ``seconds`` (nested: the
    earlier deadline wins)."""
    outer = getattr(_local, "end", None)
    end = time.monotonic() + max(0.0, seconds)
    _local.end = end if outer is None else min(outer, end)
    try:
        yield
    finally:
        _local.end = outer


def remaining() -> float | None:
    """Seconds left before this thread's deadline (None: no deadline)."""
    end = getattr(_local, "end", None)
    return None if end is None else end - time.monotonic()


class _DeadlineStream(httpx.SyncByteStream):
    def __init__(self, inner: Any, end: float | None, request: httpx.Request, token: cancel.CancelToken | None):
        self._inner = inner
        self._end = end
        self._request = request
        self._token = token

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if self._token is not None and self._token.cancelled:
                raise cancel.CallCancelled(f"cancelled: {self._token.reason}", request=self._request)
            if self._end is not None and time.monotonic() > self._end:
                raise httpx.ReadTimeout("the whole answer took longer than the deadline", request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class DeadlineTransport(httpx.HTTPTransport):
    """An ``HTTPTransport`` that holds every request to the deadline set by ``within`` and stops it when the
    thread's ``cancel`` token is cancelled."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        left = remaining()
        token = cancel.current()
        if token is not None and token.cancelled:
            raise cancel.CallCancelled(f"cancelled: {token.reason}", request=request)
        if left is None:
            response = super().handle_request(request)
            if token is not None:
                response.stream = _DeadlineStream(response.stream, None, request, token)
            return response
        if left <= 0:
            raise httpx.ReadTimeout("no time left before the deadline", request=request)
        timeouts = dict(request.extensions.get("timeout") or {})
        request.extensions["timeout"] = {
            key: left if value is None else min(float(value), left)
            for key, value in {"connect": None, "read": None, "write": None, "pool": None, **timeouts}.items()
        }
        response = super().handle_request(request)
        response.stream = _DeadlineStream(response.stream, time.monotonic() + left, request, token)
        return response
