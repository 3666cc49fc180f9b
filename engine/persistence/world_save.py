"""Saving a world as one unit: its file and its memories, the old pair or the new pair after any stop.

Order (each step fsynced before the next):
1. the memories go into a new version folder inside ``WORLD.memory/`` (``memory_files``);
2. the world file, naming that version, is written beside the target and renamed over it;
3. only then are the old version and any leftovers of killed saves removed.
A stop before step 2's rename leaves the old file, which names the old version, still
whole; a stop after it leaves the new file, whose version is already on disk. A failure
(full disk, permissions) undoes steps 1-2 and says which file, why, and what was kept.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from engine.memory.types import MemoryStore
from engine.persistence.durable import cause_of, fsync_dir
from engine.persistence.errors import WorldFileError
from engine.persistence.leftovers import release, remove, sweep_world_temps
from engine.persistence.memory_files import MEMORY_KEYS, memory_folder, sweep_container, write_version
from engine.persistence.world_file import write_temp
from engine.state.world import World


def save_pair(world: World, store: MemoryStore | None, path: str | Path) -> None:
    """Save ``world`` to ``path`` and, with ``store``, its memories to a new version beside it.

    Without a store the file keeps naming the memory version it had (still on disk when
    saving over the same file); nothing of the memories changes.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WorldFileError(target, f"folder {folder} does not exist")
    container = memory_folder(target)
    sweep_world_temps(folder, target.name)
    before = {key: world.meta[key] for key in MEMORY_KEYS if key in world.meta}
    had_file, had_folder = target.exists(), container.exists()
    version: str | None = None
    stage = "the memories"
    replaced = False
    try:
        if store is not None:
            store.flush()
            version = write_version(world, store, container)
            world.meta["memory_version"] = version
        stage = "the world file"
        tmp = write_temp(world, folder, target.name)
        os.replace(tmp, target)
        replaced = True
        world.timeline.states.saved_to(target, world.timeline.checkpoints)
        fsync_dir(folder)
    except (OSError, SQLAlchemyError) as exc:
        if replaced:  # the new pair is in place; only its durability is in doubt
            raise WorldFileError(target, f"saved, but could not make sure it reached the disk ({cause_of(exc)})") \
                from exc
        _undo(world, before, container, version, had_folder)
        raise WorldFileError(target, _failure(target, container, stage, exc, had_file)) from exc
    except BaseException:
        if not replaced:
            _undo(world, before, container, version, had_folder)
        raise
    finally:
        if version is not None:
            release(version)
    current = world.meta.get("memory_version")
    keep_current = current is not None and (container / current).is_dir()
    sweep_container(container, current, unreferenced=keep_current, legacy=store is not None)


def remove_pair(path: str | Path) -> None:
    """Delete a world file and its memory folder (a recovery copy nobody needs any more)."""
    target = Path(path)
    remove(memory_folder(target))
    remove(target)


def _undo(world: World, before: dict[str, str], container: Path, version: str | None, had_folder: bool) -> None:
    """The world in memory goes back to naming the memories its file on disk still names; what this
    save wrote goes (the memory folder too, when the save made it)."""
    for key in MEMORY_KEYS:
        world.meta.pop(key, None)
    world.meta.update(before)
    if version is not None:
        remove(container / version)
    if not had_folder:
        with contextlib.suppress(OSError):
            container.rmdir()  # only if empty: a save running beside this one may be using it


def _failure(target: Path, container: Path, stage: str, exc: BaseException, had_file: bool) -> str:
    kept = (f"{target.name} and {container.name}/ are as they were before this save" if had_file
            else "nothing was written")
    return f"could not save {stage} ({cause_of(exc)}); {kept}"
