"""The shared pieces: parsing and validating answers, the repair note, retry policy."""

from __future__ import annotations

import random

import pytest

from engine.contracts.thinking import LLMErrorKind
from engine.llm.backend import ChatRequest, LLMConfig, LLMError
from engine.llm.retry import Backoff, call_with_retries, is_transient, permanent
from engine.llm.structured import RawAnswer, parse_answer, repair_messages, structured_chat

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}, "required": ["n"]}


@pytest.mark.parametrize(("text", "expected"), [
    ('{"n": 2}', {"n": 2}),
    ('  ```json\n{"n": 1}\n```  ', {"n": 1}),
    ('Here you go: {"n": 3} Hope that helps!', {"n": 3}),
])
def test_parse_accepts_valid_answers(text: str, expected: dict[str, int]) -> None:
    assert parse_answer(RawAnswer(text), SCHEMA) == (expected, "")


@pytest.mark.parametrize(("text", "problem"), [
    ("", "empty"),
    ("no json here", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"n": 9}', "at 'n': 9 is greater than the maximum of 3"),
    ("{}", "'n' is a required property"),
])
def test_parse_explains_problems(text: str, problem: str) -> None:
    data, found = parse_answer(RawAnswer(text), SCHEMA)
    assert data is None and problem in found


def test_truncation_is_named() -> None:
    assert "cut off" in parse_answer(RawAnswer('{"n": ', truncated=True), SCHEMA)[1]


def test_repair_messages_append_the_bad_answer_and_the_note() -> None:
    messages = repair_messages((("user", "hi"),), "oops", "the answer was empty", SCHEMA)
    assert messages[:2] == (("user", "hi"), ("assistant", "oops"))
    role, note = messages[2]
    assert role == "user" and "the answer was empty" in note and "only a JSON object" in note and '"maximum":3' in note


def test_structured_chat_sums_tokens_over_the_repair() -> None:
    answers = iter([RawAnswer('{"n": 7}', 10, 3), RawAnswer('{"n": 1}', 20, 4)])
    result = structured_chat(ChatRequest((("user", "x"),), SCHEMA), lambda m: next(answers), "b", "The model")
    assert (result.data, result.prompt_tokens, result.completion_tokens, result.repaired) == ({"n": 1}, 30, 7, True)


def test_structured_chat_rejects_a_broken_schema_before_sending() -> None:
    sent = []
    with pytest.raises(Exception, match="is not valid"):
        structured_chat(ChatRequest((("user", "x"),), {"type": "objekt"}), lambda m: sent.append(m), "b", "m")
    assert not sent


def test_structured_chat_gives_bad_output_after_one_repair() -> None:
    calls = []

    def send(messages: tuple[tuple[str, str], ...]) -> RawAnswer:
        calls.append(messages)
        return RawAnswer("nope")

    with pytest.raises(LLMError) as info:
        structured_chat(ChatRequest((("user", "x"),), SCHEMA), send, "b", "The model 'm'")
    assert info.value.kind == LLMErrorKind.BAD_OUTPUT and len(calls) == 2 and "The model 'm'" in info.value.advice


def test_backoff_grows_with_jitter_and_cap() -> None:
    backoff = Backoff(retries=5, base_s=0.2, cap_s=1.0)
    rng = random.Random(0)
    for attempt, step in enumerate([0.2, 0.4, 0.8, 1.0, 1.0]):
        for _ in range(20):
            assert step / 2 <= backoff.delay(attempt, rng) <= step


def test_backoff_from_config() -> None:
    backoff = Backoff.from_config(LLMConfig(retries=4, extra={"retry_base_s": 0.05}))
    assert (backoff.retries, backoff.base_s, backoff.cap_s) == (4, 0.05, 5.0)


@pytest.mark.parametrize(("kind", "tries"), [
    (LLMErrorKind.UNAVAILABLE, 3), (LLMErrorKind.TIMEOUT, 3), (LLMErrorKind.SERVER_ERROR, 3), (LLMErrorKind.MODEL_MISSING, 1), (LLMErrorKind.BAD_OUTPUT, 1),
])
def test_only_transient_kinds_are_retried(kind: str, tries: int) -> None:
    calls, sleeps = [], []

    def fail() -> None:
        calls.append(1)
        raise LLMError(kind, "no")

    with pytest.raises(LLMError):
        call_with_retries(fail, Backoff(retries=2), random.Random(0), sleep=sleeps.append)
    assert len(calls) == tries and len(sleeps) == tries - 1


def test_permanent_errors_are_not_retried() -> None:
    error = permanent(LLMError(LLMErrorKind.SERVER_ERROR, "bad request"))
    assert not is_transient(error)
    assert is_transient(LLMError(LLMErrorKind.SERVER_ERROR, "busy"))


def test_success_after_retry_returns_value() -> None:
    outcomes = iter([LLMError(LLMErrorKind.TIMEOUT, "slow"), 42])

    def flaky() -> int:
        value = next(outcomes)
        if isinstance(value, LLMError):
            raise value
        return value

    assert call_with_retries(flaky, Backoff(retries=1), random.Random(0), sleep=lambda s: None) == 42


def test_a_call_stopped_while_waiting_to_try_again_reports_the_servers_failure():
    """A thought dropped as stale during the back-off must not hide that the server is down: at max speed in
    the window every call went stale before its retries ran out, and the status bar never said so."""
    outcomes = [LLMError(LLMErrorKind.UNAVAILABLE, "connection refused"), LLMError(LLMErrorKind.CANCELLED, "stale")]

    def attempt() -> int:
        raise outcomes.pop(0)

    with pytest.raises(LLMError) as raised:
        call_with_retries(attempt, Backoff(retries=3), random.Random(0), sleep=lambda s: None)
    assert raised.value.kind == LLMErrorKind.UNAVAILABLE and not outcomes
