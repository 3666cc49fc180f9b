"""Structured answers: parse, validate against the schema, one repair round.

Constrained decoding (Ollama's ``format``, OpenAI's ``response_format``) makes
valid JSON likely, not certain: small models still hit the token limit half way
through an object, some servers ignore the schema, and constraints like
``maxLength`` are not always enforced. So every backend validates what comes
back and, once, shows the model its own answer plus exactly what was wrong.
That one round fixes most slips; a second failure means this model cannot do
the task and the caller should fall back to the rule brain (``LLMErrorKind.BAD_OUTPUT``).

Backends supply a ``send(messages) -> RawAnswer`` function (with their own
retries inside); everything else lives here so all backends behave the same.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.validators import validator_for

from engine.contracts.thinking import LLMErrorKind
from engine.llm.backend import ChatRequest, ChatResult, LLMError

Messages = tuple[tuple[str, str], ...]

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)
_MAX_PROBLEMS = 3
_MAX_PROBLEM_CHARS = 200


@dataclass(frozen=True)
class RawAnswer:
    """One answer as a server sent it, before we look inside."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    truncated: bool = False  # the server stopped at the token limit
    prompt_s: float = 0.0  # the server's own time reading the prompt (0: it does not say)
    answer_s: float = 0.0  # the server's own time writing the answer (0: it does not say)


@functools.lru_cache(maxsize=256)
def _validator_for_key(key: str) -> Any:
    schema = json.loads(key)
    cls = validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)  # a broken schema is the caller's bug: say so before any network call
    return cls(schema)


def validator(schema: dict[str, Any]) -> Any:
    """A cached jsonschema validator; schemas repeat for every agent, building one each time is wasteful."""
    return _validator_for_key(json.dumps(schema, sort_keys=True))


def schema_problems(data: Any, schema: dict[str, Any]) -> list[str]:
    """Plain descriptions of how ``data`` breaks ``schema`` (empty when it fits), shallowest first."""
    errors = sorted(validator(schema).iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.message)))
    problems = []
    for error in errors[:_MAX_PROBLEMS]:
        where = "/".join(str(p) for p in error.absolute_path)
        message = error.message
        if len(message) > _MAX_PROBLEM_CHARS:
            message = message[: _MAX_PROBLEM_CHARS - 3] + "..."
        problems.append(f"at '{where}': {message}" if where else message)
    return problems


def _loads_lenient(text: str) -> Any:
    """JSON from a model's text, forgiving code fences and chatter around one object."""
    stripped = text.strip()
    match = _FENCE.match(stripped)
    if match:
        stripped = match.group(1).strip()
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        start = stripped.find("{")
        if start < 0:
            raise
        obj, _ = json.JSONDecoder().raw_decode(stripped[start:])
        return obj


def parse_answer(answer: RawAnswer, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """Return ``(data, "")`` for a valid answer, else ``(None, what was wrong in plain words)``."""
    if not answer.text.strip():
        return None, "the answer was empty"
    try:
        data = _loads_lenient(answer.text)
    except json.JSONDecodeError as error:
        if answer.truncated:
            return None, "the answer was cut off at the length limit before the JSON was complete; answer more briefly"
        return None, f"the answer was not valid JSON ({error.msg} at character {error.pos})"
    if not isinstance(data, dict):
        return None, f"the answer must be a JSON object, not {type(data).__name__}"
    problems = schema_problems(data, schema)
    if problems:
        return None, "the JSON did not match the schema: " + "; ".join(problems)
    return data, ""


def repair_messages(messages: Messages, bad_text: str, problem: str, schema: dict[str, Any]) -> Messages:
    """The conversation plus the bad answer and a note saying exactly what to fix."""
    note = (
        f"Your answer was not usable: {problem}. "
        "Reply again with only a JSON object that matches this JSON schema, and no other text:\n"
        + json.dumps(schema, separators=(",", ":"))
    )
    return (*messages, ("assistant", bad_text), ("user", note))


def structured_chat(
    request: ChatRequest,
    send: Callable[[Messages], RawAnswer],
    backend: str,
    who: str,
) -> ChatResult:
    """Ask, check, repair once; ``who`` names the model in messages, e.g. "The model 'llama3.2' at http://...".

    Raises ``LLMError(LLMErrorKind.BAD_OUTPUT)`` when the repaired answer is still unusable;
    errors raised by ``send`` pass through unchanged.
    """
    validator(request.schema)
    started = time.perf_counter()
    first = send(request.messages)
    data, problem = parse_answer(first, request.schema)
    if data is not None:
        return ChatResult(data, first.text, first.prompt_tokens, first.completion_tokens,
                          time.perf_counter() - started, backend, prompt_s=first.prompt_s, answer_s=first.answer_s)
    second = send(repair_messages(request.messages, first.text, problem, request.schema))
    data, problem2 = parse_answer(second, request.schema)
    prompt_tokens = first.prompt_tokens + second.prompt_tokens
    completion_tokens = first.completion_tokens + second.completion_tokens
    if data is not None:
        return ChatResult(data, second.text, prompt_tokens, completion_tokens,
                          time.perf_counter() - started, backend, repaired=True,
                          prompt_s=first.prompt_s + second.prompt_s, answer_s=first.answer_s + second.answer_s)
    raise LLMError(
        LLMErrorKind.BAD_OUTPUT,
        f"{who} answered in the wrong shape twice: {problem2}",
        advice=f"{who} could not follow the answer format ({problem2}). A larger or newer model usually does better; "
        "agents use the built-in brain for this thought.",
        backend=backend,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
