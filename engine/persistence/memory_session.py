"""A session's memories: a private working copy of the saved version, removed when the session ends.

Nobody writes beside the file they opened until they save, so an unsaved session
changes nothing on disk. The working copy lives in the system temp folder under a
name that carries the process id; it is removed when the store is closed and
collected (or the process exits), and a killed run's copy is swept by the next one.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from engine.llm.backend import LLMConfig
from engine.llm.factory import make_backend
from engine.memory.deferred_store import DeferredStore
from engine.memory.embedders import Embedder, make_embedder
from engine.memory.types import MemoryStore
from engine.persistence import leftovers
from engine.persistence.memory_files import (
    _lance,
    embedder_of,
    find_saved_memory,
    legacy_tag_missing,
    memory_folder,
    sweep_container,
)
from engine.persistence.world_embedder import offline_stand_in
from engine.state.world import World


def embedder_for(name: str, llm: LLMConfig | None = None) -> Embedder:
    """``ollama:<model>`` embeds on the configured model servers; the others are offline."""
    if not name.startswith("ollama:"):
        return make_embedder(name)
    model = name.split(":", 1)[1]
    config = LLMConfig(brain="ollama", hosts=llm.hosts if llm else (), model=llm.model if llm else model,
                       embed_model=model)
    backend = make_backend(config)
    assert backend is not None
    return make_embedder(name, embed_fn=backend.embed)


@dataclass
class SessionMemory:
    """The store a session works on, its working folder, and what was wrong with the saved memories."""

    store: MemoryStore
    scratch: Path
    warning: str | None = None
    _cleanup: weakref.finalize = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Tied to the store: whoever still holds it (a run's summary, to save later) keeps the folder alive.
        self._cleanup = weakref.finalize(self.store, _discard, self.scratch)

    def close(self) -> None:
        """Flush and remove the working copy (the store must not be used afterwards)."""
        try:
            self.store.close()
        finally:
            self._cleanup()


def _discard(scratch: Path) -> None:
    shutil.rmtree(scratch, ignore_errors=True)
    leftovers.release(scratch.name)


def _open_lance(folder: Path, embedder: Embedder, tick_seconds: float) -> MemoryStore:
    return _lance()(folder, embedder, tick_seconds)  # imports LanceDB: only here, once a deferred store needs it


def open_session(
    world: World, world_path: str | Path | None, embedder: str | None = None, llm: LLMConfig | None = None
) -> SessionMemory:
    """A private LanceDB copy of the world's saved memories (a new stream if it has none, or they are lost).

    LanceDB even for a new world, because checkpoints tag its versions: time travel needs them; but a
    new stream holds its rows in RAM until something needs the database (``DeferredStore``).
    Opening also sweeps what killed runs and saves left: old working copies, staging folders
    and versions no world file names (only when the file's own version is there to keep).
    """
    leftovers.sweep_scratch()
    saved = find_saved_memory(world, world_path)
    if world_path is not None:
        current = world.meta.get("memory_version")
        sweep_container(memory_folder(world_path), current, unreferenced=saved.consistent and bool(current),
                        legacy=False)
    chosen = offline_stand_in(world, embedder, llm) or embedder_for(embedder or embedder_of(world), llm)
    name = leftovers.owned_name(leftovers.SCRATCH_PREFIX.rstrip("-"))
    leftovers.hold(name)
    scratch = Path(tempfile.gettempdir()) / name
    warning = saved.warning
    try:
        scratch.mkdir()
        if saved.folder is None and (llm is None or llm.brain == "rule"):
            # A new stream on the rule brain: LanceDB opens only once something needs it (deferred_store). A
            # model retrieves from its first thoughts, so with one it opens now rather than mid-run.
            store: MemoryStore = DeferredStore(chosen, world.tick_seconds,
                                               partial(_open_lance, scratch / "memory", chosen, world.tick_seconds))
            return SessionMemory(store, scratch, warning)
        if saved.folder is not None:
            shutil.copytree(saved.folder, scratch / "memory")
        store = _lance()(scratch / "memory", chosen, world.tick_seconds)
        tag = world.meta.get("memory_tag")
        if saved.folder is not None and tag and not world.meta.get("memory_version"):
            if tag in store.tags():  # an older layout's folder may have got ahead of its file: go back to it
                store.restore(tag)
            else:
                store.close()
                shutil.rmtree(scratch / "memory")
                store = _lance()(scratch / "memory", chosen, world.tick_seconds)
                assert world_path is not None  # a saved folder was found beside it
                warning = legacy_tag_missing(world_path, tag)
    except BaseException:
        _discard(scratch)
        raise
    return SessionMemory(store, scratch, warning)
