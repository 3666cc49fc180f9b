"""A world's memory stream on disk: a LanceDB folder beside the world file.

``town.town`` keeps its memories in ``town.memory/``. The world file records
which LanceDB tag matches it (``meta['memory_tag']``), so a folder that got ahead
of its file (a crash between the two writes) is rolled back to match. Nobody
writes beside the file they opened until they save: a session works on a private
copy and moves it into place on save, like every other part of the world.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from engine.llm.backend import LLMConfig
from engine.llm.factory import make_backend
from engine.memory.embedders import Embedder, make_embedder
from engine.memory.types import MemoryStore
from engine.persistence.errors import WorldFileError
from engine.state.world import World

if TYPE_CHECKING:  # imported for real only when a store is opened (see _lance)
    from engine.memory.lance_store import LanceMemoryStore

DEFAULT_EMBEDDER = "wordllama"


def memory_folder(world_path: str | Path) -> Path:
    path = Path(world_path)
    return path.with_name(path.stem + ".memory")


def embedder_of(world: World, default: str = DEFAULT_EMBEDDER) -> str:
    return world.meta.get("embedder", default)


def _lance() -> type[LanceMemoryStore]:
    """LanceDB takes over a second to import: only when a memory store is really opened."""
    from engine.memory.lance_store import LanceMemoryStore

    return LanceMemoryStore


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


def open_scratch(
    world: World, world_path: str | Path | None, embedder: str | None = None, llm: LLMConfig | None = None
) -> tuple[MemoryStore, Path]:
    """A session's store: a private LanceDB copy of the world's memories (empty if it has none yet).

    LanceDB even for a new world, because checkpoints tag its versions: time travel needs them.
    """
    chosen = embedder_for(embedder or embedder_of(world), llm)
    source = memory_folder(world_path) if world_path else None
    if source is not None and not source.is_dir() and source.with_name(source.name + ".old").is_dir():
        source = source.with_name(source.name + ".old")  # a save died between its two renames
    scratch = Path(tempfile.mkdtemp(prefix="townsfolk-memory-"))
    if source is not None and source.is_dir():
        shutil.copytree(source, scratch / "memory")
    store = _lance()(scratch / "memory", chosen, world.tick_seconds)
    tag = world.meta.get("memory_tag")
    if tag and tag in store.tags():
        store.restore(tag)
    return store, scratch


def save_alongside(world: World, store: MemoryStore, world_path: str | Path) -> None:
    """Write ``store`` beside ``world_path`` and record its tag in the world (call before saving the world)."""
    target = memory_folder(world_path)
    if not target.parent.is_dir():
        raise WorldFileError(world_path, f"folder {target.parent} does not exist")
    try:
        _write_alongside(world, store, target)
    except OSError as exc:
        raise WorldFileError(world_path, f"could not save the memories ({exc.strerror or exc}); "
                             "the previous files are untouched") from exc


def _write_alongside(world: World, store: MemoryStore, target: Path) -> None:
    tag = f"tick-{world.tick}"
    lance = _lance()
    if isinstance(store, lance) and store.folder.resolve() == target.resolve():
        store.flush()
        store.tag(tag, replace=True)
    else:
        staging = Path(tempfile.mkdtemp(prefix=".memory-", dir=target.parent))
        try:
            if isinstance(store, lance):  # a copy of the folder keeps every field exactly
                store.flush()
                store.tag(tag, replace=True)
                shutil.copytree(store.folder, staging / "memory")
            else:
                copy = lance(staging / "memory", store.embedder, world.tick_seconds)
                copy_memories(store, copy, len(world.people))
                copy.tag(tag, replace=True)
                copy.close()
            old = target.with_name(target.name + ".old")
            if target.exists():
                target.rename(old)
            (staging / "memory").rename(target)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    world.meta["memory_tag"] = tag
    world.meta["embedder"] = store.embedder.name
    world.meta["embedder_dim"] = str(store.embedder.dim)


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
