"""FakeBackend: deterministic, schema-valid, readable answers for any schema; hashing embeddings."""

from __future__ import annotations

import json
import random
import re
import threading
from typing import Any

import jsonschema
import numpy as np
import pytest

from engine.contracts.thinking import LLMErrorKind, LLMHealth
from engine.llm.backend import ChatRequest, LLMBackend, LLMError
from engine.llm.fake import FakeBackend
from engine.llm.synth import synthesize
from engine.memory.embedders import HashingEmbedder

PLAN = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "maxLength": 80},
        "steps": {
            "type": "array", "minItems": 3, "maxItems": 6,
            "items": {"type": "object", "properties": {
                "hour": {"type": "integer", "minimum": 6, "maximum": 22},
                "place": {"type": "string"},
                "activity": {"type": "string", "minLength": 5, "maxLength": 40},
            }, "required": ["hour", "place", "activity"], "additionalProperties": False},
        },
    },
    "required": ["summary", "steps"],
}

SCHEMAS: list[dict[str, Any]] = [
    PLAN,
    {"type": "object", "properties": {"importance": {"type": "integer", "enum": list(range(1, 11))}},
     "required": ["importance"]},
    {"type": "object", "properties": {"say": {"type": "string", "maxLength": 5}, "end": {"type": "boolean"}},
     "required": ["say", "end"]},
    {"type": "object", "properties": {
        "price": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "count": {"type": "integer", "minimum": -5, "maximum": -3},
        "even": {"type": "integer", "minimum": 1, "maximum": 9, "multipleOf": 2},
        "score": {"type": "number", "minimum": 2.5}},
     "required": ["price", "count", "even", "score"]},
    {"type": "object", "properties": {"tags": {"type": "array", "items": {"enum": ["a", "b", "c"]},
                                               "uniqueItems": True, "minItems": 3, "maxItems": 3}},
     "required": ["tags"]},
    {"type": "object", "properties": {"note": {"type": ["string", "null"], "minLength": 30, "maxLength": 35}},
     "required": ["note"]},
    {"type": "object", "properties": {"vote": {"const": "yes"}, "why": {"anyOf": [{"type": "null"},
                                                                               {"type": "string"}]}},
     "required": ["vote", "why"]},
    {"type": "object", "properties": {"empty": {"type": "array", "maxItems": 0},
                                      "pair": {"type": "array", "prefixItems": [{"type": "integer"},
                                                                                {"type": "boolean"}],
                                               "minItems": 2, "maxItems": 2}},
     "required": ["empty", "pair"]},
    # pydantic-style: $defs + $ref + allOf
    {"$defs": {"Step": {"type": "object", "properties": {"what": {"type": "string", "maxLength": 30},
                                                         "minutes": {"type": "integer", "minimum": 5,
                                                                     "maximum": 60}},
                        "required": ["what", "minutes"]}},
     "type": "object",
     "properties": {"first": {"$ref": "#/$defs/Step"}, "rest": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
                    "both": {"allOf": [{"$ref": "#/$defs/Step"}, {"properties": {"extra": {"type": "boolean"}},
                                                                   "required": ["extra"]}]}},
     "required": ["first", "rest", "both"]},
    # recursive: must terminate
    {"$defs": {"Node": {"type": "object", "properties": {"name": {"type": "string"},
                                                         "kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                        "required": ["name"]}},
     "$ref": "#/$defs/Node"},
    {"type": "object"},
    {"type": "object", "required": ["anything"]},
]


def ask(backend: FakeBackend, schema: dict[str, Any], text: str = "Plan Ada's day.") -> dict[str, Any]:
    return backend.chat(ChatRequest(messages=(("system", "You are a townsperson."), ("user", text)),
                                    schema=schema)).data


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
def test_answers_validate_against_varied_schemas(index: int) -> None:
    schema = SCHEMAS[index]
    backend = FakeBackend(seed=index)
    for i in range(25):
        jsonschema.validate(ask(backend, schema, f"prompt {i}"), schema)


def test_same_request_same_answer_across_instances() -> None:
    assert ask(FakeBackend(seed=1), PLAN) == ask(FakeBackend(seed=1), PLAN)
    backend = FakeBackend(seed=1)
    assert backend.chat(ChatRequest((("user", "x"),), PLAN)).text == backend.chat(ChatRequest((("user", "x"),),
                                                                                               PLAN)).text


def test_different_prompts_and_seeds_differ() -> None:
    backend = FakeBackend()
    answers = {json.dumps(ask(backend, PLAN, f"Plan day {i}"), sort_keys=True) for i in range(10)}
    assert len(answers) >= 9
    assert ask(FakeBackend(seed=1), PLAN) != ask(FakeBackend(seed=2), PLAN)


def test_strings_read_like_words() -> None:
    backend = FakeBackend()
    for i in range(20):
        data = ask(backend, PLAN, f"day {i}")
        texts = [data["summary"]] + [s["activity"] for s in data["steps"]] + [s["place"] for s in data["steps"]]
        for text in texts:
            assert re.fullmatch(r"[A-Za-z' ]+", text), text
            assert not text.endswith(" ")


def test_string_limits_are_respected_exactly() -> None:
    rng = random.Random(3)
    for lo, hi in [(0, 1), (1, 3), (5, 5), (0, 12), (20, 25), (60, 200)]:
        for _ in range(30):
            text = synthesize({"type": "string", "minLength": lo, "maxLength": hi}, rng)
            assert lo <= len(text) <= hi


def test_script_overrides_and_is_checked() -> None:
    def script(request: ChatRequest) -> dict[str, Any] | None:
        return {"importance": 9} if "wedding" in request.messages[-1][1] else None

    backend = FakeBackend(script=script)
    schema = SCHEMAS[1]
    assert ask(backend, schema, "Rate: a wedding") == {"importance": 9}
    assert ask(backend, schema, "Rate: brushing teeth")["importance"] in range(1, 11)

    bad = FakeBackend(script=lambda request: {"importance": 99})
    with pytest.raises(LLMError) as info:
        ask(bad, schema)
    assert info.value.kind == LLMErrorKind.BAD_OUTPUT


def test_script_can_play_a_failing_server() -> None:
    def script(request: ChatRequest) -> dict[str, Any] | None:
        raise LLMError("timeout", "too slow")

    with pytest.raises(LLMError) as info:
        ask(FakeBackend(script=script), PLAN)
    assert info.value.kind == "timeout"


def test_counts_calls_and_tokens() -> None:
    backend = FakeBackend()
    request = ChatRequest((("user", "a" * 40),), PLAN)
    result = backend.chat(request)
    backend.chat(request)
    assert backend.calls == 2
    assert result.prompt_tokens == 10 and result.completion_tokens == len(result.text) // 4
    assert backend.prompt_tokens == 20 and backend.completion_tokens == 2 * result.completion_tokens
    assert list(backend.requests) == [request, request]
    assert result.backend == "fake" and not result.repaired


def test_thread_safe_counting() -> None:
    backend = FakeBackend()
    threads = [threading.Thread(target=lambda: [ask(backend, SCHEMAS[1], str(i)) for i in range(50)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert backend.calls == 200


def test_unsatisfiable_schema_is_bad_output() -> None:
    with pytest.raises(LLMError) as info:
        ask(FakeBackend(), {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[0-9]{4}$"}},
                            "required": ["code"]})
    assert info.value.kind == LLMErrorKind.BAD_OUTPUT


def test_health_and_protocol() -> None:
    backend = FakeBackend()
    assert isinstance(backend, LLMBackend)
    assert backend.health().state == LLMHealth.READY
    backend.close()


def test_embeddings_are_deterministic_normalised_and_meaningful() -> None:
    backend = FakeBackend()
    texts = ["Ada bakes bread at the bakery", "Ada bakes fresh bread", "The mayor calls an election", ""]
    vectors = backend.embed(texts)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, rtol=1e-5)
    assert not vectors[3].any()  # no words, no direction
    np.testing.assert_array_equal(vectors, FakeBackend(seed=5).embed(texts))
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert backend.embed_calls == 1


def test_fake_embeddings_are_the_memory_streams_hashing_vectors() -> None:
    # One hashing embedder in the engine: the fake brain embeds exactly as a store named "hashing" does
    # (whose numbers are pinned across processes in tests/memory).
    texts = ["hello town", "Hello, town!", "the baker's bread"]
    np.testing.assert_array_equal(FakeBackend().embed(texts), HashingEmbedder().embed(texts))
    vector = FakeBackend().embed(["hello town"])[0]
    nonzero = np.flatnonzero(vector)
    assert len(nonzero) == 3  # two words and their pair
    np.testing.assert_allclose(np.abs(vector[nonzero]), 1 / np.sqrt(3), rtol=1e-5)
