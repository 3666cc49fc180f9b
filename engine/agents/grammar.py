"""A small Tracery-style grammar: symbols expand to one of their alternatives, recursively.

``#symbol#`` is replaced by a pick among the symbol's alternatives (which may hold
more symbols); ``#symbol.cap#`` capitalises the pick. Facts of the moment (names,
places, times) are given as a mapping of extra symbols (it may work a fact out
only when a line asks for it), so the same rules speak about whoever is talking. Picks use the caller's RNG, so a replay says the same
words. The rules live in TOML files under ``words/`` beside the code that speaks them.

(The ``tracery`` package on PyPI has had no release since 2016; this is the part of it we use.)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol

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


class Dice(Protocol):
    """What the grammar needs of a random generator (``random.Random`` or ``engine.agents.dice.Dice``)."""

    def random(self) -> float: ...


# A template split once: its literal words (one more than its symbols), and its symbols with whether each is
# capitalised. (Picks use random(), not randrange(): on the hot path of small talk it is several times cheaper.)
Compiled = tuple[tuple[str, ...], tuple[tuple[str, bool], ...]]


class Grammar:
    def __init__(self, rules: Rules):
        self.rules = rules
        self._compiled: dict[str, Compiled] = {}  # template -> its parts, split once (the tick is hot)

    def has(self, symbol: str) -> bool:
        return symbol in self.rules

    def expand(self, text: str, rng: Dice, facts: Mapping[str, str] | None = None) -> str:
        """``text`` with every ``#symbol#`` expanded (rules, then facts; unknown ones are left as they are).
        Rule and fact names never overlap: rules are ``group_name``, facts plain words."""
        return self._expand(text, rng, facts or {}, 0)

    def pick(self, symbol: str, rng: Dice, facts: Mapping[str, str] | None = None) -> str:
        options = self.rules[symbol]
        return self._expand(options[int(rng.random() * len(options))], rng, facts or {}, 0)

    def _parts(self, text: str) -> Compiled:
        parts = self._compiled.get(text)
        if parts is None:
            words: list[str] = []
            symbols: list[tuple[str, bool]] = []
            at = 0
            for match in SYMBOL.finditer(text):
                words.append(text[at:match.start()])
                symbols.append((match.group(1), bool(match.group(2))))
                at = match.end()
            words.append(text[at:])
            parts = self._compiled[text] = (tuple(words), tuple(symbols))
        return parts

    def _expand(self, text: str, rng: Dice, facts: Mapping[str, str], depth: int) -> str:
        if "#" not in text or depth > MAX_DEPTH:
            return text
        words, symbols = self._parts(text)
        out = [words[0]]
        rules = self.rules
        for (name, cap), after in zip(symbols, words[1:], strict=True):
            options = rules.get(name)
            if options is not None:
                value = self._expand(options[int(rng.random() * len(options))], rng, facts, depth + 1)
            else:
                try:
                    value = facts[name]  # a lazy mapping may work it out only now
                except KeyError:
                    value = f"#{name}{'.cap' if cap else ''}#"
                else:  # a fact may name one rule ("#kin_partner#"); other words are kept as they are
                    if value[:1] == "#" and SYMBOL.fullmatch(value):
                        value = self._expand(value, rng, facts, depth + 1)
            out.append(value[:1].upper() + value[1:] if cap else value)
            out.append(after)
        return "".join(out)
