"""Reading a world's rows without trusting them: numbers in range, blobs within size, names clean, branches a tree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from engine.persistence.checks import meta_int
from engine.persistence.errors import WorldFileError
from engine.persistence.memory_files import is_version
from engine.state.timeline import ROOT, Timeline
from engine.untrusted.limits import MAX_MAP_SIDE, MAX_PROMPT_CHARS, MAX_TICK, TooBig
from engine.untrusted.readers import decompress_zstd, loads_bounded
from engine.untrusted.text import clean_name, clean_text

INT32 = 2**31 - 1


@dataclass(frozen=True)
class Header:
    """The meta table's numbers, each checked, and the town's name, cleaned."""

    name: str
    width: int
    height: int
    seed: int
    tick: int
    tick_seconds: int
    start_minute: int
    schema_version: int


def read_header(meta: dict[str, str], path: Path) -> Header:
    for key in ("width", "height"):
        if key not in meta:
            raise WorldFileError(path, f"the world is damaged: meta has no {key}")
    number = lambda key, default, low, high: meta_int(meta, key, default, low, high, path)  # noqa: E731
    number("branch", 0, 0, INT32)  # read later by the timeline: refuse a bad one now
    number("next_checkpoint_id", 1, 0, INT32)
    version = meta.get("x.memory_version")
    if version is not None and not is_version(version):  # it names a folder beside the file: no paths
        raise WorldFileError(path, f"the world is damaged: its memory version {version[:40]!r} is not one")
    return Header(
        name=clean_name(meta.get("name", "")),
        width=number("width", 0, 1, MAX_MAP_SIDE),
        height=number("height", 0, 1, MAX_MAP_SIDE),
        seed=number("seed", 0, -(2**63), 2**64 - 1),
        tick=number("tick", 0, 0, MAX_TICK),
        tick_seconds=number("tick_seconds", 60, 1, 24 * 3600),
        start_minute=number("start_minute", 360, 0, 24 * 60 - 1),
        schema_version=number("schema_version", 1, 1, 2**31 - 1),  # check_file refused newer ones
    )


def read_grid(blob: bytes | None, width: int, height: int, path: Path) -> np.ndarray:
    """The terrain: exactly ``width * height`` bytes once decompressed, or refused."""
    if blob is None:
        raise WorldFileError(path, "the world is damaged: it has no terrain")
    try:
        raw = decompress_zstd(blob, width * height, "the terrain")
    except ValueError as exc:
        raise WorldFileError(path, f"the world is damaged: {exc}") from None
    if len(raw) != width * height:
        raise WorldFileError(path, f"the world is damaged: the terrain holds {len(raw):,} tiles, "
                                   f"not {width} x {height}")
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width).copy()


def clean_rows(rows: Iterable[Any], names: tuple[str, ...], texts: tuple[str, ...] = ()) -> list[Any]:
    """Rows whose ``names`` and ``texts`` columns carry no control characters (kept as they are when clean)."""
    cleaned = []
    for row in rows:
        values = {name: clean_name(getattr(row, name)) for name in names}
        values.update({name: clean_text(getattr(row, name)) for name in texts})
        if any(values[key] != getattr(row, key) for key in values):
            row = SimpleNamespace(**{**dict(row._mapping if hasattr(row, "_mapping") else vars(row)), **values})
        cleaned.append(row)
    return cleaned


def read_extra(text: str | None, path: Path) -> dict[str, str]:
    """A person's ``extra`` column: a flat JSON object of strings (persona texts, sleep hours, ...)."""
    try:
        value = loads_bounded(text or "{}", MAX_PROMPT_CHARS, max_depth=2)
    except (TooBig, ValueError) as exc:
        raise WorldFileError(path, f"the world is damaged: a person's extra data is unreadable ({exc})") from None
    if not isinstance(value, dict):
        raise WorldFileError(path, "the world is damaged: a person's extra data is not a JSON object")
    return {clean_name(str(k)): clean_text(v) if isinstance(v, str) else str(v)[:200] for k, v in value.items()}


def check_branches(timeline: Timeline, path: Path) -> None:
    """Branches must form one tree under the main branch, or following a line back would never end."""
    branches = timeline.branches
    root = branches.get(ROOT)
    if root is None or root.parent >= 0:
        raise WorldFileError(path, "the world is damaged: its main branch is missing or has a parent")
    rooted = {ROOT}  # branches whose line is known to reach the main branch
    for branch in branches.values():
        path_up: list[int] = []
        on_path: set[int] = set()
        walk = branch
        while walk.id not in rooted:
            if walk.id in on_path:
                raise WorldFileError(path, f"the world is damaged: branch {branch.id}'s ancestry loops back "
                                           f"on itself (through branch {walk.id})")
            path_up.append(walk.id)
            on_path.add(walk.id)
            parent = branches.get(walk.parent)
            if parent is None:
                raise WorldFileError(path, f"the world is damaged: branch {walk.id} descends from branch "
                                           f"{walk.parent}, which does not exist")
            walk = parent
        rooted.update(path_up)
    if timeline.current not in branches:
        raise WorldFileError(path, f"the world is damaged: the current branch {timeline.current} does not exist")
    stray = next((c for c in timeline.checkpoints if c.branch not in branches), None)
    if stray is not None:
        raise WorldFileError(path, f"the world is damaged: checkpoint {stray.id} is on branch {stray.branch}, "
                                   "which does not exist")
    for branch in branches.values():
        branch.name = clean_name(branch.name)
