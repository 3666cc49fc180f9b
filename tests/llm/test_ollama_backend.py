"""The Ollama backend driven through the real ``ollama`` client against a loopback server."""

from __future__ import annotations

import threading
import time

import httpx
import jsonschema
import numpy as np
import ollama
import pytest

from engine.contracts.thinking import LLMErrorKind, LLMHealth
from engine.llm.backend import ChatRequest, LLMBackend, LLMError
from engine.llm.ollama_backend import OllamaBackend, same_model
from tests.llm.conftest import fast_config, track
from tests.llm.fake_ollama_server import FakeOllamaServer
from tests.llm.fake_openai_server import FakeOpenAIServer
from tests.llm.loopback import Hangup, Reply, Slow, Status, StreamError

SCHEMA = {
    "type": "object",
    "properties": {
        "mood": {"type": "string", "enum": ["happy", "sad", "tired"]},
        "plan": {"type": "string", "maxLength": 60},
        "energy": {"type": "integer", "enum": [1, 2, 3, 4, 5]},
    },
    "required": ["mood", "plan", "energy"],
}
GOOD = {"mood": "happy", "plan": "Bake bread for the market", "energy": 4}


def request(text: str = "How do you feel, Ada?", **kw: object) -> ChatRequest:
    return ChatRequest(messages=(("system", "You are Ada, the baker."), ("user", text)), schema=SCHEMA, **kw)  # type: ignore[arg-type]


def backend(server: FakeOllamaServer, **overrides: object) -> OllamaBackend:
    return track(OllamaBackend(fast_config(**overrides), server.url))


def test_chat_returns_valid_answer_with_counts(ollama_server: FakeOllamaServer) -> None:
    b = backend(ollama_server)
    assert isinstance(b, LLMBackend)
    result = b.chat(request())
    jsonschema.validate(result.data, SCHEMA)
    assert result.text and not result.repaired
    assert result.prompt_tokens > 0 and result.completion_tokens > 0
    assert 0 < result.latency_s < 1
    assert result.backend == f"ollama {ollama_server.url} llama3.2"


def test_wire_shape_is_what_ollama_expects(ollama_server: FakeOllamaServer) -> None:
    backend(ollama_server).chat(request(temperature=0.25, max_tokens=123, seed=9))
    (sent,) = ollama_server.posts("/api/chat")
    body = sent.body
    assert body["model"] == "llama3.2"
    assert body["stream"] is True  # streamed, so a call can be stopped between tokens
    assert body["format"] == SCHEMA
    assert body["options"] == {"temperature": 0.25, "num_predict": 123, "seed": 9}
    assert body["messages"] == [{"role": "system", "content": "You are Ada, the baker."},
                                {"role": "user", "content": "How do you feel, Ada?"}]


def test_seed_is_left_out_when_not_given(ollama_server: FakeOllamaServer) -> None:
    backend(ollama_server).chat(request())
    assert "seed" not in ollama_server.posts("/api/chat")[0].body["options"]


def test_garbage_then_valid_is_repaired(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Reply("Sure! I feel great today."), Reply(GOOD))
    result = backend(ollama_server).chat(request())
    assert result.repaired and result.data == GOOD
    first, second = ollama_server.posts("/api/chat")
    assert second.body["format"] == SCHEMA
    assert second.body["messages"][:2] == first.body["messages"]
    assert second.body["messages"][2] == {"role": "assistant", "content": "Sure! I feel great today."}
    repair = second.body["messages"][3]
    assert repair["role"] == "user" and "not valid JSON" in repair["content"] and '"mood"' in repair["content"]
    # Tokens of both rounds count: both were paid for.
    assert result.prompt_tokens > len("You are Ada, the baker.How do you feel, Ada?") // 4


def test_wrong_schema_then_valid_says_what_was_wrong(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Reply({"mood": "ecstatic", "plan": "x", "energy": 4}), Reply(GOOD))
    result = backend(ollama_server).chat(request())
    assert result.repaired and result.data == GOOD
    note = ollama_server.posts("/api/chat")[1].body["messages"][-1]["content"]
    assert "at 'mood'" in note and "ecstatic" in note


def test_missing_required_field_is_named(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Reply({"mood": "sad", "plan": "x"}), Reply(GOOD))
    backend(ollama_server).chat(request())
    assert "'energy' is a required property" in ollama_server.posts("/api/chat")[1].body["messages"][-1]["content"]


def test_answer_in_code_fence_needs_no_repair(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Reply('```json\n{"mood": "sad", "plan": "rest", "energy": 1}\n```'))
    result = backend(ollama_server).chat(request())
    assert result.data == {"mood": "sad", "plan": "rest", "energy": 1} and not result.repaired
    assert len(ollama_server.posts("/api/chat")) == 1


def test_always_wrong_is_bad_output_without_retries(ollama_server: FakeOllamaServer) -> None:
    ollama_server.script = lambda path, body: Reply({"mood": 7})
    with pytest.raises(LLMError) as info:
        backend(ollama_server, retries=3).chat(request())
    assert info.value.kind == LLMErrorKind.BAD_OUTPUT
    assert "llama3.2" in info.value.advice
    assert len(ollama_server.posts("/api/chat")) == 2  # the ask and one repair, nothing more


def test_truncated_answer_is_told_to_be_shorter(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Reply('{"mood": "happy", "plan": "Bake bre', done_reason="length"), Reply(GOOD))
    assert backend(ollama_server).chat(request()).repaired
    assert "cut off" in ollama_server.posts("/api/chat")[1].body["messages"][-1]["content"]


def test_server_error_then_ok_is_retried(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Status(500, "llama runner process has terminated"))
    result = backend(ollama_server).chat(request())
    jsonschema.validate(result.data, SCHEMA)
    assert len(ollama_server.posts("/api/chat")) == 2


def test_server_error_gives_up_after_the_retries(ollama_server: FakeOllamaServer) -> None:
    ollama_server.script = lambda path, body: Status(503, "server busy")
    with pytest.raises(LLMError) as info:
        backend(ollama_server, retries=2).chat(request())
    assert info.value.kind == LLMErrorKind.SERVER_ERROR and "server busy" in str(info.value)
    assert len(ollama_server.posts("/api/chat")) == 3


def test_client_error_is_not_retried(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Status(400, "invalid format"))
    with pytest.raises(LLMError) as info:
        backend(ollama_server, retries=2).chat(request())
    assert info.value.kind == LLMErrorKind.SERVER_ERROR
    assert len(ollama_server.posts("/api/chat")) == 1


def test_missing_model_is_not_retried_and_says_how_to_pull(ollama_server: FakeOllamaServer) -> None:
    with pytest.raises(LLMError) as info:
        backend(ollama_server, model="mistral-nemo", retries=3).chat(request())
    error = info.value
    assert error.kind == LLMErrorKind.MODEL_MISSING
    assert error.advice == f"Ollama at {ollama_server.url} has no model 'mistral-nemo'. Run `ollama pull mistral-nemo`."
    assert len(ollama_server.posts("/api/chat")) == 1


def test_slow_server_times_out(ollama_server: FakeOllamaServer) -> None:
    ollama_server.script = lambda path, body: Slow(3.0)
    started = time.perf_counter()
    with pytest.raises(LLMError) as info:
        backend(ollama_server, retries=1, timeout_s=0.2).chat(request())
    elapsed = time.perf_counter() - started
    assert info.value.kind == LLMErrorKind.TIMEOUT
    assert "smaller model" in info.value.advice
    assert 0.35 < elapsed < 1.5  # two tries of 0.2 s each plus a tiny backoff
    assert len(ollama_server.posts("/api/chat")) == 2


def test_slow_then_fast_recovers_on_retry(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Slow(3.0))
    result = backend(ollama_server, retries=1, timeout_s=0.2).chat(request())
    jsonschema.validate(result.data, SCHEMA)


def test_no_server_is_unavailable_in_milliseconds(closed_url: str) -> None:
    b = track(OllamaBackend(fast_config(retries=0, connect_timeout_s=2.0), closed_url))
    started = time.perf_counter()
    with pytest.raises(LLMError) as info:
        b.chat(request())
    assert time.perf_counter() - started < 0.5  # refused at once, not after the 2 s connect timeout
    error = info.value
    assert error.kind == LLMErrorKind.UNAVAILABLE
    assert error.advice == (f"Ollama isn't running at {closed_url}. Start it with `ollama serve`, then "
                            "`ollama pull llama3.2`. Townsfolk keeps going on its built-in brain meanwhile.")
    assert error.backend == b.name


def test_no_server_retries_with_backoff(closed_url: str) -> None:
    b = track(OllamaBackend(fast_config(retries=2), closed_url))
    started = time.perf_counter()
    with pytest.raises(LLMError):
        b.chat(request())
    # backoff 0.01 then 0.02 s, each between half and all of that
    assert 0.015 <= time.perf_counter() - started < 1.0


def test_server_hanging_up_is_unavailable(ollama_server: FakeOllamaServer) -> None:
    ollama_server.script = lambda path, body: Hangup()
    with pytest.raises(LLMError) as info:
        backend(ollama_server, retries=1).chat(request())
    assert info.value.kind == LLMErrorKind.UNAVAILABLE
    assert "ollama serve" in info.value.advice


def test_concurrency_is_bounded_per_host(ollama_server: FakeOllamaServer) -> None:
    ollama_server.script = lambda path, body: Slow(0.05)
    b = backend(ollama_server, concurrency=2, timeout_s=2.0)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            b.chat(request())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert ollama_server.max_in_flight == 2
    assert len(ollama_server.posts("/api/chat")) == 8


def test_client_is_built_with_timeouts() -> None:
    b = track(OllamaBackend(fast_config(timeout_s=42.0, connect_timeout_s=1.5), "localhost"))
    timeout = b._client._client.timeout
    assert (timeout.read, timeout.connect) == (42.0, 1.5)
    assert b.host == "http://localhost:11434"
    b.close()


def test_embed_returns_normalised_float32(ollama_server: FakeOllamaServer) -> None:
    b = backend(ollama_server, embed_model="nomic-embed-text")
    vectors = b.embed(["the baker bakes bread", "the mayor calls a vote", "the baker bakes bread"])
    assert vectors.shape == (3, 64) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2])
    (sent,) = ollama_server.posts("/api/embed")
    assert sent.body["model"] == "nomic-embed-text"
    assert sent.body["input"] == ["the baker bakes bread", "the mayor calls a vote", "the baker bakes bread"]


def test_embed_of_nothing_makes_no_request(ollama_server: FakeOllamaServer) -> None:
    assert backend(ollama_server).embed([]).shape == (0, 0)
    assert not ollama_server.posts("/api/embed")


def test_embed_with_missing_model(ollama_server: FakeOllamaServer) -> None:
    with pytest.raises(LLMError) as info:
        backend(ollama_server, embed_model="mxbai-embed-large").embed(["hello"])
    assert info.value.kind == LLMErrorKind.MODEL_MISSING and "ollama pull mxbai-embed-large" in info.value.advice


def test_health_ready_lists_models(ollama_server: FakeOllamaServer) -> None:
    health = backend(ollama_server).health()
    assert health.state == LLMHealth.READY
    assert "0.6.3" in health.message
    assert health.models == ("llama3.2:latest", "nomic-embed-text:latest")
    assert [r.path for r in ollama_server.requests] == ["/api/version", "/api/tags"]


def test_health_no_model(ollama_server: FakeOllamaServer) -> None:
    health = backend(ollama_server, model="qwen2.5:7b").health()
    assert health.state == LLMHealth.NO_MODEL
    assert health.message == f"Ollama at {ollama_server.url} has no model 'qwen2.5:7b'. Run `ollama pull qwen2.5:7b`."


def test_health_no_embed_model(ollama_server: FakeOllamaServer) -> None:
    health = backend(ollama_server, embed_model="all-minilm").health()
    assert health.state == LLMHealth.NO_MODEL and "`ollama pull all-minilm`" in health.message


def test_health_no_server(closed_url: str) -> None:
    health = track(OllamaBackend(fast_config(), closed_url)).health()
    assert health.state == LLMHealth.NO_SERVER
    assert "ollama serve" in health.message and "ollama pull llama3.2" in health.message


def test_health_of_something_that_is_not_ollama(openai_server: FakeOpenAIServer) -> None:
    health = track(OllamaBackend(fast_config(), openai_server.url)).health()
    assert health.state == LLMHealth.NO_SERVER and "/v1" in health.message


def test_health_of_a_hung_server_is_quick(ollama_server: FakeOllamaServer) -> None:
    ollama_server.script = lambda path, body: Slow(3.0)
    started = time.perf_counter()
    health = backend(ollama_server, timeout_s=0.2).health()
    assert health.state == LLMHealth.NO_SERVER and "isn't answering" in health.message
    assert time.perf_counter() - started < 2.0  # the probe's own short timeout, not the server's 3 s


def test_same_model_names() -> None:
    assert same_model("llama3.2", "llama3.2:latest")
    assert same_model("llama3.2:latest", "llama3.2")
    assert not same_model("llama3.2", "llama3.2:1b")
    assert same_model("library/qwen2.5:7b", "library/qwen2.5:7b")


# The server must be faithful for the tests above to mean anything: check it against the raw client,
# including the paths our backend does not use (streaming, generate) but a future caller might.


def test_server_streams_ndjson_the_client_understands(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(Reply("Good morning, neighbour!"))
    client = track(ollama.Client(host=ollama_server.url, timeout=httpx.Timeout(2, connect=1)))
    parts = list(client.chat(model="llama3.2", messages=[{"role": "user", "content": "hi"}], stream=True))
    assert "".join(p.message.content or "" for p in parts) == "Good morning, neighbour!"
    assert parts[-1].done and parts[-1].eval_count and not any(p.done for p in parts[:-1])


def test_server_error_line_mid_stream_raises_response_error(ollama_server: FakeOllamaServer) -> None:
    ollama_server.push(StreamError("out of memory", after=1))
    client = track(ollama.Client(host=ollama_server.url, timeout=httpx.Timeout(2, connect=1)))
    with pytest.raises(ollama.ResponseError) as info:
        list(client.chat(model="llama3.2", messages=[{"role": "user", "content": "hi"}], stream=True))
    assert info.value.error == "out of memory" and info.value.status_code == -1


def test_server_generate_and_raw_client_errors(ollama_server: FakeOllamaServer, closed_url: str) -> None:
    client = track(ollama.Client(host=ollama_server.url, timeout=httpx.Timeout(0.2, connect=1)))
    answer = client.generate(model="llama3.2", prompt="Say hi", format=SCHEMA)
    jsonschema.validate(__import__("json").loads(answer.response), SCHEMA)
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(model="nope", messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 404
    ollama_server.push(Slow(2.0))
    with pytest.raises(httpx.ReadTimeout):  # not wrapped by the client, unlike ConnectError
        client.chat(model="llama3.2", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(ConnectionError):
        track(ollama.Client(host=closed_url, timeout=httpx.Timeout(1, connect=1))).list()
