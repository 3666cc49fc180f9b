"""The thinking queue: budget, priorities, cache, worker threads, health, records.

The engine thread offers thoughts; a thought is accepted only if the budget for
this sim hour and the queue's share for its priority allow, otherwise the caller
falls back to the rule brain at once. Accepted thoughts run on worker threads.

Two pacing modes:
- ``live`` (the app): an answer is applied at the first tick after it arrives;
  the engine never waits.
- ``lockstep`` (headless runs, tests): an answer is applied exactly
  ``latency_ticks`` after it was asked for, waiting if needed, so a run is
  reproducible given the same answers.
Every applied thought becomes a ``ThoughtRecord`` (prompt, answer, tokens,
latency, backend), which the world file keeps.

What is asked is paced by value and by what the server delivers: waiting calls go
to the server best first (a chat, then watched people, then background thoughts), and
a chat asked while every worker is busy stops the least valuable background call in
flight, which is asked again after it (``engine.llm.cancel``); a budget of calls and of
tokens per sim hour bounds what is asked. In ``live`` mode no more is asked than the
workers have room for, a background thought is asked only if the server's measured
speed can answer it while it is fresh (within ``stale_ticks``; the less valuable, the
less of that time it may take), else the rule brain decides (reason "budget"), and one
still unanswered when it goes stale is dropped rather than applied late (reason
"stale"). A person whose answers keep failing or being refused rests a while before
being asked again.
Counters are honest: a failed call's tokens count, and every stand-in by the rule
brain is a fallback, counted with its reason.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from engine.cognition.throughput import Throughput, TickRate
from engine.contracts.thinking import LLMErrorKind, LLMHealth, ThoughtKind
from engine.llm.backend import (
    ChatRequest,
    ChatResult,
    Health,
    LLMBackend,
    LLMError,
)
from engine.llm.cancel import CancelToken, cancellable
from engine.state.thoughts import ThoughtRecord

# Priorities: lower runs first and may use more of the queue.
CHAT = -1  # someone talks to a person: first of all, and it may stop a background call to get the server
WATCHED, CONVERSATION, REACT, PLAN, IMPORTANCE, REFLECT = range(6)
QUEUE_SHARE = {CHAT: 1.0, WATCHED: 1.0, CONVERSATION: 1.0, REACT: 0.8, PLAN: 0.75, IMPORTANCE: 0.5, REFLECT: 0.5}
# Live: how much of the time an answer stays fresh a background thought of each priority may take at the
# server's measured speed; when the server is slow the least valuable thoughts are the first left to the rule brain.
FRESH_SHARE = {CONVERSATION: 1.0, REACT: 0.8, PLAN: 0.8, IMPORTANCE: 0.6, REFLECT: 0.6}
REMEASURE_S = 30.0  # live: with no call measured for this long, one background thought is asked to measure again
CHARS_PER_TOKEN = 3.0  # a cautious guess for English prompts until the server has counted some
PREEMPTED = "made way for a chat"
STALE = "stale"
PROBE_EVERY_S = 10.0  # while the backend is down, how often to check whether it is back
UNUSABLE_STREAK = 3  # answers in a row that could not be used before the model is called degraded
STRIKES_BEFORE_REST = 2  # unusable answers in a row before a person rests from thinking
MAX_REST_DOUBLINGS = 3  # a rest doubles with each further strike, up to 2**3 times the first
DOWN_STATES = {LLMErrorKind.UNAVAILABLE: LLMHealth.NO_SERVER, LLMErrorKind.MODEL_MISSING: LLMHealth.NO_MODEL,
               LLMErrorKind.TIMEOUT: LLMHealth.NOT_ANSWERING}


def prompt_hash(request: ChatRequest, model: str) -> str:
    blob = json.dumps([model, request.messages, request.schema, request.temperature, request.seed], sort_keys=True)
    return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


@dataclass(order=True)
class _Call:
    """A request waiting for a worker or running on one; the heap orders by priority, then age."""

    priority: int
    seq: int
    request: ChatRequest = field(compare=False)
    future: Future[ChatResult] = field(compare=False)
    token: CancelToken = field(compare=False, default_factory=CancelToken)
    started: bool = field(compare=False, default=False)
    dropped: bool = field(compare=False, default=False)  # stale: nobody will read the answer


@dataclass
class Thought:
    id: int
    agent: int
    kind: ThoughtKind
    priority: int
    request: ChatRequest
    context: dict[str, Any]
    asked_tick: int
    key: str = ""
    future: Future[ChatResult] | None = None
    call: _Call | None = None
    cached: ChatResult | None = None
    recorded: ThoughtRecord | None = None  # replaying: the answer it got the first time
    record: ThoughtRecord | None = None  # what this thought left in the records once applied


@dataclass
class ThinkStats:
    calls: int = 0
    tokens: int = 0
    failures: int = 0
    fallbacks: int = 0
    cache_hits: int = 0
    rejected: int = 0  # answers that came back but failed the checks (each also a fallback)

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class LLMStatus:
    state: LLMHealth
    message: str
    queued: int = 0
    stats: dict[str, int] = field(default_factory=dict)


class Thinker:
    def __init__(
        self, backend: LLMBackend | None, model: str, budget_per_hour: int, workers: int = 2,
        mode: str = "live", latency_ticks: int = 1, max_queue: int = 32, probe_every_s: float = PROBE_EVERY_S,
        tokens_per_hour: int = 0, rest_ticks: int = 30, stale_ticks: int = 0,
    ):
        """``budget_per_hour``: calls per sim hour; ``tokens_per_hour``: tokens per sim hour (0: no bound);
        ``rest_ticks``: how long a person whose answers keep failing first rests from thinking;
        ``stale_ticks``: live mode, how long a background thought's answer stays worth applying (0: for ever)."""
        if mode not in ("live", "lockstep"):
            raise ValueError(f"unknown pacing mode {mode!r}")
        self.backend = backend
        self.model = model
        self.budget_per_hour = budget_per_hour
        self.tokens_per_hour = tokens_per_hour
        self.rest_ticks = max(1, rest_ticks)
        self.stale_ticks = max(0, stale_ticks)
        self.throughput = Throughput()  # how fast the server answers, from recent calls
        self._tick_rate = TickRate()  # wall seconds per tick, as the engine steps
        self.workers = max(1, workers)
        self.reasons: Counter[str] = Counter()  # why the rule brain stood in, by reason
        self.usage: dict[str, list[int]] = {}  # kind -> [calls, prompt tokens, answer tokens, failed, rejected]
        self._strikes: dict[int, int] = {}  # person -> unusable answers in a row
        self._rest_until: dict[int, int] = {}  # person -> the tick they may be asked again
        self._tokens_this_hour = 0
        self._mean_tokens = 0.0  # tokens per call so far, to tell what an accepted call will cost
        self.chars_per_token = 0.0  # prompt characters per prompt token, as the server counted them (0: unknown)
        self._waiting: list[_Call] = []  # a heap, best first
        self._running: list[_Call] = []
        self._sequence = itertools.count()
        self.mode = mode
        self.latency_ticks = max(1, latency_ticks)
        self.max_queue = max_queue
        self.probe_every_s = probe_every_s
        self.stats = ThinkStats()
        self.records: list[ThoughtRecord] = []
        self._cache: dict[str, ChatResult] = {}
        self._pending: list[Thought] = []
        self._next_id = 1
        self._hour = -1
        self._spent_this_hour = 0
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="townsfolk-think") if backend else None
        self._health = Health(LLMHealth.READY, "thinking on the language model") if backend else Health(LLMHealth.OFF, "rule brain")
        self._down_since: float | None = None
        self._unusable = 0  # answers in a row that failed without the server being down
        self._probe: Future[Health] | None = None
        self._lock = threading.Lock()
        # Decisions within a tick see one availability, fixed at the tick's start, so a
        # failure arriving mid-tick cannot make a run depend on thread timing.
        self._tick_available = backend is not None
        self._reported: tuple[LLMHealth, str] = (self._health.state, self._health.message)
        self._replay: dict[tuple[int, int, str, str], ThoughtRecord] | None = None
        self._replay_status: dict[int, tuple[LLMHealth, str]] = {}

    # -- asking --------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Worth building a prompt at all? False when off or the backend was down as this tick began."""
        return self._tick_available

    def begin_tick(self, tick: int) -> tuple[LLMHealth, str] | None:
        """Fix this tick's availability; returns (state, message) when it changed (to be logged as an event)."""
        if self._replay is not None:
            change = self._replay_status.get(tick)
            if change is not None:
                self._reported = change
                self._tick_available = change[0] in (LLMHealth.READY, LLMHealth.DEGRADED)
            return change
        if self.backend is None:
            self._tick_available = False
            return None
        self._tick_rate.tick()
        self._check_probe()
        with self._lock:
            health, down = self._health, self._down_since is not None
        self._tick_available = not down
        current = (health.state, health.message)
        if current != self._reported:
            self._reported = current
            return current
        return None

    # -- replay ------------------------------------------------------------------------------

    def replay(self, records: list[ThoughtRecord], status_changes: dict[int, tuple[LLMHealth, str]]) -> None:
        """Answer from ``records`` instead of the backend (seeking into the past): no model is called."""
        self._replay = {(r.asked, r.agent, r.kind, r.prompt_hash): r for r in records}
        self._replay_status = dict(status_changes)

    def end_replay(self) -> None:
        """Back to live answers; availability stays as replayed until the next tick looks again."""
        self._replay = None
        self._replay_status = {}

    @property
    def replaying(self) -> bool:
        return self._replay is not None

    def can_accept(self, priority: int, hour: int) -> bool:
        return self.refusal(priority, hour) == ""

    def refusal(self, priority: int, hour: int) -> str:
        """Why a thought of ``priority`` would be refused now, or "" when it would be accepted."""
        if not self.available:
            return "model unavailable"
        if hour != self._hour:
            self._hour, self._spent_this_hour, self._tokens_this_hour = hour, 0, 0
        if priority > WATCHED:
            if self._spent_this_hour >= self.budget_per_hour:
                return "over the hour's budget"
            if self.tokens_per_hour and self._tokens_this_hour + self._in_flight() * self._mean_tokens >= self.tokens_per_hour:
                return "over the hour's token budget"
            if self.mode == "live" and self._replay is None and self._in_flight() >= self.workers:
                return "server busy"  # asking more would only queue answers that come too late
        if len(self._pending) >= self.max_queue * QUEUE_SHARE.get(priority, 0.5):
            return "queue full"
        return ""

    def _in_flight(self) -> int:
        """Calls asked and not yet answered. Live: as the workers see them. Lockstep and replays: every pending
        call that is not answered from the cache, so a replay refuses exactly what the run refused."""
        if self.mode == "live" and self._replay is None:
            return sum(1 for t in self._pending if t.future is not None and not t.future.done())
        return sum(1 for t in self._pending
                   if t.cached is None and not (t.recorded is not None and t.recorded.status == "cached"))

    def refuse(self, reason: str = "not asked") -> None:
        """The caller decided with the rule brain instead (only a fallback if a model is configured)."""
        if self.backend is not None:
            self.stats.fallbacks += 1
            self.reasons[reason] += 1

    # -- people whose answers keep failing rest a while -------------------------------------------

    def resting(self, agent: int, tick: int) -> bool:
        return self._rest_until.get(agent, -1) > tick

    def strike(self, agent: int, tick: int) -> None:
        """An answer for ``agent`` failed or was refused: after a few in a row they rest, longer each time."""
        if agent < 0:
            return
        strikes = self._strikes.get(agent, 0) + 1
        self._strikes[agent] = strikes
        if strikes >= STRIKES_BEFORE_REST:
            doublings = min(strikes - STRIKES_BEFORE_REST, MAX_REST_DOUBLINGS)
            self._rest_until[agent] = tick + self.rest_ticks * 2 ** doublings

    def cleared(self, agent: int) -> None:
        """An answer for ``agent`` was used: their slate is clean."""
        self._strikes.pop(agent, None)
        self._rest_until.pop(agent, None)

    def reject(self, thought: Thought, reason: str, tick: int) -> None:
        """``thought``'s answer failed the checks: not used, the rule brain stands in, and it is counted."""
        self.stats.rejected += 1
        self.stats.fallbacks += 1
        self.reasons[reason] += 1
        self._use(thought.kind)[4] += 1
        if thought.record is not None:
            thought.record.status = "rejected"
            thought.record.error = f"rejected: {reason}"
        self.strike(thought.agent, tick)

    def _use(self, kind: str) -> list[int]:
        return self.usage.setdefault(str(kind), [0, 0, 0, 0, 0])

    def _spent(self, kind: str, prompt_tokens: int, completion_tokens: int, failed: bool = False) -> None:
        """Count one call's tokens (answered or not) for its kind, the totals and the hour's budget."""
        use = self._use(kind)
        use[0] += 1
        use[1] += prompt_tokens
        use[2] += completion_tokens
        use[3] += int(failed)
        tokens = prompt_tokens + completion_tokens
        self.stats.tokens += tokens
        self._tokens_this_hour += tokens
        calls = sum(u[0] for u in self.usage.values())
        self._mean_tokens += (tokens - self._mean_tokens) / calls

    def usage_report(self) -> dict[str, dict[str, int]]:
        """Per kind of thought: calls, prompt and answer tokens (failed calls included), failed, rejected."""
        return {kind: {"calls": u[0], "prompt_tokens": u[1], "answer_tokens": u[2], "failed": u[3], "rejected": u[4]}
                for kind, u in sorted(self.usage.items())}

    def offer(
        self, agent: int, kind: ThoughtKind, priority: int, request: ChatRequest, context: dict[str, Any], tick: int, hour: int
    ) -> bool:
        if not self.can_accept(priority, hour) or (self._replay is None and self.backend is None):
            self.refuse(self.refusal(priority, hour) or "no model")
            return False
        if self._too_slow(kind, priority, request):
            self.refuse("budget")
            return False
        thought = Thought(self._next_id, agent, kind, priority, request, context, tick)
        self._next_id += 1
        thought.key = prompt_hash(request, self.model)
        if self._replay is not None:
            thought.recorded = self._replay.get((tick, agent, kind, thought.key))
            if thought.recorded is None or thought.recorded.status != "cached":
                self._spent_this_hour += 1
            self._pending.append(thought)
            return True
        cached = self._cache.get(thought.key)
        if cached is not None:
            thought.cached = cached
        else:
            assert self._pool is not None and self.backend is not None
            self._spent_this_hour += 1
            thought.call = self._submit(request, priority)
            thought.future = thought.call.future
        self._pending.append(thought)
        return True

    def _too_slow(self, kind: ThoughtKind, priority: int, request: ChatRequest) -> bool:
        """Live: would this background thought, at the server's measured speed, be answered too late to use?"""
        if self.mode != "live" or self._replay is not None or priority <= WATCHED or not self.stale_ticks:
            return False
        per_tick = self._tick_rate.seconds_per_tick
        if per_tick is None or time.monotonic() - self.throughput.measured_at > REMEASURE_S:
            return False  # nothing to judge by yet, or nothing measured lately: this one measures
        prompt_tokens = sum(len(text) for _, text in request.messages) / (self.chars_per_token or CHARS_PER_TOKEN)
        use = self.usage.get(str(kind))
        answer_tokens = min(request.max_tokens, use[2] / use[0] if use and use[0] else request.max_tokens)
        need = self.throughput.seconds_for(prompt_tokens, answer_tokens)
        fresh_s = (self.stale_ticks - 1) * per_tick  # applied at the first tick after the answer is in
        return need is not None and need > fresh_s * FRESH_SHARE.get(priority, min(FRESH_SHARE.values()))

    def _submit(self, request: ChatRequest, priority: int) -> _Call:
        """Queue ``request``; each free worker takes the best waiting call (lowest priority, then oldest), so a
        chat asked behind a crowd of background thoughts goes to the server next. A chat that finds every
        worker busy stops the least valuable background call in flight, which waits its turn again."""
        assert self._pool is not None and self.backend is not None
        future: Future[ChatResult] = Future()
        future.add_done_callback(self._on_done)
        call = _Call(priority, next(self._sequence), request, future)
        victim: _Call | None = None
        with self._lock:
            heapq.heappush(self._waiting, call)
            if priority < WATCHED and len(self._running) >= self.workers:
                background = [c for c in self._running if c.priority > WATCHED and not c.token.cancelled]
                victim = max(background, default=None)  # the least valuable, and of those the newest
        if victim is not None:
            victim.token.cancel(PREEMPTED)
        self._pool.submit(self._run_best)
        return call

    def _run_best(self) -> None:
        with self._lock:
            if not self._waiting:
                return
            call = heapq.heappop(self._waiting)
            dropped = call.dropped
            if not dropped:
                self._running.append(call)
        if not call.started:
            if not call.future.set_running_or_notify_cancel():
                self._stopped(call)
                return
            call.started = True
        if dropped:
            call.future.set_exception(LLMError(LLMErrorKind.CANCELLED, f"not asked: {STALE}"))
            return
        try:
            with cancellable(call.token):
                result = self._call(call.request)
        except LLMError as error:
            if error.kind == LLMErrorKind.CANCELLED and self._ask_again(call):
                return
            self._stopped(call)
            call.future.set_exception(error)
        except BaseException as error:  # handed to whoever applies the thought
            self._stopped(call)
            call.future.set_exception(error)
        else:
            self._stopped(call)
            with self._lock:
                self.throughput.note(result.prompt_tokens, result.completion_tokens, result.latency_s,
                                     result.prompt_s, result.answer_s)
            call.future.set_result(result)

    def _stopped(self, call: _Call) -> None:
        with self._lock:
            self._running = [c for c in self._running if c is not call]

    def _ask_again(self, call: _Call) -> bool:
        """A call that made way for a chat waits its turn again (unless it went stale meanwhile)."""
        assert self._pool is not None
        with self._lock:
            self._running = [c for c in self._running if c is not call]
            if call.dropped or call.token.reason != PREEMPTED:
                return False
            call.token = CancelToken()
            heapq.heappush(self._waiting, call)
        self._pool.submit(self._run_best)
        return True

    def _drop(self, call: _Call) -> None:
        """Nobody will read this call's answer: stop it, or never send it."""
        with self._lock:
            call.dropped = True
        call.token.cancel(STALE)
        call.future.cancel()  # only succeeds while it waits

    def _call(self, request: ChatRequest) -> ChatResult:
        """On a worker: ask, unless the server stopped answering while this waited in the queue."""
        assert self.backend is not None
        with self._lock:
            down, health = self._down_since is not None, self._health
        if down:
            raise LLMError(LLMErrorKind.NOT_SENT, f"not asked: {health.message}")
        return self.backend.chat(request)

    def _on_done(self, future: Future[ChatResult]) -> None:
        """On the worker thread: update health as soon as an answer (or failure) is in, not when applied."""
        if future.cancelled():
            return
        error = future.exception()
        if isinstance(error, LLMError):
            self._note_failure(error)
        elif error is None:
            self._note_success()

    # -- answers ---------------------------------------------------------------------------

    def ready(self, tick: int) -> list[tuple[Thought, ChatResult | LLMError]]:
        """Answers to apply this tick, in the order they were asked."""
        done: list[tuple[Thought, ChatResult | LLMError]] = []
        keep: list[Thought] = []
        for thought in self._pending:
            due = thought.asked_tick + self.latency_ticks <= tick
            # Replaying, or asked in the recorded past and still in flight at the fork: the record answers.
            if self._replay is not None or thought.recorded is not None:
                recorded_tick = thought.recorded.tick if thought.recorded else thought.asked_tick + self.latency_ticks
                if recorded_tick > tick:
                    keep.append(thought)
                else:
                    done.append((thought, self._replayed(thought, tick)))
                continue
            if thought.cached is not None:
                ready = due if self.mode == "lockstep" else True
            elif self._stale(thought, tick):
                done.append((thought, self._dropped_stale(thought, tick)))
                continue
            else:
                assert thought.future is not None
                ready = due if self.mode == "lockstep" else thought.future.done()
            if not ready:
                keep.append(thought)
                continue
            done.append((thought, self._outcome(thought, tick)))
        self._pending = keep
        return done

    def _stale(self, thought: Thought, tick: int) -> bool:
        """Live: a background thought asked too long ago for its answer to be worth applying now."""
        return (self.mode == "live" and self.stale_ticks > 0 and thought.priority > WATCHED
                and tick - thought.asked_tick > self.stale_ticks)

    def _dropped_stale(self, thought: Thought, tick: int) -> LLMError:
        """Not applied late: the call is stopped (or its late answer set aside), the rule brain has been
        deciding meanwhile, and that is counted as a fallback (reason "stale"), with any tokens it cost."""
        assert thought.future is not None
        if thought.call is not None:
            self._drop(thought.call)
        prompt_tokens = completion_tokens = 0
        if thought.future.done() and not thought.future.cancelled():
            late = thought.future.exception()
            if late is None:
                answered = thought.future.result()
                prompt_tokens, completion_tokens = answered.prompt_tokens, answered.completion_tokens
                self.stats.calls += 1
            elif isinstance(late, LLMError):
                prompt_tokens, completion_tokens = late.prompt_tokens, late.completion_tokens
        self._spent(thought.kind, prompt_tokens, completion_tokens, failed=True)
        self.stats.fallbacks += 1
        self.reasons[STALE] += 1
        error = LLMError(LLMErrorKind.CANCELLED, f"asked {tick - thought.asked_tick} ticks ago, too late to apply")
        prompt = "\n\n".join(f"[{role}] {text}" for role, text in thought.request.messages)
        # "stale: ..." so that a replay counts it under the reason the run did
        self.records.append(ThoughtRecord(tick, thought.agent, thought.kind, thought.key, prompt, "", "failed",
                                          prompt_tokens, completion_tokens, error=f"{STALE}: {error}",
                                          asked=thought.asked_tick))
        return error

    def _replayed(self, thought: Thought, tick: int) -> ChatResult | LLMError:
        r = thought.recorded
        if r is None or r.status == "failed":
            self.stats.failures += 1
            self.stats.fallbacks += 1
            kind = r.error.split(":", 1)[0] if r is not None and r.error else str(LLMErrorKind.REPLAYED)
            self.reasons[kind] += 1  # as the run counted it
            if r is not None:
                self._spent(thought.kind, r.prompt_tokens, r.completion_tokens, failed=True)
            if kind in (LLMErrorKind.BAD_OUTPUT, LLMErrorKind.SERVER_ERROR):
                self.strike(thought.agent, tick)
            reason = r.error if r else "no recorded answer for this thought"
            return LLMError(LLMErrorKind.REPLAYED, reason)
        if r.status == "cached":
            self.stats.cache_hits += 1
        else:
            self.stats.calls += 1
            self._spent(thought.kind, r.prompt_tokens, r.completion_tokens)
        return ChatResult(json.loads(r.response), r.response, r.prompt_tokens, r.completion_tokens,
                          r.latency_ms / 1000, r.backend)

    def _outcome(self, thought: Thought, tick: int) -> ChatResult | LLMError:
        prompt = "\n\n".join(f"[{role}] {text}" for role, text in thought.request.messages)
        if thought.cached is not None:
            self.stats.cache_hits += 1
            result = thought.cached
            thought.record = ThoughtRecord(tick, thought.agent, thought.kind, thought.key, prompt, result.text,
                                           "cached", backend=result.backend, asked=thought.asked_tick)
            self.records.append(thought.record)
            return result
        assert thought.future is not None
        try:
            result = thought.future.result()  # lockstep may wait here; live only reads finished futures
        except LLMError as error:
            self.stats.failures += 1
            self.stats.fallbacks += 1  # the rule brain stands in for this thought
            self.reasons[str(error.kind)] += 1
            self._spent(thought.kind, error.prompt_tokens, error.completion_tokens, failed=True)
            if error.kind in (LLMErrorKind.BAD_OUTPUT, LLMErrorKind.SERVER_ERROR):
                self.strike(thought.agent, tick)
            self.records.append(ThoughtRecord(tick, thought.agent, thought.kind, thought.key, prompt, "", "failed",
                                              error.prompt_tokens, error.completion_tokens,
                                              backend=error.backend, error=f"{error.kind}: {error}",
                                              asked=thought.asked_tick))
            return error
        except Exception as error:  # a bug in a backend must not kill the engine thread
            self.stats.failures += 1
            self.stats.fallbacks += 1
            self.reasons[LLMErrorKind.SERVER_ERROR] += 1
            self._spent(thought.kind, 0, 0, failed=True)
            self.strike(thought.agent, tick)
            wrapped = LLMError(LLMErrorKind.SERVER_ERROR, f"{type(error).__name__}: {error}")
            self.records.append(ThoughtRecord(tick, thought.agent, thought.kind, thought.key, prompt, "", "failed",
                                              error=f"{wrapped.kind}: {wrapped}", asked=thought.asked_tick))
            return wrapped
        self.stats.calls += 1
        self._spent(thought.kind, result.prompt_tokens, result.completion_tokens)
        if result.prompt_tokens > 0 and not result.repaired:
            ratio = sum(len(text) for _, text in thought.request.messages) / result.prompt_tokens
            self.chars_per_token = ratio if not self.chars_per_token else 0.8 * self.chars_per_token + 0.2 * ratio
        self._cache[thought.key] = result
        thought.record = ThoughtRecord(
            tick, thought.agent, thought.kind, thought.key, prompt, result.text, "ok",
            result.prompt_tokens, result.completion_tokens, round(result.latency_s * 1000, 1), result.backend,
            asked=thought.asked_tick,
        )
        self.records.append(thought.record)
        return result

    def drain_records(self) -> list[ThoughtRecord]:
        records, self.records = self.records, []
        return records

    def pending_for(self, agent: int, kind: ThoughtKind | None = None) -> bool:
        return any(t.agent == agent and (kind is None or t.kind == kind) for t in self._pending)

    # -- health ----------------------------------------------------------------------------

    def _note_failure(self, error: LLMError) -> None:
        """A server that is gone, lacks the model or does not answer in time is down: nobody waits on it and
        it is probed now and then. One that answers, but nothing usable, is degraded, with the reason."""
        with self._lock:
            if error.kind in DOWN_STATES:
                if self._down_since is None:
                    self._down_since = time.monotonic()
                message = str(error)
                if error.kind == LLMErrorKind.TIMEOUT:
                    message = (f"Not answering: {error}. {error.advice} It is asked again every "
                               f"{self.probe_every_s:g} s; thinking resumes when it answers.")
                elif error.advice:
                    message = error.advice
                self._health = Health(DOWN_STATES[error.kind], message)
            elif error.kind in (LLMErrorKind.BAD_OUTPUT, LLMErrorKind.SERVER_ERROR):
                self._unusable += 1
                if self._unusable >= UNUSABLE_STREAK and self._down_since is None:
                    advice = error.advice or "A larger or instruction-tuned model usually follows the format."
                    self._health = Health(LLMHealth.DEGRADED, f"The model answers, but its last {self._unusable} answers "
                                          f"were unusable ({str(error)[:200]}). {advice} The rule brain stands in "
                                          "for each, and they are counted as fallbacks.")

    def _note_success(self) -> None:
        with self._lock:
            self._unusable = 0
            if self._health.state != LLMHealth.READY:
                self._health = Health(LLMHealth.READY, "thinking on the language model")
            self._down_since = None

    def probe_now(self) -> None:
        """Ask the backend's health in the background (after a settings change)."""
        if self.backend is not None and self._pool is not None and self._probe is None:
            self._probe = self._pool.submit(self.backend.health)

    def _check_probe(self) -> None:
        """While down, ask the backend's health now and then, off the engine thread."""
        if self.backend is None or self._pool is None:
            return
        if self._probe is None:
            if self._down_since is not None and time.monotonic() - self._down_since >= self.probe_every_s:
                self._probe = self._pool.submit(self.backend.health)
            return
        if not self._probe.done():
            return
        try:
            health = self._probe.result()
        except Exception as error:
            health = Health(LLMHealth.NO_SERVER, str(error))
        self._probe = None
        with self._lock:
            if health.state == LLMHealth.READY:
                self._health, self._down_since = health, None
            else:
                self._health, self._down_since = health, time.monotonic()

    def status(self) -> LLMStatus:
        self._check_probe()  # so a paused app still notices the server coming back
        with self._lock:
            health = self._health
        return LLMStatus(health.state, health.message, len(self._pending), self.stats.as_dict())

    def close(self) -> None:
        with self._lock:
            running = list(self._running)
        for call in running:  # nobody will read these answers: free the server
            call.token.cancel("closing")
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self.backend is not None:
            self.backend.close()

    # -- state (what a checkpoint must hold) ---------------------------------------------------

    def get_state(self) -> dict[str, Any]:
        return {
            "next_id": self._next_id, "hour": self._hour, "spent": self._spent_this_hour,
            "tick_available": self._tick_available, "reported": list(self._reported),
            "stats": self.stats.as_dict(), "reasons": dict(sorted(self.reasons.items())),
            "usage": {k: list(v) for k, v in sorted(self.usage.items())},
            "strikes": sorted(self._strikes.items()), "rest_until": sorted(self._rest_until.items()),
            "tokens_this_hour": self._tokens_this_hour, "mean_tokens": self._mean_tokens,
            "pending": [
                {"id": t.id, "agent": t.agent, "kind": t.kind, "priority": t.priority, "asked": t.asked_tick,
                 "messages": [list(m) for m in t.request.messages], "schema": t.request.schema,
                 "temperature": t.request.temperature, "max_tokens": t.request.max_tokens, "seed": t.request.seed,
                 "context_tokens": t.request.context_tokens, "context": t.context}
                for t in self._pending
            ],
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self._next_id, self._hour, self._spent_this_hour = state["next_id"], state["hour"], state["spent"]
        self._tick_available = bool(state.get("tick_available", self.backend is not None))
        self._reported = tuple(state.get("reported", self._reported))
        self.stats = ThinkStats(**state["stats"])
        self.reasons = Counter(state.get("reasons", {}))
        self.usage = {k: list(v) for k, v in state.get("usage", {}).items()}
        self._strikes = {int(a): int(n) for a, n in state.get("strikes", [])}
        self._rest_until = {int(a): int(t) for a, t in state.get("rest_until", [])}
        self._tokens_this_hour = int(state.get("tokens_this_hour", 0))
        self._mean_tokens = float(state.get("mean_tokens", 0.0))
        self._pending = []
        for p in state["pending"]:  # thoughts in flight are asked again (the cache usually answers)
            request = ChatRequest(tuple((r, c) for r, c in p["messages"]), p["schema"], p["temperature"],
                                  p["max_tokens"], p["seed"], int(p.get("context_tokens", 0)))
            thought = Thought(p["id"], p["agent"], ThoughtKind(p["kind"]), p["priority"], request, p["context"], p["asked"])
            thought.key = prompt_hash(request, self.model)
            if self._replay is not None:
                thought.recorded = self._replay.get((thought.asked_tick, thought.agent, thought.kind, thought.key))
                self._pending.append(thought)
                continue
            thought.cached = self._cache.get(thought.key)
            if thought.cached is None and self._pool is not None and self.backend is not None:
                thought.call = self._submit(request, thought.priority)
                thought.future = thought.call.future
            if thought.cached is not None or thought.future is not None:
                self._pending.append(thought)
