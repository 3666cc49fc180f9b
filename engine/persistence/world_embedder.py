"""A world file may name an embedder on a model server; it is used only when the user switched thinking on.

Opening a shared world must never make the app reach the network by itself. When the
world's memories were embedded on a server (``ollama:<model>``) and this run thinks on
the rule brain, new memories get an all-zero vector under the same name and width
(they are still kept and found by recency and importance, just not by meaning), and
nothing is sent anywhere.
"""

from __future__ import annotations

import numpy as np

from engine.llm.backend import LLMConfig
from engine.memory.embedders import CallableEmbedder, Embedder
from engine.state.world import World

MAX_EMBED_DIM = 16_384


def offline_stand_in(world: World, requested: str | None, llm: LLMConfig | None) -> Embedder | None:
    """An offline embedder to use instead of the one the world names, or None to use the named one."""
    if requested:  # the user chose it for this run
        return None
    name = world.meta.get("embedder", "")
    if name.startswith("hashing:"):
        width = name.split(":", 1)[1]
        if not (width.isdigit() and 2 <= int(width) <= MAX_EMBED_DIM):
            raise ValueError(f"this world names embedder {name[:80]!r}, wider than {MAX_EMBED_DIM:,} or not a width")
    thinking = llm is not None and llm.brain != "rule"
    if not name.startswith("ollama:") or thinking:
        return None
    try:
        dim = int(world.meta.get("embedder_dim", ""))
    except ValueError:
        dim = 0
    if not 1 <= dim <= MAX_EMBED_DIM:
        raise ValueError(f"this world's memories are embedded by {name[:80]!r} on a model server; "
                         "switch thinking on to run it (e.g. --brain ollama)")
    return CallableEmbedder(name, lambda texts: np.zeros((len(texts), dim), dtype=np.float32), dim)
