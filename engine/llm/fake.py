"""A deterministic stand-in for a language model: no network, instant, repeatable.

Tests and headless runs need the thinking path exercised without Ollama, and a
rerun must give the same town. So the answer to a request is a pure function of
(seed, messages, schema): the schema is walked to build a valid, readable answer
with a ``random.Random`` seeded from a blake2b hash of those inputs. A
``script`` callable lets a test dictate particular answers (or raise an
``LLMError`` to play a failing server).
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.contracts.thinking import LLMErrorKind, LLMHealth
from engine.llm.backend import ChatRequest, ChatResult, Health, LLMError
from engine.llm.structured import schema_problems
from engine.llm.synth import Unsupported, synthesize
from engine.memory.embedders import HashingEmbedder

Script = Callable[[ChatRequest], "dict[str, Any] | None"]

_ATTEMPTS = 8  # fresh draws when a sample misses a keyword the generator ignores (pattern, format)


def request_digest(seed: int, request: ChatRequest) -> bytes:
    """Stable across processes and machines (unlike ``hash()``), so fake runs replay exactly."""
    blob = json.dumps([seed, request.messages, request.schema], sort_keys=True, default=str)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).digest()


def estimate_tokens(text: str) -> int:
    return len(text) // 4


class FakeBackend:
    """``LLMBackend`` that makes up schema-valid answers; counts calls and tokens like a real one."""

    def __init__(self, seed: int = 0, script: Script | None = None, history: int = 256):
        self.name = "fake"
        self.seed = seed
        self.script = script
        self.calls = 0
        self.embed_calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.requests: deque[ChatRequest] = deque(maxlen=history)  # the latest requests, for tests
        # The memory stream's offline embedder, so fake-brain vectors match a store's "hashing" vectors.
        self._embedder = HashingEmbedder()
        self._lock = threading.Lock()

    def answer_for(self, request: ChatRequest) -> dict[str, Any]:
        """The answer ``chat`` would give, without counting it."""
        if self.script is not None:
            scripted = self.script(request)
            if scripted is not None:
                problems = schema_problems(scripted, request.schema)
                if problems:
                    raise LLMError(LLMErrorKind.BAD_OUTPUT, "scripted answer breaks the schema: " + "; ".join(problems),
                                   advice="The test script returned an answer that does not match the schema.",
                                   backend=self.name)
                return scripted
        digest = request_digest(self.seed, request)
        for attempt in range(_ATTEMPTS):
            rng = random.Random(int.from_bytes(digest, "big") + attempt)
            try:
                data = synthesize(request.schema, rng)
            except Unsupported as error:
                raise LLMError(LLMErrorKind.BAD_OUTPUT, f"the fake brain cannot satisfy this schema: {error}",
                               advice="Simplify the schema or script this answer.", backend=self.name) from None
            if isinstance(data, dict) and not schema_problems(data, request.schema):
                return data
        raise LLMError(LLMErrorKind.BAD_OUTPUT, "the fake brain found no value matching this schema (pattern or format?)",
                       advice="Script this answer in the test, or loosen the schema.", backend=self.name)

    def chat(self, request: ChatRequest) -> ChatResult:
        started = time.perf_counter()
        data = self.answer_for(request)
        text = json.dumps(data, ensure_ascii=False)
        prompt_tokens = sum(estimate_tokens(content) for _, content in request.messages)
        completion_tokens = estimate_tokens(text)
        with self._lock:
            self.calls += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.requests.append(request)
        return ChatResult(data, text, prompt_tokens, completion_tokens, time.perf_counter() - started, self.name)

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            self.embed_calls += 1
        return self._embedder.embed(list(texts))

    def health(self) -> Health:
        return Health(LLMHealth.READY, "Thinking with the built-in fake model (no network, for tests and demos).", ("fake",))

    def close(self) -> None:
        pass
