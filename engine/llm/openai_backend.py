"""An OpenAI-compatible server (vLLM, llama.cpp's llama-server, LM Studio) over plain httpx.

People with a GPU box often already run one of these, and all speak the same
``/v1`` dialect: ``chat/completions`` with ``response_format`` json_schema,
``models``, ``embeddings``. No SDK is needed for three endpoints, and httpx
gives us the same exception types as the Ollama path, so the error mapping,
the repair round and the retries are the very same code (``server_backend.py``).
"""

from __future__ import annotations

from typing import Any

import httpx

from engine.contracts.thinking import LLMHealth
from engine.llm.backend import ChatRequest, Health, LLMConfig, LLMError
from engine.llm.deadline import DeadlineTransport
from engine.llm.retry import Backoff
from engine.llm.server_backend import WIRE_FAILURES, ModelServerBackend, ServerWords
from engine.llm.structured import Messages, RawAnswer

_MEANWHILE = "Townsfolk keeps going on its built-in brain meanwhile."

OPENAI_WORDS = ServerWords(
    not_running="No OpenAI-compatible server is answering at {where}. Start it (vLLM, llama.cpp's llama-server or "
    "LM Studio's local server) or fix the address in Settings. " + _MEANWHILE,
    no_model="The server at {where} has no model '{model}'.{listed} Load '{model}' there or set the model name in "
    "Settings to one it offers.",
    missing="The server at {where} has no model '{model}' ({detail})",
    missing_hint=" Check that the address ends in /v1.",
    failed="The server at {where} failed (HTTP {status}): {detail}",
    failed_advice="The server at {where} reported an error: {detail}. Townsfolk retries by itself.",
    rejected="The server at {where} refused the request (HTTP {status}): {detail}",
    rejected_advice="The server at {where} refused the request: {detail}. It may not support JSON-schema answers "
    "(response_format); vLLM, llama-server and LM Studio do.",
    connect_timeout="{where} did not accept a connection within {connect:g} s",
    slow="The server at {where} took longer than {timeout:g} s with '{model}'",
    slow_advice="The server at {where} is too slow with '{model}'. A smaller model, fewer thinking agents or a "
    "longer timeout in Settings helps. " + _MEANWHILE,
    nothing_listening="Nothing is listening at {where} (connection refused)",
    broken="The connection to {where} broke: {exc}",
    broken_advice="Check that the server at {where} is still running. Townsfolk retries by itself and uses its "
    "built-in brain meanwhile.",
    alien="{where} answered in an unexpected format: {exc!r}",
    alien_advice="Is {where} really an OpenAI-compatible server? Its address should end in /v1 (an Ollama address "
    "should not).",
    not_answering="The server at {where} isn't answering (GET /models timed out). " + _MEANWHILE,
    wrong_count="{where} returned {got} embeddings for {wanted} texts",
    wrong_count_advice="The server's embeddings endpoint misbehaves; try another embedding model.",
    wants_key="The server at {where} wants a key (HTTP {status}): {detail}",
    wants_key_advice="Set the server's API key as `api_key` in the LLM settings.",
)


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


class OpenAICompatBackend(ModelServerBackend):
    """Structured chat and embeddings on one OpenAI-compatible server; ``base_url`` ends in ``/v1``."""

    words = OPENAI_WORDS
    # The answers are plain JSON we pick apart ourselves: a missing key or an empty list is a malformed answer.
    failures = (*WIRE_FAILURES, KeyError, IndexError)

    def __init__(self, config: LLMConfig, base_url: str, *, api_key: str | None = None,
                 backoff: Backoff | None = None):
        self.base_url = base_url.rstrip("/")
        super().__init__(config, self.base_url, "openai", backoff)
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=self._timeout,
                                  trust_env=self._trust_env, transport=DeadlineTransport())
        self._schema_as_json_object = False  # the server wants the schema in a "json_object" response format

    def _post(self, path: str, body: dict[str, Any], model: str) -> Any:
        def once() -> Any:
            response = self._http.post(path, json=body)
            if response.status_code >= 400:
                raise self._status_error(response.status_code, _error_detail(response), model)
            return response.json()

        return self._with_retries(once, model)

    def _send(self, messages: Messages, request: ChatRequest) -> RawAnswer:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": role, "content": content} for role, content in messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stream": False,
        }
        if request.seed is not None:
            body["seed"] = request.seed

        def ask() -> Any:
            if self._schema_as_json_object:
                body["response_format"] = {"type": "json_object", "schema": request.schema}
            else:
                body["response_format"] = {"type": "json_schema",
                                           "json_schema": {"name": "answer", "schema": request.schema, "strict": True}}
            return self._post("chat/completions", body, self.model)

        try:
            data = ask()
        except LLMError as error:
            # llama-cpp-python's server takes a schema only as {"type": "json_object", "schema": ...} and
            # refuses OpenAI's "json_schema": say it that way to this server from now on.
            if self._schema_as_json_object or "response_format" not in str(error):
                raise
            self._schema_as_json_object = True
            data = ask()
        try:
            choice = data["choices"][0]
            usage = data.get("usage") or {}
            return RawAnswer(choice["message"].get("content") or "", int(usage.get("prompt_tokens") or 0),
                             int(usage.get("completion_tokens") or 0), truncated=choice.get("finish_reason") == "length")
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise self._map_error(exc, self.model) from exc

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        data = self._post("embeddings", {"model": self.embed_model, "input": batch}, self.embed_model)
        try:
            items = sorted(data["data"], key=lambda item: item.get("index", 0))
            return [list(item["embedding"]) for item in items]
        except (KeyError, TypeError, AttributeError) as exc:
            raise self._map_error(exc, self.embed_model) from exc

    def _inventory(self) -> tuple[tuple[str, ...], str] | Health:
        response = self._http.get("models", timeout=self._probe_timeout)
        if response.status_code >= 400:
            return Health(LLMHealth.NO_SERVER, f"The server at {self.base_url} answered GET /models with HTTP "
                          f"{response.status_code}: {_error_detail(response)}. Check that the address ends in /v1.")
        offered = tuple(str(m["id"]) for m in response.json().get("data", []))
        return offered, f"The server at {self.base_url} is ready with '{self.model}'."

    def close(self) -> None:
        self._http.close()
