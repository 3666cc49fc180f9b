"""The Ollama adapter: the only module in Townsfolk that imports ``ollama``.

Everything vendor-specific about Ollama lives here: the client, the request
shape (``format`` = the JSON schema, ``options``), the client's own exception
for error answers, and Ollama's words in errors and advice. Retries, timeouts,
error classification and the health check are shared with the OpenAI-compatible
backend (``server_backend.py``). How the ollama client fails, as measured:

- no server -> the builtin ``ConnectionError`` (the client wraps
  ``httpx.ConnectError``), within milliseconds;
- a slow server -> ``httpx.ReadTimeout``, *not* wrapped; a host that never
  accepts -> ``httpx.ConnectTimeout``; the client's default timeout is none;
- an unknown model -> ``ollama.ResponseError`` with ``status_code`` 404;
  server failures -> ``ResponseError`` with 5xx, or -1 for an error line mid-stream;
- a server dying mid-request -> ``httpx.RemoteProtocolError``/``ReadError``.

Answers are streamed (one line per token), so a call can be stopped between tokens by
closing the connection (``engine.llm.cancel``); Ollama stops generating when its client
leaves. The last line carries the token counts and the server's own timings.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
import ollama

from engine.contracts.thinking import LLMHealth
from engine.llm.backend import ChatRequest, Health, LLMConfig, LLMError
from engine.llm.deadline import DeadlineTransport
from engine.llm.hosts import normalise_host
from engine.llm.retry import Backoff
from engine.llm.server_backend import WIRE_FAILURES, ModelServerBackend, ServerWords
from engine.llm.structured import Messages, RawAnswer

_SMALLER = "`ollama pull llama3.2:1b`"
_MEANWHILE = "Townsfolk keeps going on its built-in brain meanwhile."

OLLAMA_WORDS = ServerWords(
    not_running="Ollama isn't running at {where}. Start it with `ollama serve`, then `ollama pull {chat_model}`. "
    + _MEANWHILE,
    no_model="Ollama at {where} has no model '{model}'. Run `ollama pull {model}`.",
    missing="Ollama at {where} has no model '{model}' ({detail})",
    missing_hint="",
    failed="Ollama at {where} failed with '{model}': {detail} (HTTP {status})",
    failed_advice="Ollama at {where} reported an error: {detail}. If it mentions memory, try a smaller model (e.g. "
    + _SMALLER + "). Townsfolk retries by itself.",
    rejected="Ollama at {where} refused the request (HTTP {status}): {detail}",
    rejected_advice="Ollama at {where} refused the request: {detail}. Updating Ollama usually fixes this.",
    connect_timeout="Ollama at {where} did not accept a connection within {connect:g} s",
    slow="Ollama at {where} took longer than {timeout:g} s with '{model}'",
    slow_advice="Ollama at {where} is too slow with '{model}'. A smaller model (" + _SMALLER + "), fewer thinking "
    "agents or a longer timeout in Settings helps. " + _MEANWHILE,
    nothing_listening="Ollama isn't running at {where} (connection refused)",
    broken="The connection to Ollama at {where} broke: {exc}",
    broken_advice="Check that Ollama is still running at {where} (`ollama serve`). Townsfolk retries by itself and "
    "uses its built-in brain meanwhile.",
    alien="{where} answered in a format that isn't Ollama's: {exc}",
    alien_advice="Is {where} really Ollama? An OpenAI-compatible server's address should end in /v1.",
    not_answering="Ollama at {where} isn't answering (it took longer than {probe:g} s). Restart it with "
    "`ollama serve`. " + _MEANWHILE,
    wrong_count="Ollama at {where} returned {got} embeddings for {wanted} texts",
    wrong_count_advice="Updating Ollama usually fixes this.",
)


def same_model(wanted: str, have: str) -> bool:
    """Ollama treats "llama3.2" and "llama3.2:latest" as one model."""

    def full(name: str) -> str:
        name = name.strip().lower()
        return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"

    return full(wanted) == full(have)


class OllamaBackend(ModelServerBackend):
    """Structured chat and embeddings on one Ollama server, with retries and a per-host concurrency bound."""

    words = OLLAMA_WORDS
    failures = (*WIRE_FAILURES, ollama.ResponseError)

    def __init__(self, config: LLMConfig, host: str, *, backoff: Backoff | None = None):
        self.host = normalise_host(host)
        super().__init__(config, self.host, "ollama", backoff)
        self._client = ollama.Client(host=self.host, timeout=self._timeout, trust_env=self._trust_env,
                                     transport=DeadlineTransport())
        self._probe: ollama.Client | None = None  # short-timeout client for health(), made on first use
        self._probe_lock = threading.Lock()

    def _map_error(self, exc: BaseException, model: str) -> LLMError:
        if isinstance(exc, ollama.ResponseError):
            return self._status_error(exc.status_code, exc.error, model)
        return super()._map_error(exc, model)

    def _has_model(self, model: str, offered: tuple[str, ...]) -> bool:
        return any(same_model(model, have) for have in offered)

    # -- requests ---------------------------------------------------------------------------------

    def _send(self, messages: Messages, request: ChatRequest) -> RawAnswer:
        options: dict[str, Any] = {"temperature": request.temperature, "num_predict": request.max_tokens}
        if request.seed is not None:
            options["seed"] = request.seed
        if request.context_tokens > 0:  # else Ollama's default window may silently cut a long prompt, persona first
            options["num_ctx"] = request.context_tokens
        wire = [{"role": role, "content": content} for role, content in messages]

        def once() -> RawAnswer:
            # Streamed, so a call can be stopped between tokens (engine.llm.cancel): the server stops generating
            # when the connection closes. The last line carries the counts and the server's own timings.
            pieces: list[str] = []
            last = None
            for part in self._client.chat(model=self.model, messages=wire, format=request.schema, options=options,
                                          stream=True):
                pieces.append(part.message.content or "")
                last = part
            if last is None or not last.done:
                raise httpx.RemoteProtocolError(f"the answer from {self.url} ended before its last line")
            return RawAnswer("".join(pieces), last.prompt_eval_count or 0, last.eval_count or 0,
                             truncated=last.done_reason == "length", prompt_s=(last.prompt_eval_duration or 0) / 1e9,
                             answer_s=(last.eval_duration or 0) / 1e9)

        return self._with_retries(once, self.model)

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        def once() -> list[list[float]]:
            response = self._client.embed(model=self.embed_model, input=batch)
            return [list(row) for row in response.embeddings]

        return self._with_retries(once, self.embed_model)

    # -- health -----------------------------------------------------------------------------------

    def _probe_client(self) -> ollama.Client:
        with self._probe_lock:
            if self._probe is None:
                self._probe = ollama.Client(host=self.host, timeout=self._probe_timeout, trust_env=self._trust_env,
                                            transport=DeadlineTransport())
            return self._probe

    def _inventory(self) -> tuple[tuple[str, ...], str] | Health:
        probe = self._probe_client()
        try:
            response = probe._client.get("/api/version")  # the client has no method for this
            response.raise_for_status()
            version = str(response.json().get("version", "?"))
            listing = probe.list()
        except httpx.HTTPStatusError as exc:
            return Health(LLMHealth.NO_SERVER, f"Something answers at {self.host} but it isn't Ollama (GET "
                          f"/api/version gave HTTP {exc.response.status_code}). An OpenAI-compatible server's "
                          "address should end in /v1.")
        models = tuple(m.model for m in listing.models if m.model)
        return models, f"Ollama {version} at {self.host} is ready with '{self.model}'."

    def close(self) -> None:
        self._client.close()
        with self._probe_lock:
            if self._probe is not None:
                self._probe.close()
