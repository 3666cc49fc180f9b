"""A loopback server speaking Ollama's HTTP API, shaped like answers measured from a real Ollama.

Endpoints: POST /api/chat (plain and streaming NDJSON), POST /api/generate,
POST /api/embed, GET /api/tags, GET /api/version. Errors are an HTTP status
plus ``{"error": ...}``; an unknown model is a 404, as in Ollama. Without a
scripted behaviour, chat answers with a valid made-up object for the ``format``
schema, so the happy path needs no scripting at all.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from typing import Any

from engine.llm.synth import synthesize
from engine.memory.embedders import HashingEmbedder
from tests.llm.loopback import LoopbackServer, Reply, StreamError, _Handler


def _full(name: str) -> str:
    return name if ":" in name else f"{name}:latest"


def made_up_content(schema: Any, messages: Any) -> str:
    """A deterministic answer for a ``format``: schema-valid JSON, ``{}`` for "json", else prose."""
    if isinstance(schema, dict):
        seed = hashlib.blake2b(json.dumps([messages, schema], sort_keys=True).encode(), digest_size=8).digest()
        return json.dumps(synthesize(schema, random.Random(int.from_bytes(seed, "big"))))
    if schema == "json":
        return "{}"
    return "Good morning from the fake Ollama."


class FakeOllamaServer(LoopbackServer):
    def __init__(self, port: int = 0, models: tuple[str, ...] = ("llama3.2:latest", "nomic-embed-text:latest"),
                 version: str = "0.6.3"):
        super().__init__(port)
        self.models = list(models)
        self.version = version

    def _stats(self, prompt: str, content: str, reason: str) -> dict[str, Any]:
        return {"done": True, "done_reason": reason, "total_duration": 1_000_000, "load_duration": 1000,
                "prompt_eval_count": max(1, len(prompt) // 4), "prompt_eval_duration": 1000,
                "eval_count": max(1, len(content) // 4), "eval_duration": 1000}

    def handle(self, handler: _Handler, method: str, path: str, body: Any, stop: threading.Event) -> None:
        if method == "GET" and path == "/api/version":
            behaviour = self.script(path, body) if self.script else None
            done, _ = self.common(handler, behaviour, stop)
            if not done:
                handler.send_json(200, {"version": self.version})
            return
        if method == "GET" and path == "/api/tags":
            handler.send_json(200, {"models": [
                {"name": m, "model": m, "modified_at": "2024-05-01T10:00:00.000000+00:00", "size": 2_019_393_189,
                 "digest": "a80c4f17acd5" + "0" * 52,
                 "details": {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"],
                             "parameter_size": "3.2B", "quantization_level": "Q4_K_M"}}
                for m in self.models]})
            return
        if method != "POST" or path not in ("/api/chat", "/api/generate", "/api/embed"):
            handler.send_json(404, {"error": "404 page not found"})
            return
        done, behaviour = self.common(handler, self.next_behaviour(path, body), stop)
        if done:
            return
        model = str(body.get("model", ""))
        if _full(model) not in [_full(m) for m in self.models]:
            handler.send_json(404, {"error": f'model "{model}" not found, try pulling it first'})
            return
        created = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
        if path == "/api/embed":
            texts = body.get("input", "")
            texts = [texts] if isinstance(texts, str) else list(texts)
            handler.send_json(200, {"model": model, "embeddings": HashingEmbedder(64).embed(texts).tolist(),
                                    "total_duration": 1000, "load_duration": 10,
                                    "prompt_eval_count": sum(len(t) for t in texts) // 4})
            return
        if path == "/api/chat":
            prompt = "".join(str(m.get("content", "")) for m in body.get("messages", []))
        else:
            prompt = str(body.get("prompt", ""))
        reason = behaviour.done_reason if isinstance(behaviour, Reply) else "stop"
        content = behaviour.text if isinstance(behaviour, Reply) else made_up_content(body.get("format"), prompt)
        key = "message" if path == "/api/chat" else "response"

        def piece(text: str) -> Any:
            return {"role": "assistant", "content": text} if key == "message" else text

        if body.get("stream", True):  # Ollama streams unless told not to
            pieces = [content[i : i + 8] for i in range(0, len(content), 8)] or [""]
            lines: list[Any] = [{"model": model, "created_at": created, key: piece(p), "done": False} for p in pieces]
            if isinstance(behaviour, StreamError):
                lines = [*lines[: behaviour.after], {"error": behaviour.error}]
            else:
                lines.append({"model": model, "created_at": created, key: piece(""),
                              **self._stats(prompt, content, reason)})
            handler.send_ndjson(lines)
            return
        handler.send_json(200, {"model": model, "created_at": created, key: piece(content),
                                **self._stats(prompt, content, reason)})
