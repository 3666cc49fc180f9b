"""Embedders: offline, deterministic, unit rows; WordLlama loads from its wheel with the network cut."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.memory import embedders
from engine.memory.embedders import CallableEmbedder, Embedder, HashingEmbedder, WordLlamaEmbedder, make_embedder
from engine.memory.mem_store import InMemoryStore
from engine.memory.types import RetrievalWeights

ROOT = Path(__file__).resolve().parents[2]


def _unit_or_zero(rows: np.ndarray) -> bool:
    norms = np.linalg.norm(rows, axis=1)
    return bool(np.all((np.abs(norms - 1) < 1e-5) | (norms == 0)))


def test_hashing_shape_norm_and_determinism() -> None:
    emb = HashingEmbedder()
    rows = emb.embed(["The cafe is on fire!", "", "the CAFE is on fire"])
    assert rows.dtype == np.float32 and rows.shape == (3, 384)
    assert _unit_or_zero(rows) and not rows[1].any()
    assert np.array_equal(rows[0], rows[2])  # case and punctuation do not matter
    assert np.array_equal(rows, HashingEmbedder().embed(["The cafe is on fire!", "", "the CAFE is on fire"]))
    assert emb.embed([]).shape == (0, 384)


def test_hashing_is_the_same_in_every_process() -> None:
    """blake2b, not the per-process salted hash(): two interpreters with different hash seeds agree."""
    code = "from engine.memory.embedders import HashingEmbedder; print(HashingEmbedder().embed(['Klaus paints a mural']).tobytes().hex())"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_hashing_finds_shared_words() -> None:
    emb = HashingEmbedder()
    q, near, far = emb.embed(["election at the town hall", "the mayor election is at the town hall", "dogs bark"])
    assert q @ near > 0.5 > q @ far


def test_make_embedder_names() -> None:
    assert make_embedder("hashing").name == "hashing"
    assert make_embedder("hashing:64").dim == 64 and make_embedder("hashing:64").name == "hashing:64"
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("bert")
    with pytest.raises(ValueError, match="embed_fn"):
        make_embedder("ollama:nomic-embed-text")


def test_callable_embedder_learns_its_width_and_normalises() -> None:
    calls: list[list[str]] = []

    def fake_ollama(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return [[float(len(t)), 3.0, 4.0] for t in texts]

    emb = make_embedder("ollama:tiny", embed_fn=fake_ollama)
    rows = emb.embed(["", "abcd"])
    assert emb.dim == 3 and len(calls) == 1  # width from the first real call, no probe
    assert isinstance(emb, Embedder) and emb.name == "ollama:tiny"  # (isinstance reads .dim: after a call)
    assert rows.dtype == np.float32 and np.allclose(rows[0], [0, 0.6, 0.8])
    assert CallableEmbedder("x", fake_ollama).dim == 3  # asking first costs one probe

    widths = iter([3, 4])
    changing = CallableEmbedder("y", lambda ts: np.ones((len(ts), next(widths))))
    changing.embed(["a"])
    with pytest.raises(ValueError, match="width changed"):
        changing.embed(["b"])
    with pytest.raises(ValueError, match="expected"):
        CallableEmbedder("z", lambda ts: np.ones(3)).embed(["a"])


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """HF_HUB_OFFLINE, an empty HOME (no ~/.cache/wordllama) and any socket connect fails."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HOME", str(tmp_path))

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
def test_wordllama_loads_offline_and_ranks_a_paraphrase_first() -> None:
    model = embedders.load_wordllama()  # the uncached loader: really reads the wheel's files now
    assert model is not None
    emb = WordLlamaEmbedder()
    assert (emb.name, emb.dim) == ("wordllama", 256)
    query, paraphrase, unrelated, empty = emb.embed(
        ["The cafe is on fire", "Flames are burning down the coffee shop", "Tom bought new shoes at the market", ""]
    )
    assert float(query @ paraphrase) > float(query @ unrelated) + 0.1
    assert not empty.any() and not np.isnan(empty).any()

    store = InMemoryStore(emb, 60)
    store.add(1, 0, "observation", "Tom bought new shoes at the market", 5)
    store.add(1, 0, "observation", "Flames are burning down the coffee shop", 5)
    top = store.retrieve(1, "The cafe is on fire", 1, k=1, weights=RetrievalWeights(recency=0, importance=0))
    assert top[0].memory.text.startswith("Flames")


def test_wordllama_model_files_ship_in_the_wheel() -> None:
    folder = embedders.wordllama_folder()
    assert (folder / "weights" / "l2_supercat_256.safetensors").is_file()
    assert (folder / "tokenizers" / "l2_supercat_tokenizer_config.json").is_file()
