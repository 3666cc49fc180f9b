"""Checks a world file passes before any of it is read into Python objects.

SQLite columns take any value whatever their declared type, so a hand-made file can
hold an age of 'abc', a NULL name or a width of 10^9. Every column's type, every
text's length, every table's row count and the numbers that size allocations are
checked here in SQL, one scan per table, before the loader trusts them; the first
problem is raised as a ``WorldFileError`` naming the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Column
from sqlmodel import SQLModel

from engine.contracts.enums import Sex
from engine.persistence.errors import WorldFileError
from engine.persistence.schema import (
    BlobRow,
    BranchRow,
    BuildingRow,
    CheckpointRow,
    DistrictRow,
    EventRow,
    LotRow,
    MetaRow,
    NeighbourhoodRow,
    PersonRow,
    PropRow,
    ThoughtRow,
    TieRow,
    table_of,
)
from engine.untrusted.limits import (
    MAX_BLOB_BYTES,
    MAX_CAPACITY,
    MAX_MAP_SIDE,
    MAX_NAME_CHARS,
    MAX_PROMPT_CHARS,
    MAX_ROWS,
    MAX_TEXT_CHARS,
    MAX_TICK,
)

MODELS: tuple[type[SQLModel], ...] = (
    MetaRow, BlobRow, DistrictRow, NeighbourhoodRow, LotRow, BuildingRow, PropRow, PersonRow, TieRow, EventRow,
    ThoughtRow, BranchRow, CheckpointRow,
)
# Columns the loader reads with a fallback ("or 0"), as files of older versions may hold NULL there.
NULL_ALLOWED = {("event", "branch"), ("thought", "branch"), ("thought", "asked"), ("checkpoint", "edits_done"),
                ("person", "extra"), ("building", "removed"), ("person", "removed"), ("prop", "removed")}
INT32 = 2**31 - 1
TICK_COLUMNS = {"tick", "last_tick", "fork_tick", "head_tick", "asked", "seq"}
SIDE_COLUMNS = {"width", "height"}
NAME_COLUMNS = {"name", "kind", "type", "key", "status", "backend", "prompt_hash", "memory_tag", "state_hash"}
LONG_TEXT = {"prompt", "response", "extra"}
WORDS = {("person", "sex"): tuple(s.value for s in Sex)}  # text columns that hold one of a few words
REAL_LIMIT = 1e15  # finite and far from overflow; REAL columns hold scores, floats of 0..1, latencies


def _int_range(table: str, column: str) -> tuple[int, int]:
    if column in TICK_COLUMNS:
        return -1, MAX_TICK
    if column in SIDE_COLUMNS and table != "meta":
        return 0, MAX_MAP_SIDE
    if column == "capacity":
        return 0, MAX_CAPACITY
    if column == "money":
        return -(2**53), 2**53
    return -INT32, INT32


def _text_limit(column: str) -> int:
    if column in LONG_TEXT:
        return MAX_PROMPT_CHARS
    return MAX_NAME_CHARS if column in NAME_COLUMNS else MAX_TEXT_CHARS


def _column_tests(table: str, column: str, kind: str) -> list[tuple[str, str]]:
    """(SQL that is true for a bad value, what is wrong) for one column."""
    quoted = f'"{column}"'
    null_ok = (table, column) in NULL_ALLOWED
    tests = [] if null_ok else [(f"{quoted} IS NULL", "is empty (NULL)")]
    present = f"{quoted} IS NOT NULL AND "
    if kind == "bool":
        tests.append((present + f"(typeof({quoted}) != 'integer' OR {quoted} NOT IN (0, 1))", "is not true or false"))
    elif kind == "int":
        low, high = _int_range(table, column)
        tests.append((present + f"typeof({quoted}) != 'integer'", "is not a whole number"))
        tests.append((present + f"typeof({quoted}) = 'integer' AND {quoted} NOT BETWEEN {low} AND {high}",
                      f"is outside {low}..{high}"))
    elif kind == "float":
        tests.append((present + f"typeof({quoted}) NOT IN ('integer', 'real')", "is not a number"))
        tests.append((present + f"typeof({quoted}) IN ('integer', 'real') AND abs({quoted}) > {REAL_LIMIT}",
                      "is not a sensible number"))
    elif kind == "text":
        limit = _text_limit(column)
        tests.append((present + f"typeof({quoted}) != 'text'", "is not text"))
        tests.append((present + f"typeof({quoted}) = 'text' AND length({quoted}) > {limit}",
                      f"is longer than {limit:,} characters"))
        words = WORDS.get((table, column))
        if words:
            allowed = ", ".join(f"'{w}'" for w in words)  # our own constants, never the file's
            tests.append((present + f"typeof({quoted}) = 'text' AND {quoted} NOT IN ({allowed})",
                          f"is not one of {', '.join(words)}"))
    elif kind == "bytes":
        tests.append((present + f"typeof({quoted}) != 'blob'", "is not binary data"))
        tests.append((present + f"typeof({quoted}) = 'blob' AND length({quoted}) > {MAX_BLOB_BYTES}",
                      f"is larger than {MAX_BLOB_BYTES:,} bytes"))
    return tests


def _kind(column: Column[Any]) -> str:
    from sqlalchemy import Boolean, Float, Integer, LargeBinary, String

    kinds = ((Boolean, "bool"), (Integer, "int"), (Float, "float"), (String, "text"), (LargeBinary, "bytes"))
    return next(kind for sa_type, kind in kinds if isinstance(getattr(column.type, "impl", column.type), sa_type))


def inspect_tables(conn: sqlite3.Connection, path: str | Path, tables: set[str]) -> None:
    """Raise WorldFileError at the first table with too many rows or a column holding a bad value."""
    for model in MODELS:
        table = table_of(model)
        if table.name not in tables:
            continue
        rows = conn.execute(f'SELECT count(*) FROM (SELECT 1 FROM "{table.name}" LIMIT ?)',
                            (MAX_ROWS[table.name] + 1,)).fetchone()[0]
        if rows > MAX_ROWS[table.name]:
            raise WorldFileError(path, f"table {table.name!r} has more than {MAX_ROWS[table.name]:,} rows "
                                       "(more than any world Townsfolk can run)")
        present = {r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
        tests = [(column.name, sql, words) for column in table.columns if column.name in present
                 for sql, words in _column_tests(table.name, column.name, _kind(column))]
        if not tests or not rows:
            continue
        counts = conn.execute(
            "SELECT " + ", ".join(f"sum({sql})" for _, sql, _ in tests) + f' FROM "{table.name}"').fetchone()
        for (column_name, _, words), count in zip(tests, counts, strict=True):
            if count:
                raise WorldFileError(path, f"the world is damaged: {table.name}.{column_name} {words} "
                                           f"in {count:,} row(s)")


def meta_int(meta: dict[str, str], key: str, default: int, low: int, high: int, path: str | Path) -> int:
    """A whole number from the meta table, within ``low..high``."""
    text = meta.get(key)
    if text is None:
        return default
    try:
        value = int(text.strip()) if len(text) <= 30 else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise WorldFileError(path, f"the world is damaged: meta {key} is {text[:40]!r}, not a whole number "
                                   f"in {low}..{high}")
    return value


def one_line(text: object, limit: int = 300) -> str:
    """The first line of a message (SQLite's and SQLAlchemy's run over several), capped."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    more = f" (and {len(lines) - 1} more line(s))" if len(lines) > 1 else ""
    return (first[:limit] + ("..." if len(first) > limit else "")) + more


def describe(exc: BaseException) -> str:
    """One line for an unexpected failure while reading a world (the driver's own message when there is one)."""
    inner = getattr(exc, "orig", None) or exc
    return one_line(f"{type(inner).__name__}: {inner}")
