"""HostPool: round-robin, fail-over, cool-off and recovery, against real loopback servers."""

from __future__ import annotations

import threading
import time

import pytest

from engine.contracts.thinking import LLMErrorKind, LLMHealth
from engine.llm.backend import ChatRequest, LLMBackend, LLMError
from engine.llm.fake import FakeBackend
from engine.llm.ollama_backend import OllamaBackend
from engine.llm.pool import HostPool
from engine.llm.retry import Backoff
from tests.llm.conftest import fast_config, track
from tests.llm.fake_ollama_server import FakeOllamaServer
from tests.llm.loopback import Reply, Status, free_port

SCHEMA = {"type": "object", "properties": {"say": {"type": "string", "maxLength": 40}}, "required": ["say"]}


def request(i: int = 0) -> ChatRequest:
    return ChatRequest(messages=(("user", f"Say something #{i}"),), schema=SCHEMA)


def pool(*urls: str, cooloff_s: float = 15.0, **overrides: object) -> HostPool:
    config = fast_config(retries=0, **overrides)
    return track(HostPool([OllamaBackend(config, url) for url in urls], cooloff_s=cooloff_s))


def test_pool_is_a_backend(ollama_server: FakeOllamaServer) -> None:
    assert isinstance(pool(ollama_server.url), LLMBackend)


def test_two_hosts_share_load_round_robin(ollama_server: FakeOllamaServer,
                                          second_ollama_server: FakeOllamaServer) -> None:
    # A roomy timeout: on a loaded machine the tiny one benches a host as "too slow", which is not this test.
    p = pool(ollama_server.url, second_ollama_server.url, timeout_s=10.0)
    answered_by = [p.chat(request(i)).backend for i in range(10)]
    assert len(ollama_server.posts("/api/chat")) == 5
    assert len(second_ollama_server.posts("/api/chat")) == 5
    assert answered_by[0] != answered_by[1] and answered_by[0] == answered_by[2]


def test_round_robin_holds_under_threads(ollama_server: FakeOllamaServer,
                                         second_ollama_server: FakeOllamaServer) -> None:
    p = pool(ollama_server.url, second_ollama_server.url, concurrency=4, timeout_s=10.0)
    failures: list[BaseException] = []

    def work(k: int) -> None:
        for i in range(10):
            try:
                p.chat(request(k * 100 + i))
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(ollama_server.posts("/api/chat")) == 30
    assert len(second_ollama_server.posts("/api/chat")) == 30


def test_dead_host_is_skipped(ollama_server: FakeOllamaServer, closed_url: str) -> None:
    p = pool(closed_url, ollama_server.url)
    started = time.perf_counter()
    results = [p.chat(request(i)) for i in range(6)]
    assert time.perf_counter() - started < 1.0
    assert all(r.backend.startswith(f"ollama {ollama_server.url}") for r in results)
    assert len(ollama_server.posts("/api/chat")) == 6
    status = dict((name, up) for name, up, _ in p.status())
    assert status == {f"ollama {closed_url} llama3.2": False, f"ollama {ollama_server.url} llama3.2": True}


def test_server_error_fails_over_without_benching(ollama_server: FakeOllamaServer,
                                                  second_ollama_server: FakeOllamaServer) -> None:
    p = pool(ollama_server.url, second_ollama_server.url)
    ollama_server.push(Status(500, "runner crashed"))
    result = p.chat(request())
    assert result.backend.startswith(f"ollama {second_ollama_server.url}")
    assert all(up for _, up, _ in p.status())


def test_bad_output_is_not_failed_over(ollama_server: FakeOllamaServer,
                                       second_ollama_server: FakeOllamaServer) -> None:
    p = pool(ollama_server.url, second_ollama_server.url)
    ollama_server.push(Reply("nope"), Reply("still nope"))
    with pytest.raises(LLMError) as info:
        p.chat(request())
    assert info.value.kind == LLMErrorKind.BAD_OUTPUT
    assert not second_ollama_server.posts("/api/chat")


def test_missing_model_on_one_host_fails_over(ollama_server: FakeOllamaServer) -> None:
    poor = FakeOllamaServer(models=("phi3:latest",)).start()
    try:
        p = pool(poor.url, ollama_server.url)
        assert p.chat(request()).backend.startswith(f"ollama {ollama_server.url}")
        p.chat(request())
        assert len(poor.posts("/api/chat")) == 1  # benched after its 404
    finally:
        poor.stop()


def test_all_down_fails_fast_with_advice(ollama_server: FakeOllamaServer) -> None:
    p = pool(ollama_server.url)
    ollama_server.stop()
    with pytest.raises(LLMError) as first:
        p.chat(request())
    assert first.value.kind == LLMErrorKind.UNAVAILABLE and "ollama serve" in first.value.advice
    ollama_server.start()  # back, but the pool does not know yet
    with pytest.raises(LLMError) as resting:
        p.chat(request())
    assert not ollama_server.requests  # no request while the host rests
    assert resting.value.kind == LLMErrorKind.UNAVAILABLE and "resting" in str(resting.value)
    assert "ollama serve" in resting.value.advice


def test_dying_server_is_routed_around_and_recovers(ollama_server: FakeOllamaServer,
                                                    second_ollama_server: FakeOllamaServer) -> None:
    p = pool(ollama_server.url, second_ollama_server.url, cooloff_s=0.3)
    ollama_server.die_after = 2
    for i in range(4):
        p.chat(request(i))
    assert ollama_server.stopped.wait(2)
    # Every request still succeeds: the dead host is tried once, then benched.
    for i in range(6):
        assert p.chat(request(10 + i)).backend.startswith(f"ollama {second_ollama_server.url}")
    assert len(ollama_server.posts("/api/chat")) == 2
    ollama_server.start()  # back on the same port
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(ollama_server.posts("/api/chat")) == 2:
        p.chat(request())
        time.sleep(0.02)
    assert len(ollama_server.posts("/api/chat")) == 3  # thinking resumed on its own after the cool-off
    for i in range(4):
        p.chat(request(100 + i))
    assert len(ollama_server.posts("/api/chat")) == 5  # and it is back in the rotation


def test_single_host_recovers_after_restart(ollama_server: FakeOllamaServer) -> None:
    p = pool(ollama_server.url, cooloff_s=0.2)
    ollama_server.stop()
    with pytest.raises(LLMError):
        p.chat(request())
    ollama_server.start()
    with pytest.raises(LLMError):  # still resting
        p.chat(request())
    time.sleep(0.25)
    assert p.chat(request()).data


def test_cooloff_grows_and_resets() -> None:
    now = [100.0]
    calls: list[str] = []

    def failing(request: ChatRequest) -> dict[str, str] | None:
        calls.append("a")
        if len(calls) <= 3:
            raise LLMError(LLMErrorKind.UNAVAILABLE, "down", advice="start it")
        return None

    p = HostPool([FakeBackend(script=failing)], cooloff_s=10, max_cooloff_s=25, clock=lambda: now[0])
    expected = [10, 20, 25]
    for pause in expected:
        with pytest.raises(LLMError):
            p.chat(request())
        assert p.status()[0][2] == pytest.approx(pause)
        now[0] += pause
    assert p.chat(request()).data  # back
    assert p.status()[0][1:] == (True, 0.0)


def test_only_one_request_probes_a_resting_host() -> None:
    now = [0.0]
    calls = []
    gate = threading.Event()

    def script(request: ChatRequest) -> dict[str, str] | None:
        calls.append(1)
        if len(calls) == 1:
            raise LLMError(LLMErrorKind.UNAVAILABLE, "down")
        gate.wait(1)
        return {"say": "back"}

    p = HostPool([FakeBackend(script=script)], cooloff_s=1, clock=lambda: now[0])
    with pytest.raises(LLMError):
        p.chat(request())
    now[0] = 2.0
    prober = threading.Thread(target=p.chat, args=(request(),))
    prober.start()
    time.sleep(0.05)
    with pytest.raises(LLMError):  # the prober holds the probe; others keep failing fast
        p.chat(request())
    gate.set()
    prober.join()
    assert p.chat(request()).data == {"say": "back"}
    assert len(calls) == 3


def test_pool_retries_transient_passes() -> None:
    attempts = []

    def script(request: ChatRequest) -> dict[str, str] | None:
        attempts.append(1)
        if len(attempts) < 3:
            raise LLMError(LLMErrorKind.SERVER_ERROR, "busy")
        return None

    sleeps: list[float] = []
    p = HostPool([FakeBackend(script=script)], backoff=Backoff(retries=2, base_s=0.1), sleep=sleeps.append)
    assert p.chat(request()).data
    assert len(sleeps) == 2 and 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2


def test_embed_fails_over(ollama_server: FakeOllamaServer, closed_url: str) -> None:
    p = pool(closed_url, ollama_server.url)
    assert p.embed(["a quiet walk"]).shape == (1, 64)


def test_health_summary(ollama_server: FakeOllamaServer, second_ollama_server: FakeOllamaServer,
                        closed_url: str) -> None:
    both = pool(ollama_server.url, second_ollama_server.url).health()
    assert both.state == LLMHealth.READY and both.models == ("llama3.2:latest", "nomic-embed-text:latest")

    some = pool(ollama_server.url, closed_url).health()
    assert some.state == LLMHealth.DEGRADED and some.message.startswith("1 of 2 hosts are ready.")
    assert "ollama serve" in some.message

    none = pool(closed_url, f"http://127.0.0.1:{free_port()}").health()
    assert none.state == LLMHealth.NO_SERVER and "ollama serve" in none.message

    no_model = pool(ollama_server.url, model="gemma2").health()
    assert no_model.state == LLMHealth.NO_MODEL and "`ollama pull gemma2`" in no_model.message

    one = pool(ollama_server.url).health()
    assert one.state == LLMHealth.READY and "0.6.3" in one.message


def test_health_brings_a_resting_host_back(ollama_server: FakeOllamaServer) -> None:
    p = pool(ollama_server.url, cooloff_s=60)
    ollama_server.stop()
    with pytest.raises(LLMError):
        p.chat(request())
    ollama_server.start()
    assert p.health().state == LLMHealth.READY
    assert p.chat(request()).data


def test_pool_rejects_no_backends() -> None:
    with pytest.raises(ValueError):
        HostPool([])


def test_kinds_are_preserved_through_the_pool(ollama_server: FakeOllamaServer) -> None:
    with pytest.raises(LLMError) as info:
        pool(ollama_server.url, model="nope").chat(request())
    assert info.value.kind == LLMErrorKind.MODEL_MISSING
