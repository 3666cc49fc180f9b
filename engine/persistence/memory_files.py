"""A world's memory stream on disk: versions of a LanceDB database in a folder beside the world file.

``town.town`` keeps its memories in ``town.memory/``, one complete LanceDB
database per save, named ``v<tick>-p<pid>-<random>``; the world file names the
one it goes with (``meta['memory_version']``). A save writes its version into a
staging folder, fsyncs it, renames it into place, and only then replaces the
world file; the old version goes once the new file is in place. So whenever a
save stops (kill, full disk, power cut) the world file names a version that is
whole on disk: the old pair or the new pair, never a mix.

Files saved before versions existed keep their database in ``town.memory/``
itself and name a LanceDB tag (``meta['memory_tag']``); they are read as they
are and move to a version on their next save.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.memory.deferred_store import DeferredStore
from engine.memory.types import MemoryStore
from engine.persistence.durable import fsync_dir, fsync_tree
from engine.persistence.leftovers import abandoned, hold, owned_name, release, remove
from engine.persistence.memory_writer import write_held
from engine.state.world import World

if TYPE_CHECKING:  # imported for real only when a store is opened (see _lance)
    from engine.memory.lance_store import LanceMemoryStore

DEFAULT_EMBEDDER = "wordllama"
STAGING_PREFIX = ".staging"
LEGACY_TABLES = ("memories.lance", "access.lance")
#: The world's meta keys that describe its memories (restored when a save fails).
MEMORY_KEYS = ("memory_version", "memory_tag", "embedder", "embedder_dim")
_VERSION = re.compile(r"^v(\d+)-p\d+-[0-9a-f]+$")


def memory_folder(world_path: str | Path) -> Path:
    path = Path(world_path)
    return path.with_name(path.stem + ".memory")


def embedder_of(world: World, default: str = DEFAULT_EMBEDDER) -> str:
    return world.meta.get("embedder", default)


def is_version(name: str) -> bool:
    return _VERSION.match(name) is not None


def _version_number(name: str) -> int:
    match = _VERSION.match(name)
    assert match is not None  # only names is_version accepted are sorted
    return int(match.group(1))


def _lance() -> type[LanceMemoryStore]:
    """LanceDB takes over a second to import: only when a memory store is really opened."""
    from engine.memory.lance_store import LanceMemoryStore

    return LanceMemoryStore


# -- which memories a world file goes with ---------------------------------------------------


@dataclass(frozen=True)
class SavedMemory:
    """Where a world's saved memories are (None: start a new stream), and why not, in one line."""

    folder: Path | None
    warning: str | None = None
    consistent: bool = True  # the file and its folder match (or there is nothing to match)


def find_saved_memory(world: World, world_path: str | Path | None) -> SavedMemory:
    if world_path is None:
        return SavedMemory(None)
    path = Path(world_path)
    container = memory_folder(path)
    version = world.meta.get("memory_version")
    fresh = "people keep their history in the world file and start a new memory stream"
    if version:
        if (container / version).is_dir():
            return SavedMemory(container / version)
        others = _versions_in(container)
        if not others and not _has_legacy(container):
            return SavedMemory(None, f"{path}: its memory folder {container.name}/ is missing; {fresh}", False)
        found = f"version {others[-1]}" if others else "memories in an older layout"
        return SavedMemory(None, f"{path}: {container.name}/ holds other memories ({found}), not the version "
                                 f"{version} this file was saved with; they are left unused (the next save "
                                 f"replaces them) and {fresh}", False)
    tag = world.meta.get("memory_tag")
    if not tag:
        return SavedMemory(None)  # never saved with memories: nothing to look for
    for folder in (container, container.with_name(container.name + ".old")):  # .old: an old save died mid-rename
        if _has_legacy(folder):
            return SavedMemory(folder)
    return SavedMemory(None, f"{path}: its memory folder {container.name}/ is missing; {fresh}", False)


def legacy_tag_missing(world_path: str | Path, tag: str) -> str:
    container = memory_folder(world_path)
    return (f"{world_path}: {container.name}/ does not hold the memories this file was saved with (tag {tag}); "
            "people keep their history in the world file and start a new memory stream")


def _versions_in(container: Path) -> list[str]:
    try:
        names = [p.name for p in container.iterdir() if p.is_dir() and is_version(p.name)]
    except OSError:
        return []
    return sorted(names, key=_version_number)


def _has_legacy(folder: Path) -> bool:
    return (folder / LEGACY_TABLES[0]).is_dir()


# -- writing a version -----------------------------------------------------------------------


def _copy_file(source: str, target: str) -> object:
    """One file of a memory version (a seam the disk-full tests use)."""
    return shutil.copy2(source, target)


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder, stopping at the first error with that error (``shutil.copytree`` would go on
    copying onto a full disk, then raise a list in which the cause is hard to find)."""
    for current, folders, files in os.walk(source):
        here = target / Path(current).relative_to(source)
        here.mkdir(exist_ok=here == target)
        folders.sort()
        for name in sorted(files):
            _copy_file(os.path.join(current, name), str(here / name))


def write_version(world: World, store: MemoryStore, container: Path) -> str:
    """A complete, fsynced copy of ``store`` as a new version in ``container``; returns its name.

    The version and its staging folder are held (see ``leftovers``) until the caller releases
    them, so no sweep removes them before the world file names the version.
    """
    version = owned_name(f"v{world.tick}")
    staging = container / owned_name(STAGING_PREFIX)
    hold(version)
    hold(staging.name)
    created = not container.exists()
    try:
        if not created and not container.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(container))
        container.mkdir(exist_ok=True)
        if created:
            fsync_dir(container.parent)
        _write_database(world, store, staging)
        fsync_tree(staging)
        os.rename(staging, container / version)
        fsync_dir(container)
    except BaseException:
        remove(staging)
        remove(container / version)
        if created:
            _remove_if_empty(container)
        release(version)
        raise
    finally:
        release(staging.name)
    return version


def _write_database(world: World, store: MemoryStore, folder: Path) -> None:
    tag = f"tick-{world.tick}"
    if isinstance(store, DeferredStore) and store.is_open:
        store = store.opened()
    if isinstance(store, DeferredStore):  # rows still held in RAM: written into the version, and held on
        store.tag(tag, replace=True)
        write_held(store, folder, world.tick_seconds)  # by a process of its own unless LanceDB is here already
        _name_memories(world, store, tag)
        return
    lance = _lance()
    if isinstance(store, lance):  # a copy of the folder keeps every field, version and tag exactly
        store.flush()
        store.tag(tag, replace=True)
        copy_tree(store.folder, folder)
    else:
        copy = lance(folder, store.embedder, world.tick_seconds)
        copy_memories(store, copy, len(world.people))
        copy.tag(tag, replace=True)
        copy.close()
    _name_memories(world, store, tag)


def _name_memories(world: World, store: MemoryStore, tag: str) -> None:
    world.meta["memory_tag"] = tag
    world.meta["embedder"] = store.embedder.name
    world.meta["embedder_dim"] = str(store.embedder.dim)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def copy_memories(source: MemoryStore, target: MemoryStore, people: int, batch: int = 5000) -> int:
    copied = 0
    for agent in range(people):
        offset = 0
        while True:
            rows = source.all_for(agent, batch, offset)
            if not rows:
                break
            for m in rows:
                target.add(m.agent, m.tick, m.kind, m.text, m.importance, evidence=m.evidence, pinned=m.pinned, id=m.id)
            copied += len(rows)
            offset += len(rows)
            target.flush()
    return copied


# -- sweeping ----------------------------------------------------------------------------------


def sweep_container(container: Path, current: str | None, *, unreferenced: bool, legacy: bool) -> None:
    """Remove what interrupted saves left in ``container``.

    Staging folders of finished processes always go. ``unreferenced``: versions other than
    ``current`` go too (unless a live save is writing them). ``legacy``: the pre-version
    database in the folder itself goes (its file has been replaced by one naming a version).
    """
    try:
        entries = list(container.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name == current:
            continue
        if name.startswith(STAGING_PREFIX):
            if abandoned(name) is not False:
                remove(entry)
        elif is_version(name):
            if unreferenced and abandoned(name):
                remove(entry)
        elif legacy and name.endswith(".lance"):
            remove(entry)
    if legacy:
        remove(container.with_name(container.name + ".old"))
