"""A loopback server speaking the OpenAI-compatible dialect of vLLM / llama-server / LM Studio.

Endpoints under /v1: POST chat/completions (non-streaming), GET models,
POST embeddings. Errors use OpenAI's ``{"error": {"message", "type", "code"}}``;
an unknown model is a 404 as in vLLM. Embeddings come back in reverse index
order on purpose: clients must sort by ``index``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from engine.memory.embedders import HashingEmbedder
from tests.llm.fake_ollama_server import made_up_content
from tests.llm.loopback import LoopbackServer, Reply, _Handler


class FakeOpenAIServer(LoopbackServer):
    def __init__(self, port: int = 0, models: tuple[str, ...] = ("qwen2.5-3b-instruct", "bge-small")):
        super().__init__(port)
        self.models = list(models)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def error_body(self, code: int, message: str) -> Any:
        return {"error": {"message": message, "type": "server_error" if code >= 500 else "invalid_request_error",
                          "code": code}}

    def handle(self, handler: _Handler, method: str, path: str, body: Any, stop: threading.Event) -> None:
        if method == "GET" and path == "/v1/models":
            handler.send_json(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 0, "owned_by": "tests"} for m in self.models]})
            return
        if method != "POST" or path not in ("/v1/chat/completions", "/v1/embeddings"):
            handler.send_json(404, self.error_body(404, f"no route {method} {path}"))
            return
        done, behaviour = self.common(handler, self.next_behaviour(path, body), stop)
        if done:
            return
        model = str(body.get("model", ""))
        if model not in self.models:
            handler.send_json(404, self.error_body(404, f"The model `{model}` does not exist."))
            return
        if path == "/v1/embeddings":
            texts = body.get("input", "")
            texts = [texts] if isinstance(texts, str) else list(texts)
            vectors = HashingEmbedder(32).embed(texts).tolist()
            data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
            handler.send_json(200, {"object": "list", "model": model, "data": data[::-1],
                                    "usage": {"prompt_tokens": 1, "total_tokens": 1}})
            return
        messages = body.get("messages", [])
        prompt = "".join(str(m.get("content", "")) for m in messages)
        if isinstance(behaviour, Reply):
            content, reason = behaviour.text, ("length" if behaviour.done_reason == "length" else "stop")
        else:
            schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema")
            content, reason = made_up_content(schema, prompt), "stop"
        usage = {"prompt_tokens": max(1, len(prompt) // 4), "completion_tokens": max(1, len(content) // 4)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        handler.send_json(200, {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                                "model": model, "choices": [{"index": 0, "finish_reason": reason, "message": {
                                    "role": "assistant", "content": content}}], "usage": usage})
