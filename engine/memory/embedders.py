"""Sentence embedders for memory relevance: all offline, deterministic, L2-normalised float32.

Three kinds, chosen by name with :func:`make_embedder` (the name is what a store records, so
``make_embedder(store.embedder_name)`` rebuilds the embedder a world was made with):

- ``"wordllama"`` — WordLlama l2_supercat, 256-d. Its weights and tokenizer ship inside the
  wheel; we load them from the package's own folder with downloads disabled. (The default
  ``WordLlama.load()`` resolves the tokenizer under ``wordllama/tokenizer/`` — singular — which
  the wheel does not have, falls back to ``~/.cache/wordllama`` and then tries Hugging Face.)
- ``"hashing"`` / ``"hashing:<dim>"`` — word unigrams and bigrams hashed with blake2b into signed
  buckets. No model, stable across processes and machines (Python's ``hash()`` is salted per
  process, so it would give every run different vectors). Fallback, test double, and what the
  fake brain (``engine.llm.fake``) embeds with.
- ``"ollama:<model>"`` — any ``embed_fn(list[str]) -> array`` (the Ollama adapter lives in
  ``engine.llm``); the dimension is discovered from the first call.

A text with no tokens embeds to the zero vector (cosine 0 with everything) rather than NaN.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

EmbedFn = Callable[[list[str]], Any]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit rows. Same text -> same bits, in every process."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim), each row unit length or all zero."""
        ...


def l2_normalise(rows: np.ndarray) -> np.ndarray:
    """Unit-length float32 rows; all-zero rows stay zero instead of becoming NaN."""
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim != 2:
        raise ValueError(f"embeddings must be 2-D, got shape {rows.shape}")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


class HashingEmbedder:
    """Feature hashing of lower-cased word unigrams and bigrams into ``dim`` signed buckets.

    blake2b of each token gives a bucket (first 8 bytes) and a sign (9th byte), so colliding
    tokens tend to cancel rather than pile up. Bigrams keep a little word order ("broke up" vs
    "up broke"). About 20k sentences/s; token hashes are memoised because sim text repeats a lot.
    """

    _CACHE_LIMIT = 200_000

    def __init__(self, dim: int = 384) -> None:
        if dim < 2:
            raise ValueError("dim must be at least 2")
        self._dim = dim
        self._cache: dict[str, tuple[int, float]] = {}

    @property
    def name(self) -> str:
        return "hashing" if self._dim == 384 else f"hashing:{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _bucket(self, token: str) -> tuple[int, float]:
        hit = self._cache.get(token)
        if hit is None:
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=9).digest()
            hit = (int.from_bytes(digest[:8], "little") % self._dim, 1.0 if digest[8] & 1 else -1.0)
            if len(self._cache) >= self._CACHE_LIMIT:
                self._cache.clear()
            self._cache[token] = hit
        return hit

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            tokens = words + [f"{a} {b}" for a, b in pairwise(words)]
            for token in tokens:
                bucket, sign = self._bucket(token)
                out[row, bucket] += sign
        return l2_normalise(out)


def wordllama_folder() -> Path:
    """The installed wordllama package folder, which holds ``weights/`` and ``tokenizers/``."""
    import wordllama

    return Path(wordllama.__file__).resolve().parent


def load_wordllama() -> Any:
    """Load WordLlama from the wheel with downloads disabled; never touches the network.

    Raises FileNotFoundError (from wordllama) if the wheel lacks its model files.
    """
    from wordllama import WordLlama

    return WordLlama.load(config="l2_supercat", dim=256, cache_dir=wordllama_folder(), disable_download=True)


@cache
def _shared_wordllama() -> Any:
    # One copy of the 33 MB embedding table per process, however many stores are opened.
    return load_wordllama()


class WordLlamaEmbedder:
    """WordLlama l2_supercat at 256 dimensions: static token embeddings, average-pooled.

    ~40k sentences/s on one core and clearly better than hashing at paraphrases. The model is
    loaded once per process on first use.
    """

    def __init__(self) -> None:
        self._model = _shared_wordllama()

    @property
    def name(self) -> str:
        return "wordllama"

    @property
    def dim(self) -> int:
        return 256

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        # norm=False: wordllama divides by the norm itself and turns empty texts into NaN rows.
        return l2_normalise(self._model.embed(list(texts), norm=False))


class CallableEmbedder:
    """Wraps any ``embed_fn(list[str]) -> array`` (e.g. Ollama's /api/embed) as an Embedder.

    The dimension is learnt from the first call; asking for ``dim`` before any embedding costs one
    probe call (so does ``isinstance(x, Embedder)``, which reads every protocol member). Every
    later call must return the same width. Determinism is the callable's job.
    """

    def __init__(self, name: str, embed_fn: EmbedFn, dim: int | None = None) -> None:
        self._name = name
        self._fn = embed_fn
        self._dim = dim

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.embed(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = np.asarray(self._fn(list(texts)), dtype=np.float32)
        if rows.ndim != 2 or rows.shape[0] != len(texts):
            raise ValueError(f"{self._name}: expected ({len(texts)}, dim) embeddings, got shape {rows.shape}")
        if self._dim is None:
            self._dim = int(rows.shape[1])
        elif rows.shape[1] != self._dim:
            raise ValueError(f"{self._name}: embedding width changed from {self._dim} to {rows.shape[1]}")
        return l2_normalise(rows)


def make_embedder(name: str, embed_fn: EmbedFn | None = None) -> Embedder:
    """Build the embedder called ``name``: "wordllama", "hashing", "hashing:<dim>" or "ollama:<model>".

    ``ollama:`` names need ``embed_fn``; the Ollama adapter supplies it so this module never
    imports the ollama SDK.
    """
    if name == "wordllama":
        return WordLlamaEmbedder()
    if name == "hashing":
        return HashingEmbedder()
    if name.startswith("hashing:"):
        return HashingEmbedder(dim=int(name.split(":", 1)[1]))
    if name.startswith("ollama:"):
        if embed_fn is None:
            raise ValueError(f"{name!r} needs embed_fn, a callable list[str] -> (n, dim) array")
        return CallableEmbedder(name, embed_fn)
    raise ValueError(f"unknown embedder {name!r}; use 'wordllama', 'hashing', 'hashing:<dim>' or 'ollama:<model>'")
