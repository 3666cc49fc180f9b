"""The one interface every thinking backend speaks: structured chat, embeddings, health.

Backends are called from the cognition worker threads, never from the engine
thread, and must be safe to call concurrently. Every failure is an ``LLMError``
whose ``kind`` says what went wrong and whose ``advice`` tells a person how to
fix it, so the app can show it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from engine.contracts.thinking import LLMErrorKind, LLMHealth


class LLMError(Exception):
    def __init__(self, kind: LLMErrorKind, message: str, advice: str = "", backend: str = "",
                 prompt_tokens: int = 0, completion_tokens: int = 0):
        self.kind = kind
        self.advice = advice
        self.backend = backend
        # What the failed call still cost (an answer in the wrong shape was read and written all the same).
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.permanent = False  # set by retry.permanent: a normally transient kind that retrying cannot fix
        super().__init__(message)


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[tuple[str, str], ...]  # (role, content); role is system | user | assistant
    schema: dict[str, Any]  # JSON schema the answer must match
    temperature: float = 0.7
    max_tokens: int = 400
    seed: int | None = None
    context_tokens: int = 0  # the context window the prompt and answer need (Ollama's num_ctx); 0: the server's


@dataclass(frozen=True)
class ChatResult:
    data: dict[str, Any]  # the parsed, schema-valid answer
    text: str  # the raw answer text as the model wrote it
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    backend: str  # who answered, e.g. "ollama http://127.0.0.1:11434 llama3.2"
    repaired: bool = False  # True when the first answer was invalid and the repair attempt fixed it
    prompt_s: float = 0.0  # the server's own time reading the prompt(s) (0: it does not say)
    answer_s: float = 0.0  # the server's own time writing the answer(s) (0: it does not say)


@dataclass(frozen=True)
class Health:
    state: LLMHealth
    message: str  # plain words for the status bar, including how to fix a problem
    models: tuple[str, ...] = ()  # models the server has (for the settings dialog)


@dataclass(frozen=True)
class LLMConfig:
    brain: str = "rule"  # rule | ollama | fake
    hosts: tuple[str, ...] = ()  # Ollama URLs; a URL ending in /v1 is an OpenAI-compatible server
    model: str = "llama3.2"
    embed_model: str = ""  # "" = embed offline with wordllama
    timeout_s: float = 60.0
    connect_timeout_s: float = 2.0
    concurrency: int = 2  # requests in flight per host
    retries: int = 2  # extra tries for transient failures, with backoff
    temperature: float = 0.7
    budget_per_hour: int = 600  # LLM calls per sim hour across the town
    # Tuning: "retrieval": RetrievalWeights fields (Park et al.'s released code used recency 0.5,
    # importance 3, relevance 2); "probe_every_s"; backends read "seed", "api_key", "retry_base_s", ...
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class LLMBackend(Protocol):
    name: str

    def chat(self, request: ChatRequest) -> ChatResult: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def health(self) -> Health: ...

    def close(self) -> None: ...
