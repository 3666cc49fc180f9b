"""Build the backend an ``LLMConfig`` asks for.

The settings say *what* (rule, fake or a model server, and where); this turns
that into objects so nobody else has to know which class talks to which kind
of server. ``OLLAMA_HOST`` is read here, at call time, so changing it and
re-applying settings works without a restart (the ollama client would read it
only when a Client is built). The vendor modules are imported lazily: the rule
brain never loads ``ollama`` or ``pydantic``.

Optional tuning in ``config.extra``: ``seed`` (fake brain), ``api_key`` (OpenAI-
compatible servers), ``retry_base_s``/``retry_cap_s`` (backoff), ``cooloff_s``/
``max_cooloff_s`` (how long a failed host rests in a pool).
"""

from __future__ import annotations

import os
from dataclasses import replace

from engine.llm.backend import LLMBackend, LLMConfig
from engine.llm.fake import FakeBackend
from engine.llm.hosts import DEFAULT_OLLAMA, HostSpec, parse_host
from engine.llm.pool import HostPool
from engine.llm.retry import Backoff

BRAINS = ("rule", "ollama", "fake")


def resolve_hosts(config: LLMConfig) -> tuple[HostSpec, ...]:
    """The servers to use: ``config.hosts``, else ``$OLLAMA_HOST``, else local Ollama; duplicates dropped."""
    raw = [h for h in config.hosts if h and h.strip()]
    if not raw:
        raw = [os.environ.get("OLLAMA_HOST", "").strip() or DEFAULT_OLLAMA]
    specs: list[HostSpec] = []
    for host in raw:
        spec = parse_host(host)
        if spec not in specs:
            specs.append(spec)
    return tuple(specs)


def _one(spec: HostSpec, config: LLMConfig) -> LLMBackend:
    if spec.kind == "openai":
        from engine.llm.openai_backend import OpenAICompatBackend

        return OpenAICompatBackend(config, spec.url, api_key=config.extra.get("api_key"))
    from engine.llm.ollama_backend import OllamaBackend

    return OllamaBackend(config, spec.url)


def make_backend(config: LLMConfig) -> LLMBackend | None:
    """``None`` for the rule brain; otherwise a ready-to-call backend (it does not contact any server)."""
    brain = (config.brain or "rule").strip().lower()
    if brain == "rule":
        return None
    if brain == "fake":
        return FakeBackend(seed=int(config.extra.get("seed", 0)))
    if brain != "ollama":
        raise ValueError(f"Unknown brain {config.brain!r}; choose one of {', '.join(BRAINS)}.")
    specs = resolve_hosts(config)
    if len(specs) == 1:
        return _one(specs[0], config)
    # In a pool, failing over to another host beats retrying a dead one, so hosts don't retry themselves;
    # the pool retries whole passes instead.
    inner = replace(config, retries=0)
    return HostPool(
        [_one(spec, inner) for spec in specs],
        cooloff_s=float(config.extra.get("cooloff_s", 15.0)),
        max_cooloff_s=float(config.extra.get("max_cooloff_s", 120.0)),
        backoff=Backoff.from_config(config),
    )
