"""Make up a readable value that fits any (reasonable) JSON schema.

The fake brain and the tests' fake servers need answers for whatever schema a
cognition component asks with, including ones written after this module. So we
walk the schema rather than keep canned answers: objects, arrays, strings with
enum/length limits, bounded numbers, ``$ref``/``$defs`` (pydantic emits those),
``anyOf``/``oneOf``/``allOf``. Strings come from small word lists so a fake
town reads like a town in the inspector, not like line noise. All randomness
comes from the ``random.Random`` passed in, so the caller controls determinism.
"""

from __future__ import annotations

import math
import random
from typing import Any

NAMES = ("Ada", "Ben", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kemal", "Lena")
PLACES = ("the bakery", "the market", "the town hall", "the park", "the library", "the tavern", "the docks",
          "the school", "the clinic", "the mill", "the square", "home")
SUBJECTS = ("I", "We", "My neighbour", "The baker", "Everyone", "Nobody", "The mayor", "My friend")
VERBS = ("will visit", "would like to talk about", "should fix", "may think about", "could share", "must finish",
         "might skip", "can help with")  # modals agree with every subject
OBJECTS = ("fresh bread", "the harvest", "the new road", "a quiet walk", "the election", "old letters",
           "the broken fence", "supper", "the festival", "a long nap", "the price of flour", "the river")
TAILS = ("today", "this morning", "after lunch", "before sunset", "tomorrow", "at the weekend", "soon")
FILLER = ("and", "then", "maybe", "also", "quietly", "together", "again", "for a while")

_NAME_KEYS = ("name", "who", "person", "speaker", "target", "partner", "agent", "friend", "listener")
_PLACE_KEYS = ("place", "location", "where", "destination", "building")
_DANGLING = {"the", "a", "an", "to", "about", "with", "at", "and", "of", "my", "before", "after", "then"}
MAX_DEPTH = 8  # recursive schemas stop growing here


class Unsupported(ValueError):
    """The schema asks for something this generator cannot satisfy (e.g. ``"not"`` or ``false``)."""


def synthesize(schema: dict[str, Any] | bool, rng: random.Random) -> Any:
    """A value for ``schema``; callers validate it (patterns and formats are not honoured)."""
    return _value(schema, rng, schema if isinstance(schema, dict) else {}, 0, "")


def _resolve(ref: str, root: dict[str, Any]) -> Any:
    if not ref.startswith("#"):
        raise Unsupported(f"only local $ref is supported, not {ref!r}")
    node: Any = root
    for part in ref[1:].split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Good-enough ``allOf``: later keywords win, properties and required are unioned."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "properties":
                merged.setdefault("properties", {}).update(value)
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *[r for r in value if r not in merged.get("required", [])]]
            else:
                merged[key] = value
    return merged


def _infer_type(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        options = [t for t in declared if t != "null"] or declared
        return options[0]
    if isinstance(declared, str):
        return declared
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema or "minItems" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
        return "number"
    return "string"


def _value(schema: Any, rng: random.Random, root: dict[str, Any], depth: int, hint: str) -> Any:
    if schema is True or schema == {}:
        return _string({}, rng, hint)
    if schema is False:
        raise Unsupported("the schema 'false' allows no value")
    if "$ref" in schema:
        target = _resolve(schema["$ref"], root)
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = _merge([target, rest]) if rest else target
    if "allOf" in schema:
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        resolved = [_resolve(p["$ref"], root) if "$ref" in p else p for p in schema["allOf"]]
        schema = _merge([*resolved, rest])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return rng.choice(list(schema["enum"]))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if not (isinstance(o, dict) and o.get("type") == "null")] or schema[key]
            return _value(rng.choice(options), rng, root, depth + 1, hint)
    kind = _infer_type(schema)
    if kind == "object":
        return _object(schema, rng, root, depth)
    if kind == "array":
        return _array(schema, rng, root, depth, hint)
    if kind == "integer":
        return _integer(schema, rng)
    if kind == "number":
        return _number(schema, rng)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng, hint)


def _object(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> dict[str, Any]:
    props: dict[str, Any] = schema.get("properties", {})
    required = list(schema.get("required", []))
    # Deep in a recursive schema only what is required, so generation ends.
    keys = [k for k in props if depth < MAX_DEPTH or k in required]
    out = {key: _value(props[key], rng, root, depth + 1, key) for key in keys}
    for key in required:
        if key not in out:  # required but undeclared: any value will do
            extra = schema.get("additionalProperties")
            out[key] = _value(extra if isinstance(extra, dict) else {}, rng, root, depth + 1, key)
    return out


def _array(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int, hint: str) -> list[Any]:
    prefix = schema.get("prefixItems", [])
    items = schema.get("items", {})
    hi_given = schema.get("maxItems")
    lo = int(schema.get("minItems", 0 if depth >= MAX_DEPTH else min(1, hi_given if hi_given is not None else 1)))
    hi = int(hi_given if hi_given is not None else max(lo, 3))
    if depth >= MAX_DEPTH:
        hi = lo
    count = rng.randint(lo, max(lo, hi))
    singular = hint[:-1] if hint.endswith("s") else hint
    if isinstance(items, dict) and "enum" in items and schema.get("uniqueItems"):
        pool = list(items["enum"])
        rng.shuffle(pool)
        return pool[: min(count, len(pool))] if count <= len(pool) else pool
    out: list[Any] = []
    attempts = 0
    while len(out) < count and attempts < count * 10 + 10:
        attempts += 1
        index = len(out)
        sub = prefix[index] if index < len(prefix) else items
        value = _value(sub if sub is not None else {}, rng, root, depth + 1, singular)
        if schema.get("uniqueItems") and value in out:
            continue
        out.append(value)
    return out


def _bounds(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
    step = 1 if integer else 1e-6
    lo: float | None = schema.get("minimum")
    hi: float | None = schema.get("maximum")
    if "exclusiveMinimum" in schema and not isinstance(schema["exclusiveMinimum"], bool):
        lo = max(lo if lo is not None else -1e18, schema["exclusiveMinimum"] + step)
    if "exclusiveMaximum" in schema and not isinstance(schema["exclusiveMaximum"], bool):
        hi = min(hi if hi is not None else 1e18, schema["exclusiveMaximum"] - step)
    # Unbounded sides get a span of 10 from the other side, or 0..10 when neither is given.
    if lo is None:
        lo = hi - 10 if hi is not None else 0
    if hi is None:
        hi = lo + 10
    return lo, hi


def _integer(schema: dict[str, Any], rng: random.Random) -> int:
    lo, hi = _bounds(schema, integer=True)
    lo_i, hi_i = math.ceil(lo), math.floor(hi)
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int) and multiple > 0:
        first, last = math.ceil(lo_i / multiple), math.floor(hi_i / multiple)
        if first <= last:
            return rng.randint(first, last) * multiple
    return rng.randint(lo_i, max(lo_i, hi_i))


def _number(schema: dict[str, Any], rng: random.Random) -> float:
    lo, hi = _bounds(schema, integer=False)
    value = round(lo + (hi - lo) * rng.random(), 2)
    return min(max(value, lo), hi)  # rounding must not step outside the bounds


def _phrase(rng: random.Random, hint: str) -> str:
    key = hint.lower()
    if any(k in key for k in _NAME_KEYS):
        return rng.choice(NAMES)
    if any(k in key for k in _PLACE_KEYS):
        return rng.choice(PLACES)
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"


def _string(schema: dict[str, Any], rng: random.Random, hint: str) -> str:
    fmt = schema.get("format")
    if fmt == "date-time":
        return f"2024-05-{rng.randint(1, 28):02d}T{rng.randint(6, 21):02d}:00:00Z"
    if fmt == "date":
        return f"2024-05-{rng.randint(1, 28):02d}"
    lo = int(schema.get("minLength", 0))
    hi = int(schema.get("maxLength", 10**6))
    text = _phrase(rng, hint)
    while len(text) < lo:
        text += " " + rng.choice(FILLER)
    if len(text) > hi:
        cut = text[: hi + 1].rsplit(" ", 1)[0] if " " in text[: hi + 1] else text[:hi]
        words = cut.split(" ")
        while len(words) > 1 and words[-1].lower() in _DANGLING and len(" ".join(words[:-1])) >= lo:
            words.pop()  # "might skip the" reads worse than "might skip"
        cut = " ".join(words)
        text = cut if lo <= len(cut) <= hi else text[:hi]
    return text
