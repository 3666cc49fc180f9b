"""Retrying transient failures with capped exponential backoff and jitter.

A local model server hiccups: it restarts, loads a model, answers 503 while busy.
One or two spaced-out retries hide that from the town; retrying a missing model
or a model that cannot follow the schema would only waste time, so those fail
at once. Jitter keeps many worker threads from retrying in lockstep.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from engine.contracts.thinking import LLMErrorKind
from engine.llm.backend import LLMConfig, LLMError

T = TypeVar("T")

TRANSIENT_KINDS = frozenset({LLMErrorKind.UNAVAILABLE, LLMErrorKind.TIMEOUT, LLMErrorKind.SERVER_ERROR})


@dataclass(frozen=True)
class Backoff:
    retries: int = 2  # extra tries after the first
    base_s: float = 0.2
    cap_s: float = 5.0

    @classmethod
    def from_config(cls, config: LLMConfig, retries: int | None = None) -> Backoff:
        """Read ``retries`` from the config and the optional ``retry_base_s``/``retry_cap_s`` from ``extra``."""
        extra: dict[str, Any] = config.extra or {}
        return cls(
            retries=max(0, config.retries if retries is None else retries),
            base_s=float(extra.get("retry_base_s", cls.base_s)),
            cap_s=float(extra.get("retry_cap_s", cls.cap_s)),
        )

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt ``attempt`` (0-based): half fixed, half random."""
        step = min(self.cap_s, self.base_s * (2**attempt))
        return step * (0.5 + 0.5 * rng.random())


def is_transient(error: LLMError) -> bool:
    """Worth another try? Some server errors (a 400, a 401) are permanent and say so."""
    return error.kind in TRANSIENT_KINDS and not error.permanent


def permanent(error: LLMError) -> LLMError:
    """Mark an error of a normally transient kind as not worth retrying (e.g. HTTP 400)."""
    error.permanent = True
    return error


def call_with_retries(
    fn: Callable[[], T],
    backoff: Backoff,
    rng: random.Random,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it succeeds, it raises a non-transient LLMError, or the retries run out."""
    attempt = 0
    last: LLMError | None = None
    while True:
        try:
            return fn()
        except LLMError as error:
            if error.kind == LLMErrorKind.CANCELLED and last is not None:
                raise last from error  # stopped while waiting to try again: what the server did is the news
            if attempt >= backoff.retries or not is_transient(error):
                raise
            last = error
            sleep(backoff.delay(attempt, rng))
            attempt += 1
