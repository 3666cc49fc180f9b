"""A hashing text embedder: no model, no network, the same vector on every machine.

Words and word pairs are hashed into a fixed number of signed buckets. Texts
sharing words land near each other, which is all the fake brain and the tests
need for recall to behave sensibly. We hash with blake2b, never ``hash()``:
Python salts ``hash()`` per process, and embeddings go into saved worlds.
"""

from __future__ import annotations

import hashlib
import itertools
import re

import numpy as np

DIM = 384
_WORD = re.compile(r"[a-z0-9']+")


def _features(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def hash_embed(texts: list[str], dim: int = DIM) -> np.ndarray:
    """``(len(texts), dim)`` float32, each row L2-normalised (all zeros for a text with no words)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        for feature in _features(text):
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            weight = 1.0 if " " not in feature else 0.5  # pairs refine, words dominate
            out[row, value % dim] += weight if (value >> 63) & 1 else -weight
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
