"""A small Tracery-style grammar: symbols expand to one of their alternatives, recursively.

``#symbol#`` is replaced by a pick among the symbol's alternatives (which may hold
more symbols); ``#symbol.cap#`` capitalises the pick. Facts of the moment (names,
places, times) are given as extra one-alternative symbols, so the same rules speak
about whoever is talking. Picks use the caller's RNG, so a replay says the same
words. The rules live in TOML files under ``words/`` beside the code that speaks them.

(The ``tracery`` package on PyPI has had no release since 2016; this is the part of it we use.)
"""

from __future__ import annotations

import random
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

SYMBOL = re.compile(r"#([A-Za-z0-9_]+)(\.cap)?#")
MAX_DEPTH = 12  # a rule that names itself forever stops here rather than hanging the tick
Rules = Mapping[str, tuple[str, ...]]


@cache
def load_table(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


@cache
def load_rules(path: Path) -> dict[str, tuple[str, ...]]:
    """A TOML file of ``symbol = ["alternative", ...]``; ``[table]`` keys become ``table_symbol``
    (arrays of tables are data, not rules, and are left out: read them with ``load_table``)."""
    rules: dict[str, tuple[str, ...]] = {}
    _flatten(load_table(path), "", rules)
    return rules


def _flatten(table: Mapping[str, object], prefix: str, out: dict[str, tuple[str, ...]]) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, f"{name}_", out)
        elif isinstance(value, list):
            if not any(isinstance(v, Mapping) for v in value):
                out[name] = tuple(str(v) for v in value)
        else:
            out[name] = (str(value),)


def words_file(module_file: str, name: str) -> Path:
    """``words/NAME.toml`` next to the module ``module_file``."""
    return Path(module_file).resolve().parent / "words" / f"{name}.toml"


class Grammar:
    def __init__(self, rules: Rules):
        self.rules = rules

    def has(self, symbol: str) -> bool:
        return symbol in self.rules

    def expand(self, text: str, rng: random.Random, facts: Mapping[str, str] | None = None) -> str:
        """``text`` with every ``#symbol#`` expanded (facts first, then the rules; unknown ones are left as they are)."""
        return self._expand(text, rng, facts or {}, 0)

    def pick(self, symbol: str, rng: random.Random, facts: Mapping[str, str] | None = None) -> str:
        options = self.rules[symbol]
        return self._expand(options[rng.randrange(len(options))], rng, facts or {}, 0)

    def _expand(self, text: str, rng: random.Random, facts: Mapping[str, str], depth: int) -> str:
        if "#" not in text or depth > MAX_DEPTH:
            return text

        def one(match: re.Match[str]) -> str:
            name, cap = match.group(1), match.group(2)
            if name in facts:  # a fact may name one rule ("#kin_partner#"); other words are kept as they are
                value = facts[name]
                if SYMBOL.fullmatch(value):
                    value = self._expand(value, rng, facts, depth + 1)
            elif name in self.rules:
                options = self.rules[name]
                value = self._expand(options[rng.randrange(len(options))], rng, facts, depth + 1)
            else:
                return match.group(0)
            return value[:1].upper() + value[1:] if cap else value

        return SYMBOL.sub(one, text)
