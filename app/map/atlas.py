"""The map's texture atlas: arcade's, made safe for textures that die on another thread.

arcade frees a texture's atlas space from a ``weakref.finalize`` on the texture, so it runs on
whichever thread drops the texture's last reference or collects the cycle it was in: the GUI or
engine thread, while the map draws (and adds labels to the atlas) on another. Three things then go
wrong in ``DefaultTextureAtlas``:

* its reference counts are read-modify-written without a lock, so an add on one thread and a
  removal on another can lose a count: space freed under a texture still drawn, or never freed;
* a rebuild (on a full atlas) counts the textures still alive afresh. A texture the collector has
  already cleared from the atlas's weak set, but whose finalizer has not run yet, is no longer
  counted; when that finalizer does run it takes a count that is not there ("Reference counter is
  already zero") or, if a live texture shares its name, that texture's;
* ``unique_textures``, which a resize reads, raises on a name whose textures all died with their
  finalizers still to run, and a texture added under such a name is not among them, so a resize
  would leave it where the old atlas had it.

``SharedAtlas`` holds one lock around every change, a rebuild remembers how many removals are
still owed by textures it left out (so their finalizers free only the uv slots nothing uses, and
touch no count), a texture added under a dying one's name stands in for it, and a resize passes
over names with no texture left. It works on
``DefaultTextureAtlas``'s own fields as arcade 3.3 has them (the version ``pyproject.toml`` pins);
``tests/gui/test_map_atlas.py`` drives it through fills, rebuilds and finalizers on another thread.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from app.map.boot import arcade_module

arcade = arcade_module()
_ArcadeAtlas: Any = arcade.texture_atlas.DefaultTextureAtlas  # arcade is reached through boot only

__all__ = ["SharedAtlas", "use_shared_atlas"]


class SharedAtlas(_ArcadeAtlas):
    """A ``DefaultTextureAtlas`` whose textures may be freed on any thread."""

    def __init__(self, *args: Any, **kwargs: Any):
        self._guard = threading.RLock()  # re-entered: an add can rebuild or resize, and collect garbage
        self._owed: Counter[str] = Counter()  # by atlas name: finalizers of textures a rebuild left out
        super().__init__(*args, **kwargs)

    def _add(self, texture: Any, create_finalizer: bool = True) -> Any:
        with self._guard:
            placed = super()._add(texture, create_finalizer=create_finalizer)
            # arcade remembers a name's first texture only, to place the name again on a resize: if
            # that one died and its finalizer is still to come, this one stands in for it.
            self._unique_textures[texture.atlas_name].add(texture)
            return placed

    def resize(self, size: tuple[int, int], force: bool = False) -> None:
        with self._guard:
            super().resize(size, force=force)

    def rebuild(self) -> None:
        with self._guard:
            # Held through the rebuild: none of these can die between being counted here and re-added
            # there (the collector on another thread would leave its finalizer owing nothing).
            alive = self.textures
            counted = Counter(self._unique_texture_ref_count._data)  # alive, or dead with a finalizer to come
            self._owed += counted - Counter(texture.atlas_name for texture in alive)
            super().rebuild()
            del alive

    @property
    def unique_textures(self) -> list[Any]:
        """One texture of each name still alive (arcade's raises on a name whose textures all died
        and whose finalizers are still to run, which a resize then meets)."""
        with self._guard:
            return [texture for textures in list(self._unique_textures.values())
                    if (texture := next(iter(textures), None)) is not None]

    def _remove_texture_by_identifiers(self, atlas_name: str, hash: str) -> None:
        with self._guard:
            if self._owed[atlas_name] > 0:
                self._owed[atlas_name] -= 1  # a texture the last rebuild no longer counted
                if not self._owed[atlas_name]:
                    del self._owed[atlas_name]
                self._free_slots_left_behind(atlas_name, hash)
                return
            super()._remove_texture_by_identifiers(atlas_name, hash)

    def _free_slots_left_behind(self, atlas_name: str, hash: str) -> None:
        """A rebuild keeps every name's uv slot (sprite lists hold slots, not names): one no texture
        re-added since uses is freed by the finalizer of the texture it was kept for, or never."""
        if atlas_name not in self._texture_regions:
            self._texture_uvs.free_slot_by_name(atlas_name)
            self._unique_textures.pop(atlas_name, None)  # its set, emptied by the collector
        if hash not in self._image_regions:
            self._image_uvs.free_slot_by_name(hash)

    @property
    def owed(self) -> int:
        """Finalizers still to come from textures a rebuild left out (tests)."""
        with self._guard:
            return sum(self._owed.values())


def use_shared_atlas(ctx: Any) -> SharedAtlas:
    """Make ``ctx``'s default atlas, which every sprite list not given another uses, a ``SharedAtlas``
    (once per context: maps drawn later in the same context keep it)."""
    atlas = ctx._atlas
    if not isinstance(atlas, SharedAtlas):
        atlas = ctx._atlas = SharedAtlas(ctx.atlas_size, border=2, auto_resize=True, ctx=ctx)
    return atlas
