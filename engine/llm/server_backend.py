"""What every backend that talks HTTP to a model server does the same way.

The Ollama and OpenAI-compatible backends differ in the request shapes and in
how they talk about their server; everything else lives here once: the client
timeouts (a short one for health probes), the per-host concurrency bound, the
retries with backoff, turning a failed request into an ``LLMError`` kind (by
HTTP status, or by httpx exception), the structured-answer round with its
repair attempt, embedding in batches, and the shape of a health check.

Both backends reach their server through httpx (the ollama SDK wraps it), so
one ladder of httpx exceptions classifies failures for both. The words differ:
each backend passes a ``ServerWords`` with its own messages and advice.
"""

from __future__ import annotations

import random
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import httpx
import numpy as np

from engine.contracts.thinking import LLMErrorKind, LLMHealth
from engine.llm import cancel, deadline
from engine.llm.backend import ChatRequest, ChatResult, Health, LLMConfig, LLMError
from engine.llm.hosts import is_loopback
from engine.llm.retry import Backoff, call_with_retries, permanent
from engine.llm.structured import Messages, RawAnswer, structured_chat

T = TypeVar("T")

PROBE_TIMEOUT_S = 5.0  # health checks must answer quickly, whatever the chat timeout
EMBED_BATCH = 128  # texts per embedding request

# What a request to a model server may raise besides LLMError: transport failures and answers
# of the wrong shape. Backends add their vendor's own exceptions.
WIRE_FAILURES: tuple[type[Exception], ...] = (ConnectionError, httpx.HTTPError, ValueError, TypeError)


@dataclass(frozen=True)
class ServerWords:
    """How one kind of server is named in errors and health messages: ``str.format`` templates.

    Fields a template may use: ``where`` (the server's URL), ``chat_model`` (the configured chat
    model), ``model`` (the model of the failing request), ``detail`` and ``status`` (an HTTP
    error), ``exc`` (the exception), ``timeout``/``connect``/``probe`` (seconds), ``got`` and
    ``wanted`` (embedding counts), ``listed`` (" It offers: a, b." or "").
    """

    not_running: str  # advice when nothing answers at the address
    no_model: str  # advice when the server lacks a model
    missing: str  # HTTP 404 for a model
    missing_hint: str  # appended to ``no_model`` after a 404
    failed: str  # HTTP 5xx or 429: the server is struggling, retrying may help
    failed_advice: str
    rejected: str  # any other HTTP error: the request itself is refused, retrying will not help
    rejected_advice: str
    connect_timeout: str
    slow: str  # the answer took longer than the timeout
    slow_advice: str
    nothing_listening: str  # connection refused
    broken: str  # the connection died mid-request
    broken_advice: str
    alien: str  # the answer is not what this kind of server sends
    alien_advice: str
    not_answering: str  # the health probe timed out
    wrong_count: str  # a different number of embeddings than texts
    wrong_count_advice: str
    wants_key: str | None = None  # HTTP 401/403; None: reported as ``rejected``
    wants_key_advice: str = ""


class ModelServerBackend(ABC):
    """An ``LLMBackend`` on one model server; subclasses say how to ask it and how to name it."""

    words: ClassVar[ServerWords]
    failures: ClassVar[tuple[type[Exception], ...]] = WIRE_FAILURES

    def __init__(self, config: LLMConfig, url: str, label: str, backoff: Backoff | None = None):
        self.config = config
        self.url = url
        self.model = config.model
        self.embed_model = config.embed_model or config.model
        self.name = f"{label} {url} {self.model}"
        # Environment proxies must not capture a server on this machine (httpx has no localhost exception).
        self._trust_env = not is_loopback(url)
        self._timeout = httpx.Timeout(config.timeout_s, connect=config.connect_timeout_s)
        self._probe_timeout_s = min(PROBE_TIMEOUT_S, config.timeout_s)
        self._probe_timeout = httpx.Timeout(self._probe_timeout_s, connect=config.connect_timeout_s)
        self._slots = threading.BoundedSemaphore(max(1, config.concurrency))
        self._backoff = backoff or Backoff.from_config(config)
        self._rng = random.Random()

    # -- what each kind of server does its own way ------------------------------------------------

    @abstractmethod
    def _send(self, messages: Messages, request: ChatRequest) -> RawAnswer:
        """One chat round trip (with retries), the answer not yet checked."""

    @abstractmethod
    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        """Raw embeddings of at most ``EMBED_BATCH`` texts (with retries)."""

    @abstractmethod
    def _inventory(self) -> tuple[tuple[str, ...], str] | Health:
        """The models the server offers and a "ready" message; or a ``Health`` when it is not the right server.

        May raise any of ``failures`` (or AttributeError), which ``health`` turns into words.
        """

    @abstractmethod
    def close(self) -> None: ...

    def _has_model(self, model: str, offered: tuple[str, ...]) -> bool:
        return model in offered

    # -- words --------------------------------------------------------------------------------------

    def _say(self, template: str, **fields: Any) -> str:
        return template.format(where=self.url, chat_model=self.model, timeout=self.config.timeout_s,
                               connect=self.config.connect_timeout_s, probe=self._probe_timeout_s, **fields)

    def _not_running(self) -> str:
        return self._say(self.words.not_running)

    def _no_model(self, model: str, offered: tuple[str, ...] = ()) -> str:
        listed = f" It offers: {', '.join(offered)}." if offered else ""
        return self._say(self.words.no_model, model=model, listed=listed)

    # -- failures -----------------------------------------------------------------------------------

    def _status_error(self, status: int, detail: str, model: str) -> LLMError:
        """An HTTP error status (or -1, Ollama's error line mid-stream) as an ``LLMError``."""
        words, name = self.words, self.name
        if status == 404:
            return LLMError(LLMErrorKind.MODEL_MISSING, self._say(words.missing, model=model, detail=detail),
                            advice=self._no_model(model) + words.missing_hint, backend=name)
        if status >= 500 or status in (-1, 429):
            return LLMError(LLMErrorKind.SERVER_ERROR, self._say(words.failed, model=model, detail=detail, status=status),
                            advice=self._say(words.failed_advice, detail=detail), backend=name)
        if status in (401, 403) and words.wants_key is not None:
            return permanent(LLMError(LLMErrorKind.SERVER_ERROR,
                                      self._say(words.wants_key, detail=detail, status=status),
                                      advice=self._say(words.wants_key_advice), backend=name))
        return permanent(LLMError(LLMErrorKind.SERVER_ERROR, self._say(words.rejected, detail=detail, status=status),
                                  advice=self._say(words.rejected_advice, detail=detail), backend=name))

    def _map_error(self, exc: BaseException, model: str) -> LLMError:
        """A transport failure or a malformed answer as an ``LLMError``, each way of failing with its advice."""
        words, name = self.words, self.name
        if isinstance(exc, httpx.ConnectTimeout):
            return LLMError(LLMErrorKind.UNAVAILABLE, self._say(words.connect_timeout),
                            advice=self._not_running(), backend=name)
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(LLMErrorKind.TIMEOUT, self._say(words.slow, model=model),
                            advice=self._say(words.slow_advice, model=model), backend=name)
        if isinstance(exc, ConnectionError | httpx.ConnectError):
            return LLMError(LLMErrorKind.UNAVAILABLE, self._say(words.nothing_listening),
                            advice=self._not_running(), backend=name)
        if isinstance(exc, httpx.TransportError):
            return LLMError(LLMErrorKind.UNAVAILABLE, self._say(words.broken, exc=exc),
                            advice=self._say(words.broken_advice), backend=name)
        return permanent(LLMError(LLMErrorKind.SERVER_ERROR, self._say(words.alien, exc=exc),
                                  advice=self._say(words.alien_advice), backend=name))

    # -- requests -----------------------------------------------------------------------------------

    def _guarded(self, fn: Callable[[], T], model: str) -> T:
        """One HTTP request inside a concurrency slot, within ``timeout_s`` from connecting to the answer's last
        byte (however slowly it trickles), its failure mapped to an ``LLMError``; a call cancelled meanwhile
        (``engine.llm.cancel``) ends as ``CANCELLED``, whatever the closed connection looked like."""
        with self._slots:
            try:
                with deadline.within(self.config.timeout_s):
                    return fn()
            except self.failures as exc:
                token = cancel.current()
                # A server that refused the connection is down whether or not the call was stopped meanwhile
                # (say, while it waited to try again): that must reach the host's health, not pass as a stop.
                if token is not None and token.cancelled and not isinstance(exc, ConnectionError | httpx.ConnectError):
                    raise LLMError(LLMErrorKind.CANCELLED, f"{self.name}: the call was stopped ({token.reason})",
                                   backend=self.name) from exc
                raise self._map_error(exc, model) from exc

    def _with_retries(self, fn: Callable[[], T], model: str) -> T:
        return call_with_retries(lambda: self._guarded(fn, model), self._backoff, self._rng)

    def chat(self, request: ChatRequest) -> ChatResult:
        return structured_chat(request, lambda messages: self._send(messages, request), self.name,
                               f"The model '{self.model}' at {self.url}")

    def embed(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), d)`` float32, rows L2-normalised; ``(0, 0)`` for no texts."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        rows: list[list[float]] = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            got = self._embed_batch(batch)
            if len(got) != len(batch):
                raise LLMError(LLMErrorKind.SERVER_ERROR, self._say(self.words.wrong_count, got=len(got),
                                                                    wanted=len(batch)),
                               advice=self._say(self.words.wrong_count_advice), backend=self.name)
            rows.extend(got)
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return matrix

    # -- health -------------------------------------------------------------------------------------

    def health(self) -> Health:
        """Is the server there, and does it have our models? Never raises; quick even when the server hangs."""
        # A probe also reads fields of the answer, which may be missing on a server of the wrong kind.
        probe_failures: tuple[type[Exception], ...] = (*self.failures, AttributeError)
        try:
            with deadline.within(self._probe_timeout_s + self.config.connect_timeout_s):
                found = self._inventory()
        except probe_failures as exc:
            error = self._map_error(exc, self.model)
            if error.kind == LLMErrorKind.TIMEOUT:
                return Health(LLMHealth.NO_SERVER, self._say(self.words.not_answering))
            return Health(LLMHealth.NO_SERVER, error.advice)
        if isinstance(found, Health):
            return found
        offered, ready = found
        wanted = [self.model] + ([self.config.embed_model] if self.config.embed_model else [])
        for model in wanted:
            if not self._has_model(model, offered):
                return Health(LLMHealth.NO_MODEL, self._no_model(model, offered), offered)
        return Health(LLMHealth.READY, ready, offered)
