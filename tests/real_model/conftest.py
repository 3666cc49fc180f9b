"""The `real_model` tests: a real tiny model (SmolLM2-135M on llama.cpp, one thread) on a free loopback port.

The model's venv is built by ``scripts/real_model.sh`` when missing (never skipped: these tests
exist to run against the real thing). ``.ci/run`` starts that build early and runs them with
``pytest -m real_model``; ``./test.sh`` leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.llm.backend import LLMConfig
from tests.real_model.serve import MODEL, RealModelServer


@pytest.fixture(scope="session")
def real_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealModelServer]:
    log = tmp_path_factory.mktemp("real-model") / "server.log"
    with RealModelServer(threads=1, log=log) as server:
        yield server


def real_config(server: RealModelServer, **overrides: object) -> LLMConfig:
    """Thinking on the real model: one request at a time (the server has one thread)."""
    settings: dict[str, object] = {
        "brain": "ollama",
        "hosts": (server.url,),
        "model": MODEL,
        "timeout_s": 60.0,
        "concurrency": 1,
        "temperature": 0.7,
    }
    settings.update(overrides)
    return LLMConfig(**settings)  # type: ignore[arg-type]  # the keywords are LLMConfig's own
