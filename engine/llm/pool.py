"""Several model servers behind one backend: share the load, route around the dead.

A town with many agents may use a second PC (or a GPU box) for thinking. The
pool hands requests out round-robin; a host that is unreachable, too slow or
lacks the model is benched for a cool-off that grows while it keeps failing, so
requests stop paying for it. When the cool-off ends one request probes it; if
that works the host is back in rotation. Thinking therefore resumes by itself
when a server comes back, with no user action and no background thread.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from engine.contracts.thinking import LLMErrorKind, LLMHealth
from engine.llm.backend import ChatRequest, ChatResult, Health, LLMBackend, LLMError
from engine.llm.retry import Backoff, is_transient

T = TypeVar("T")

# Failures that say "this host can't serve now".
BENCH_KINDS = frozenset({LLMErrorKind.UNAVAILABLE, LLMErrorKind.TIMEOUT, LLMErrorKind.MODEL_MISSING})


@dataclass(eq=False)
class _Host:
    backend: LLMBackend
    down_until: float = 0.0  # clock time; 0 = in rotation
    failures: int = 0  # consecutive benching failures, for the growing cool-off
    probing: bool = False  # one request is checking whether a benched host is back
    last_error: LLMError | None = None


class HostPool:
    """``LLMBackend`` over several backends; thread-safe."""

    def __init__(
        self,
        backends: Sequence[LLMBackend],
        *,
        cooloff_s: float = 15.0,
        max_cooloff_s: float = 120.0,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not backends:
            raise ValueError("HostPool needs at least one backend")
        self._hosts = [_Host(b) for b in backends]
        self.name = "pool[" + ", ".join(b.name for b in backends) + "]"
        self.cooloff_s = cooloff_s
        self.max_cooloff_s = max_cooloff_s
        self._backoff = backoff or Backoff(retries=0)
        self._clock = clock
        self._sleep = sleep
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._cursor = 0

    @property
    def backends(self) -> tuple[LLMBackend, ...]:
        return tuple(h.backend for h in self._hosts)

    def status(self) -> list[tuple[str, bool, float]]:
        """(name, in rotation, seconds of cool-off left) per host, for the status panel and tests."""
        with self._lock:
            now = self._clock()
            return [(h.backend.name, h.down_until <= now, max(0.0, h.down_until - now)) for h in self._hosts]

    # -- bookkeeping (all under the lock) ------------------------------------------------------------

    def _pick_order(self) -> list[_Host]:
        """Hosts worth trying for one request, starting at the next one round-robin."""
        with self._lock:
            now = self._clock()
            n = len(self._hosts)
            order = [self._hosts[(self._cursor + step) % n] for step in range(n)]
            order = [h for h in order if h.down_until == 0.0 or (h.down_until <= now and not h.probing)]
            if order:
                self._cursor = (next(i for i, h in enumerate(self._hosts) if h is order[0]) + 1) % n
            return order

    def _claim(self, host: _Host) -> bool:
        """May this request use ``host``? A benched host past its cool-off is probed by one request at a time."""
        with self._lock:
            if host.down_until == 0.0:
                return True
            if host.down_until <= self._clock() and not host.probing:
                host.probing = True
                return True
            return False

    def _succeeded(self, host: _Host) -> None:
        with self._lock:
            host.down_until, host.failures, host.probing, host.last_error = 0.0, 0, False, None

    def _release(self, host: _Host) -> None:
        """The call on ``host`` ended without telling whether the host works (it was cancelled)."""
        with self._lock:
            host.probing = False

    def _failed(self, host: _Host, error: LLMError) -> None:
        with self._lock:
            host.probing = False
            host.last_error = error
            if error.kind in BENCH_KINDS:
                host.failures += 1
                pause = min(self.max_cooloff_s, self.cooloff_s * 2 ** (host.failures - 1))
                host.down_until = self._clock() + pause

    def _all_benched(self) -> LLMError:
        with self._lock:
            now = self._clock()
            first = next((h.last_error for h in self._hosts if h.last_error is not None), None)
            wait = min((h.down_until - now for h in self._hosts if h.down_until > 0), default=0.0)
        kind = first.kind if first else LLMErrorKind.UNAVAILABLE
        detail = f" First failure: {first}" if first else ""
        return LLMError(kind, f"All {len(self._hosts)} hosts are resting after failures; the next try is in "
                        f"{max(0.0, wait):.0f} s.{detail}", advice=first.advice if first else "", backend=self.name)

    # -- the backend interface ---------------------------------------------------------------------

    def _run(self, op: Callable[[LLMBackend], T]) -> T:
        """Try hosts in turn; after a full pass of transient failures, back off and pass again."""
        attempt = 0
        previous: list[LLMError] = []
        while True:
            errors: list[LLMError] = []
            for host in self._pick_order():
                if not self._claim(host):
                    continue
                try:
                    result = op(host.backend)
                except LLMError as error:
                    if error.kind == LLMErrorKind.BAD_OUTPUT:  # the host works; the model just can't do it
                        self._succeeded(host)
                        raise
                    if error.kind == LLMErrorKind.CANCELLED:  # stopped on purpose: no other host should take it
                        self._release(host)
                        if errors or previous:  # stopped between tries: the hosts' failures are the news
                            raise self._summarise(errors or previous) from error
                        raise
                    self._failed(host, error)
                    errors.append(error)
                    continue
                self._succeeded(host)
                return result
            if not errors:  # every host is resting
                raise self._summarise(previous) if previous else self._all_benched()
            if attempt >= self._backoff.retries or not any(is_transient(e) for e in errors):
                raise self._summarise(errors)
            self._sleep(self._backoff.delay(attempt, self._rng))
            attempt += 1
            previous = errors

    def _summarise(self, errors: list[LLMError]) -> LLMError:
        first = errors[0]
        if len(errors) == 1:
            return first
        return LLMError(first.kind, f"{first} (and {len(errors) - 1} more hosts failed)", advice=first.advice,
                        backend=first.backend)

    def chat(self, request: ChatRequest) -> ChatResult:
        return self._run(lambda backend: backend.chat(request))

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._run(lambda backend: backend.embed(texts))

    def health(self) -> Health:
        """READY if every host is, DEGRADED if some are, else the first failure's state and message."""
        def probe(host: _Host) -> Health:
            try:
                return host.backend.health()
            except Exception as exc:  # a health check must never take the pool down
                return Health(LLMHealth.NO_SERVER, f"{host.backend.name}: health check failed: {exc}")

        with ThreadPoolExecutor(max_workers=len(self._hosts)) as workers:
            results = list(workers.map(probe, self._hosts))
        models: list[str] = []
        for host, health in zip(self._hosts, results, strict=True):
            models.extend(m for m in health.models if m not in models)
            if health.state == LLMHealth.READY:
                self._succeeded(host)  # a server that came back rejoins at once
            elif health.state == LLMHealth.NO_SERVER:
                self._failed(host, LLMError(LLMErrorKind.UNAVAILABLE, health.message, advice=health.message,
                                            backend=host.backend.name))
        bad = [h for h in results if h.state != LLMHealth.READY]
        n = len(results)
        if not bad:
            message = results[0].message if n == 1 else f"All {n} hosts are ready."
            return Health(LLMHealth.READY, message, tuple(models))
        if len(bad) < n:
            return Health(LLMHealth.DEGRADED, f"{n - len(bad)} of {n} hosts are ready. {bad[0].message}", tuple(models))
        message = bad[0].message if n == 1 else f"None of the {n} hosts can think. {bad[0].message}"
        return Health(bad[0].state, message, tuple(models))

    def close(self) -> None:
        for host in self._hosts:
            host.backend.close()
