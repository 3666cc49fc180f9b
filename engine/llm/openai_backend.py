"""An OpenAI-compatible server (vLLM, llama.cpp's llama-server, LM Studio) over plain httpx.

People with a GPU box often already run one of these, and all speak the same
``/v1`` dialect: ``chat/completions`` with ``response_format`` json_schema,
``models``, ``embeddings``. No SDK is needed for three endpoints, and httpx
gives us the same exception types as the Ollama path, so the error mapping,
the repair round and the retries behave identically.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import numpy as np

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
from engine.llm.hosts import is_loopback
from engine.llm.retry import Backoff, call_with_retries, permanent
from engine.llm.structured import Messages, RawAnswer, structured_chat

T = TypeVar("T")

PROBE_TIMEOUT_S = 5.0
EMBED_BATCH = 128


def _error_detail(response: httpx.Response) -> str:
    """The human part of an error body; servers disagree on where they put it."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error", body.get("detail", body.get("message", body)))
        if isinstance(error, dict):
            error = error.get("message", error)
        return str(error)[:300]
    return str(body)[:300]


class OpenAICompatBackend:
    """Structured chat and embeddings on one OpenAI-compatible server; ``base_url`` ends in ``/v1``."""

    def __init__(self, config: LLMConfig, base_url: str, *, api_key: str | None = None,
                 backoff: Backoff | None = None):
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.model = config.model
        self.embed_model = config.embed_model or config.model
        self.name = f"openai {self.base_url} {self.model}"
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(base_url=self.base_url, headers=headers,
                                  timeout=httpx.Timeout(config.timeout_s, connect=config.connect_timeout_s),
                                  trust_env=not is_loopback(self.base_url))
        self._probe_timeout = httpx.Timeout(min(PROBE_TIMEOUT_S, config.timeout_s), connect=config.connect_timeout_s)
        self._slots = threading.BoundedSemaphore(max(1, config.concurrency))
        self._backoff = backoff or Backoff.from_config(config)
        self._rng = random.Random()

    def _not_running(self) -> str:
        return (f"No OpenAI-compatible server is answering at {self.base_url}. Start it (vLLM, llama.cpp's "
                "llama-server or LM Studio's local server) or fix the address in Settings. "
                "Townsfolk keeps going on its built-in brain meanwhile.")

    def _no_model(self, model: str, offered: tuple[str, ...] = ()) -> str:
        listed = f" It offers: {', '.join(offered)}." if offered else ""
        return (f"The server at {self.base_url} has no model '{model}'.{listed} Load '{model}' there "
                "or set the model name in Settings to one it offers.")

    def _status_error(self, response: httpx.Response, model: str) -> LLMError:
        status, detail, base = response.status_code, _error_detail(response), self.base_url
        if status == 404:
            return LLMError(MODEL_MISSING, f"The server at {base} has no model '{model}' ({detail})",
                            advice=self._no_model(model) + " Check that the address ends in /v1.", backend=self.name)
        if status >= 500 or status == 429:
            return LLMError(SERVER_ERROR, f"The server at {base} failed (HTTP {status}): {detail}",
                            advice=f"The server at {base} reported an error: {detail}. Townsfolk retries by itself.",
                            backend=self.name)
        if status in (401, 403):
            return permanent(LLMError(SERVER_ERROR, f"The server at {base} wants a key (HTTP {status}): {detail}",
                                      advice="Set the server's API key as `api_key` in the LLM settings.",
                                      backend=self.name))
        return permanent(LLMError(SERVER_ERROR, f"The server at {base} refused the request (HTTP {status}): {detail}",
                                  advice=f"The server at {base} refused the request: {detail}. It may not support "
                                  "JSON-schema answers (response_format); vLLM, llama-server and LM Studio do.",
                                  backend=self.name))

    def _map_error(self, exc: BaseException, model: str) -> LLMError:
        base, name = self.base_url, self.name
        if isinstance(exc, httpx.ConnectTimeout):
            return LLMError(UNAVAILABLE, f"{base} did not accept a connection within "
                            f"{self.config.connect_timeout_s:g} s", advice=self._not_running(), backend=name)
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(TIMEOUT, f"The server at {base} took longer than {self.config.timeout_s:g} s with '{model}'",
                            advice=f"The server at {base} is too slow with '{model}'. A smaller model, fewer thinking "
                            "agents or a longer timeout in Settings helps. Townsfolk keeps going on its built-in "
                            "brain meanwhile.", backend=name)
        if isinstance(exc, httpx.ConnectError | ConnectionError):
            return LLMError(UNAVAILABLE, f"Nothing is listening at {base} (connection refused)",
                            advice=self._not_running(), backend=name)
        if isinstance(exc, httpx.TransportError):
            return LLMError(UNAVAILABLE, f"The connection to {base} broke: {exc or type(exc).__name__}",
                            advice=f"Check that the server at {base} is still running. Townsfolk retries by itself "
                            "and uses its built-in brain meanwhile.", backend=name)
        return permanent(LLMError(SERVER_ERROR, f"{base} answered in an unexpected format: {exc!r}",
                                  advice=f"Is {base} really an OpenAI-compatible server? Its address should end in "
                                  "/v1 (an Ollama address should not).", backend=name))

    def _guarded(self, fn: Callable[[], T], model: str) -> T:
        with self._slots:
            try:
                return fn()
            except LLMError:
                raise
            except (ConnectionError, httpx.HTTPError, ValueError, TypeError, KeyError, IndexError) as exc:
                raise self._map_error(exc, model) from exc

    def _post(self, path: str, body: dict[str, Any], model: str) -> Any:
        def once() -> Any:
            response = self._http.post(path, json=body)
            if response.status_code >= 400:
                raise self._status_error(response, model)
            return response.json()

        return call_with_retries(lambda: self._guarded(once, model), self._backoff, self._rng)

    def _send(self, messages: Messages, request: ChatRequest) -> RawAnswer:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": role, "content": content} for role, content in messages],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "answer", "schema": request.schema, "strict": True}},
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stream": False,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        data = self._post("chat/completions", body, self.model)
        try:
            choice = data["choices"][0]
            usage = data.get("usage") or {}
            return RawAnswer(choice["message"].get("content") or "", int(usage.get("prompt_tokens") or 0),
                             int(usage.get("completion_tokens") or 0), truncated=choice.get("finish_reason") == "length")
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise self._map_error(exc, self.model) from exc

    def chat(self, request: ChatRequest) -> ChatResult:
        return structured_chat(request, lambda messages: self._send(messages, request), self.name,
                               f"The model '{self.model}' at {self.base_url}")

    def embed(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), d)`` float32, rows L2-normalised; ``(0, 0)`` for no texts."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        rows: list[list[float]] = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            data = self._post("embeddings", {"model": self.embed_model, "input": batch}, self.embed_model)
            try:
                items = sorted(data["data"], key=lambda item: item.get("index", 0))
                got = [list(item["embedding"]) for item in items]
            except (KeyError, TypeError, AttributeError) as exc:
                raise self._map_error(exc, self.embed_model) from exc
            if len(got) != len(batch):
                raise LLMError(SERVER_ERROR, f"{self.base_url} returned {len(got)} embeddings for {len(batch)} texts",
                               advice="The server's embeddings endpoint misbehaves; try another embedding model.",
                               backend=self.name)
            rows.extend(got)
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return matrix

    def health(self) -> Health:
        """Is the server there and does it list our models? Never raises."""
        try:
            response = self._http.get("models", timeout=self._probe_timeout)
            if response.status_code >= 400:
                return Health(NO_SERVER, f"The server at {self.base_url} answered GET /models with HTTP "
                              f"{response.status_code}: {_error_detail(response)}. Check that the address ends in /v1.")
            offered = tuple(str(m["id"]) for m in response.json().get("data", []))
        except (ConnectionError, httpx.HTTPError, ValueError, TypeError, KeyError, AttributeError) as exc:
            error = self._map_error(exc, self.model)
            if error.kind == TIMEOUT:
                return Health(NO_SERVER, f"The server at {self.base_url} isn't answering (GET /models timed out). "
                              "Townsfolk keeps going on its built-in brain meanwhile.")
            return Health(NO_SERVER, error.advice)
        wanted = [self.model] + ([self.config.embed_model] if self.config.embed_model else [])
        for model in wanted:
            if model not in offered:
                return Health(NO_MODEL, self._no_model(model, offered), offered)
        return Health(READY, f"The server at {self.base_url} is ready with '{self.model}'.", offered)

    def close(self) -> None:
        self._http.close()
