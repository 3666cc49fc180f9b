"""The Ollama adapter: the only module in Townsfolk that imports ``ollama``.

Everything vendor-specific about Ollama lives here: the client and its
timeouts, the request shape (``format`` = the JSON schema, ``options``), and
turning the client's mixed bag of exceptions into ``LLMError`` kinds with
advice a person can act on. Measured client behaviour (see RECIPES.md):

- no server -> the builtin ``ConnectionError`` (the client wraps
  ``httpx.ConnectError``), within milliseconds;
- a slow server -> ``httpx.ReadTimeout``, *not* wrapped; a host that never
  accepts -> ``httpx.ConnectTimeout``; the client's default timeout is none;
- an unknown model -> ``ollama.ResponseError`` with ``status_code`` 404;
  server failures -> ``ResponseError`` with 5xx, or -1 for an error line mid-stream;
- a server dying mid-request -> ``httpx.RemoteProtocolError``/``ReadError``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import numpy as np
import ollama

from engine.llm.backend import (
    MODEL_MISSING,
    NO_MODEL,
    NO_SERVER,
    READY,
    SERVER_ERROR,
    TIMEOUT,
    UNAVAILABLE,
    ChatRequest,
    ChatResult,
    Health,
    LLMConfig,
    LLMError,
)
from engine.llm.hosts import is_loopback, normalise_host
from engine.llm.retry import Backoff, call_with_retries, permanent
from engine.llm.structured import Messages, RawAnswer, structured_chat

T = TypeVar("T")

PROBE_TIMEOUT_S = 5.0  # health checks must answer quickly, whatever the chat timeout
EMBED_BATCH = 128


def same_model(wanted: str, have: str) -> bool:
    """Ollama treats "llama3.2" and "llama3.2:latest" as one model."""

    def full(name: str) -> str:
        name = name.strip().lower()
        return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"

    return full(wanted) == full(have)


class OllamaBackend:
    """Structured chat and embeddings on one Ollama server, with retries and a per-host concurrency bound."""

    def __init__(self, config: LLMConfig, host: str, *, backoff: Backoff | None = None):
        self.config = config
        self.host = normalise_host(host)
        self.model = config.model
        self.embed_model = config.embed_model or config.model
        self.name = f"ollama {self.host} {self.model}"
        # Environment proxies must not capture a server on this machine (httpx has no localhost exception).
        trust_env = not is_loopback(self.host)
        timeout = httpx.Timeout(config.timeout_s, connect=config.connect_timeout_s)
        self._trust_env = trust_env
        self._client = ollama.Client(host=self.host, timeout=timeout, trust_env=trust_env)
        self._probe: ollama.Client | None = None  # short-timeout client for health(), made on first use
        self._probe_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, config.concurrency))
        self._backoff = backoff or Backoff.from_config(config)
        self._rng = random.Random()

    # -- advice ---------------------------------------------------------------------------------

    def _not_running(self) -> str:
        return (f"Ollama isn't running at {self.host}. Start it with `ollama serve`, then `ollama pull {self.model}`. "
                "Townsfolk keeps going on its built-in brain meanwhile.")

    def _no_model(self, model: str) -> str:
        return f"Ollama at {self.host} has no model '{model}'. Run `ollama pull {model}`."

    def _map_error(self, exc: BaseException, model: str) -> LLMError:
        """One ``LLMError`` per way things fail, each with its own advice."""
        host, name = self.host, self.name
        if isinstance(exc, ollama.ResponseError):
            status, detail = exc.status_code, exc.error
            if status == 404:
                return LLMError(MODEL_MISSING, f"Ollama at {host} has no model '{model}' ({detail})",
                                advice=self._no_model(model), backend=name)
            if status >= 500 or status == -1 or status == 429:
                return LLMError(SERVER_ERROR, f"Ollama at {host} failed with '{model}': {detail} (HTTP {status})",
                                advice=f"Ollama at {host} reported an error: {detail}. If it mentions memory, try a "
                                f"smaller model (e.g. `ollama pull llama3.2:1b`). Townsfolk retries by itself.",
                                backend=name)
            return permanent(LLMError(SERVER_ERROR, f"Ollama at {host} refused the request (HTTP {status}): {detail}",
                                      advice=f"Ollama at {host} refused the request: {detail}. Updating Ollama "
                                      "usually fixes this.", backend=name))
        if isinstance(exc, httpx.ConnectTimeout):
            return LLMError(UNAVAILABLE, f"Ollama at {host} did not accept a connection within "
                            f"{self.config.connect_timeout_s:g} s", advice=self._not_running(), backend=name)
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(TIMEOUT, f"Ollama at {host} took longer than {self.config.timeout_s:g} s with '{model}'",
                            advice=f"Ollama at {host} is too slow with '{model}'. A smaller model "
                            "(`ollama pull llama3.2:1b`), fewer thinking agents or a longer timeout in Settings helps. "
                            "Townsfolk keeps going on its built-in brain meanwhile.", backend=name)
        if isinstance(exc, ConnectionError | httpx.ConnectError):
            return LLMError(UNAVAILABLE, f"Ollama isn't running at {host} (connection refused)",
                            advice=self._not_running(), backend=name)
        if isinstance(exc, httpx.TransportError):
            return LLMError(UNAVAILABLE, f"The connection to Ollama at {host} broke: {exc or type(exc).__name__}",
                            advice=f"Check that Ollama is still running at {host} (`ollama serve`). Townsfolk retries "
                            "by itself and uses its built-in brain meanwhile.", backend=name)
        return permanent(LLMError(SERVER_ERROR, f"{host} answered in a format that isn't Ollama's: {exc}",
                                  advice=f"Is {host} really Ollama? An OpenAI-compatible server's address should end "
                                  "in /v1.", backend=name))

    # -- requests ---------------------------------------------------------------------------------

    def _guarded(self, fn: Callable[[], T], model: str) -> T:
        """One HTTP request inside a concurrency slot, its failure mapped to an ``LLMError``."""
        with self._slots:
            try:
                return fn()
            except (ConnectionError, httpx.HTTPError, ollama.ResponseError, ValueError, TypeError) as exc:
                raise self._map_error(exc, model) from exc

    def _send(self, messages: Messages, request: ChatRequest) -> RawAnswer:
        options: dict[str, Any] = {"temperature": request.temperature, "num_predict": request.max_tokens}
        if request.seed is not None:
            options["seed"] = request.seed
        wire = [{"role": role, "content": content} for role, content in messages]

        def once() -> RawAnswer:
            response = self._client.chat(model=self.model, messages=wire, format=request.schema,
                                         options=options, stream=False)
            return RawAnswer(response.message.content or "", response.prompt_eval_count or 0,
                             response.eval_count or 0, truncated=response.done_reason == "length")

        return call_with_retries(lambda: self._guarded(once, self.model), self._backoff, self._rng)

    def chat(self, request: ChatRequest) -> ChatResult:
        return structured_chat(request, lambda messages: self._send(messages, request), self.name,
                               f"The model '{self.model}' at {self.host}")

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        def once() -> list[list[float]]:
            response = self._client.embed(model=self.embed_model, input=batch)
            return [list(row) for row in response.embeddings]

        rows = call_with_retries(lambda: self._guarded(once, self.embed_model), self._backoff, self._rng)
        if len(rows) != len(batch):
            raise LLMError(SERVER_ERROR, f"Ollama at {self.host} returned {len(rows)} embeddings for {len(batch)} texts",
                           advice="Updating Ollama usually fixes this.", backend=self.name)
        return rows

    def embed(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), d)`` float32, rows L2-normalised; ``(0, 0)`` for no texts."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        rows: list[list[float]] = []
        for start in range(0, len(texts), EMBED_BATCH):
            rows.extend(self._embed_batch(texts[start : start + EMBED_BATCH]))
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return matrix

    # -- health -----------------------------------------------------------------------------------

    def _probe_client(self) -> ollama.Client:
        with self._probe_lock:
            if self._probe is None:
                timeout = httpx.Timeout(min(PROBE_TIMEOUT_S, self.config.timeout_s),
                                        connect=self.config.connect_timeout_s)
                self._probe = ollama.Client(host=self.host, timeout=timeout, trust_env=self._trust_env)
            return self._probe

    def health(self) -> Health:
        """Is the server there, and does it have our models? Never raises; quick even when the server hangs."""
        probe = self._probe_client()
        try:
            response = probe._client.get("/api/version")  # the client has no method for this
            response.raise_for_status()
            version = str(response.json().get("version", "?"))
            listing = probe.list()
        except httpx.HTTPStatusError as exc:
            return Health(NO_SERVER, f"Something answers at {self.host} but it isn't Ollama (GET /api/version gave "
                          f"HTTP {exc.response.status_code}). An OpenAI-compatible server's address should end in /v1.")
        except (ConnectionError, httpx.HTTPError, ollama.ResponseError, ValueError, TypeError, AttributeError) as exc:
            error = self._map_error(exc, self.model)
            if error.kind == TIMEOUT:
                return Health(NO_SERVER, f"Ollama at {self.host} isn't answering (it took longer than "
                              f"{min(PROBE_TIMEOUT_S, self.config.timeout_s):g} s). Restart it with `ollama serve`. "
                              "Townsfolk keeps going on its built-in brain meanwhile.")
            return Health(NO_SERVER, error.advice)
        models = tuple(m.model for m in listing.models if m.model)
        wanted = [self.model] + ([self.config.embed_model] if self.config.embed_model else [])
        for model in wanted:
            if not any(same_model(model, have) for have in models):
                return Health(NO_MODEL, self._no_model(model), models)
        return Health(READY, f"Ollama {version} at {self.host} is ready with '{self.model}'.", models)

    def close(self) -> None:
        self._client.close()
        with self._probe_lock:
            if self._probe is not None:
                self._probe.close()
