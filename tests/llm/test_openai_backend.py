"""The OpenAI-compatible backend against a loopback /v1 server."""

from __future__ import annotations

import time

import jsonschema
import numpy as np
import pytest

from engine.contracts.thinking import LLMErrorKind, LLMHealth
from engine.llm.backend import ChatRequest, LLMBackend, LLMError
from engine.llm.openai_backend import OpenAICompatBackend
from tests.llm.conftest import fast_config, track
from tests.llm.fake_openai_server import FakeOpenAIServer
from tests.llm.loopback import Reply, Slow, Status

SCHEMA = {
    "type": "object",
    "properties": {"reply": {"type": "string", "maxLength": 80}, "ends": {"type": "boolean"}},
    "required": ["reply", "ends"],
    "additionalProperties": False,
}
MODEL = "qwen2.5-3b-instruct"


def request(**kw: object) -> ChatRequest:
    return ChatRequest(messages=(("user", "Greet Ben at the market."),), schema=SCHEMA, **kw)  # type: ignore[arg-type]


def backend(server: FakeOpenAIServer, **overrides: object) -> OpenAICompatBackend:
    return track(OpenAICompatBackend(fast_config(**{"model": MODEL, **overrides}), server.base_url))


def test_chat_and_wire_shape(openai_server: FakeOpenAIServer) -> None:
    b = backend(openai_server)
    assert isinstance(b, LLMBackend)
    result = b.chat(request(temperature=0.1, max_tokens=77, seed=3))
    jsonschema.validate(result.data, SCHEMA)
    assert result.prompt_tokens > 0 and result.completion_tokens > 0
    assert result.backend == f"openai {openai_server.base_url} {MODEL}"
    (sent,) = openai_server.posts("/v1/chat/completions")
    assert sent.body == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Greet Ben at the market."}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA, "strict": True}},
        "temperature": 0.1,
        "max_tokens": 77,
        "seed": 3,
        "stream": False,
    }


def test_api_key_is_sent(openai_server: FakeOpenAIServer) -> None:
    track(OpenAICompatBackend(fast_config(model=MODEL), openai_server.base_url, api_key="sk-local")).chat(request())
    assert openai_server.requests[0].headers.get("Authorization") == "Bearer sk-local"


def test_repair_then_bad_output(openai_server: FakeOpenAIServer) -> None:
    openai_server.push(Reply("Hello Ben!"), Reply({"reply": "Hello Ben!", "ends": False}))
    result = backend(openai_server).chat(request())
    assert result.repaired and result.data == {"reply": "Hello Ben!", "ends": False}
    repair = openai_server.posts("/v1/chat/completions")[1].body["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"]

    openai_server.script = lambda path, body: Reply({"reply": "Hi", "ends": "no"})
    with pytest.raises(LLMError) as info:
        backend(openai_server).chat(request())
    assert info.value.kind == LLMErrorKind.BAD_OUTPUT and "at 'ends'" in str(info.value)


def test_server_error_retried_then_ok(openai_server: FakeOpenAIServer) -> None:
    openai_server.push(Status(502, "bad gateway"), Status(500, "engine dead"))
    jsonschema.validate(backend(openai_server, retries=2).chat(request()).data, SCHEMA)
    assert len(openai_server.posts("/v1/chat/completions")) == 3


def test_server_error_message_comes_from_the_error_body(openai_server: FakeOpenAIServer) -> None:
    openai_server.script = lambda path, body: Status(500, "CUDA out of memory")
    with pytest.raises(LLMError) as info:
        backend(openai_server, retries=0).chat(request())
    assert info.value.kind == LLMErrorKind.SERVER_ERROR and "CUDA out of memory" in str(info.value)


def test_unsupported_response_format_is_asked_once_the_other_way_then_not_retried(
        openai_server: FakeOpenAIServer) -> None:
    # llama-cpp-python's server refuses OpenAI's "json_schema" and takes {"type": "json_object", "schema": ...}.
    openai_server.push(Status(400, "response_format json_schema is not supported"),
                       Status(400, "response_format json_object is not supported either"))
    with pytest.raises(LLMError) as info:
        backend(openai_server, retries=2).chat(request())
    assert info.value.kind == LLMErrorKind.SERVER_ERROR and "response_format" in info.value.advice
    posts = openai_server.posts("/v1/chat/completions")
    assert [p.body["response_format"]["type"] for p in posts] == ["json_schema", "json_object"]
    assert posts[1].body["response_format"]["schema"] == request().schema


def test_a_schema_in_a_json_object_response_format_when_that_is_what_the_server_takes(
        openai_server: FakeOpenAIServer) -> None:
    openai_server.push(Status(400, "response_format: Input should be 'text' or 'json_object'"),
                       Reply({"reply": "Hello Ben!", "ends": False}))
    chat = backend(openai_server, retries=2)
    assert chat.chat(request()).data == {"reply": "Hello Ben!", "ends": False}
    openai_server.push(Reply({"reply": "Again", "ends": True}))
    assert chat.chat(request()).data == {"reply": "Again", "ends": True}
    kinds = [p.body["response_format"]["type"] for p in openai_server.posts("/v1/chat/completions")]
    assert kinds == ["json_schema", "json_object", "json_object"]  # remembered for this server


def test_unknown_model(openai_server: FakeOpenAIServer) -> None:
    with pytest.raises(LLMError) as info:
        backend(openai_server, model="gpt-9", retries=2).chat(request())
    assert info.value.kind == LLMErrorKind.MODEL_MISSING and "gpt-9" in info.value.advice
    assert len(openai_server.posts("/v1/chat/completions")) == 1


def test_timeout(openai_server: FakeOpenAIServer) -> None:
    openai_server.script = lambda path, body: Slow(3.0)
    started = time.perf_counter()
    with pytest.raises(LLMError) as info:
        backend(openai_server, retries=0, timeout_s=0.2).chat(request())
    assert info.value.kind == LLMErrorKind.TIMEOUT and time.perf_counter() - started < 2.0


def test_no_server(closed_url: str) -> None:
    b = track(OpenAICompatBackend(fast_config(model=MODEL, retries=0, connect_timeout_s=2.0), closed_url + "/v1"))
    started = time.perf_counter()
    with pytest.raises(LLMError) as info:
        b.chat(request())
    assert info.value.kind == LLMErrorKind.UNAVAILABLE and time.perf_counter() - started < 0.5
    health = b.health()
    assert health.state == LLMHealth.NO_SERVER and "llama-server" in health.message


def test_embeddings_are_sorted_by_index_and_normalised(openai_server: FakeOpenAIServer) -> None:
    b = backend(openai_server, embed_model="bge-small")
    vectors = b.embed(["alpha beta", "gamma delta", "alpha beta"])
    assert vectors.shape == (3, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors[0], vectors[2])  # the server sent them in reverse order
    assert not np.allclose(vectors[0], vectors[1])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert openai_server.posts("/v1/embeddings")[0].body == {"model": "bge-small",
                                                             "input": ["alpha beta", "gamma delta", "alpha beta"]}


def test_health_states(openai_server: FakeOpenAIServer) -> None:
    ready = backend(openai_server).health()
    assert ready.state == LLMHealth.READY and ready.models == ("qwen2.5-3b-instruct", "bge-small")
    missing = backend(openai_server, model="llama-3-8b").health()
    assert missing.state == LLMHealth.NO_MODEL
    assert "llama-3-8b" in missing.message and "qwen2.5-3b-instruct" in missing.message
    wrong_path = track(OpenAICompatBackend(fast_config(model=MODEL), openai_server.url)).health()  # forgot /v1
    assert wrong_path.state == LLMHealth.NO_SERVER and "/v1" in wrong_path.message
