"""A scriptable HTTP server on 127.0.0.1 for testing the real HTTP clients.

No model server can be installed where the tests run, and mocking the client
would test our guesses about it rather than the client. So the real ``ollama``
and ``httpx`` clients talk to this server, which a test scripts request by
request (answer, garbage, an HTTP error, a slow answer, a hang-up) and which
records every request so tests can check the wire shape the client really sent.

Two details matter: TCP_NODELAY on accepted sockets (else Nagle delays small replies) and a larger
listen backlog, or small requests stall. The server also tracks open keep-alive
connections so ``stop()`` really looks like a dead server to a pooled client.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# -- behaviours a test can queue ---------------------------------------------------------------------


@dataclass
class Reply:
    """Answer normally with this content (a dict is sent as JSON text)."""

    content: str | dict[str, Any]
    done_reason: str = "stop"

    @property
    def text(self) -> str:
        return self.content if isinstance(self.content, str) else json.dumps(self.content)


@dataclass
class Status:
    """Answer with an HTTP error status and the server's error body."""

    code: int
    error: str = "something broke"


@dataclass
class Slow:
    """Wait (interruptibly) before behaving as ``then`` (a normal answer by default)."""

    seconds: float
    then: Any = None


@dataclass
class Trickle:
    """Send the headers of a long answer, then one byte every ``every`` seconds until the client leaves
    (``client_left`` is set then: the server noticed, as a model server stops generating)."""

    every: float = 0.2
    client_left: threading.Event = field(default_factory=threading.Event)


@dataclass
class Hangup:
    """Close the connection without answering, like a server that crashed mid-request."""


@dataclass
class StreamError:
    """When streaming, send ``after`` chunks, then an error line (Ollama only)."""

    error: str = "model runner crashed"
    after: int = 1


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Script = Callable[[str, Any], Any]


# -- the server -----------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # restart on the same port right after stop
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: LoopbackServer):
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.conn_lock:
            self.connections.add(conn)
        return conn, addr

    def shutdown_request(self, request: Any) -> None:
        with self.conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that timed out and left are expected here; tracebacks would only be noise


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Ollama: the client's connection pool gets exercised
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        owner = self.server.owner
        owner.record(Recorded(method, self.path, body, dict(self.headers.items())))
        stop = owner.stop_event
        with owner.lock:
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
        try:
            owner.handle(self, method, self.path, body, stop)
        finally:
            with owner.lock:
                owner.in_flight -= 1
            owner.after_request()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    # helpers for the protocol classes
    def send_json(self, code: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_ndjson(self, lines: list[Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in lines:
            data = (json.dumps(line) + "\n").encode()
            self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def hang_up(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class LoopbackServer:
    """Base of the fake servers: lifecycle, recording, behaviour queue. Subclasses speak a protocol."""

    def __init__(self, port: int = 0):
        self.port = port
        self.requests: list[Recorded] = []
        self.script: Script | None = None  # (path, body) -> behaviour or None, consulted before the queue
        self.die_after: int | None = None  # stop by itself after this many requests (a crashing server)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.stop_event = threading.Event()
        self.stopped = threading.Event()  # set once stop() has fully closed the port
        self._queue: deque[Any] = deque()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> LoopbackServer:
        self.stop_event = threading.Event()
        self.stopped.clear()
        self._httpd = _HTTPServer(("127.0.0.1", self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"loopback-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self.stop_event.set()  # wakes handlers sleeping in Slow
        httpd.shutdown()
        httpd.server_close()
        with httpd.conn_lock:
            conns = list(httpd.connections)
        for conn in conns:  # keep-alive connections would otherwise keep serving after "death"
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.stopped.set()

    def restart(self) -> None:
        self.stop()
        self.start()

    # scripting and records
    def push(self, *behaviours: Any) -> None:
        with self.lock:
            self._queue.extend(behaviours)

    def next_behaviour(self, path: str, body: Any) -> Any:
        if self.script is not None:
            chosen = self.script(path, body)
            if chosen is not None:
                return chosen
        with self.lock:
            return self._queue.popleft() if self._queue else None

    def record(self, entry: Recorded) -> None:
        with self.lock:
            self.requests.append(entry)

    def posts(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method == "POST" and r.path == path]

    def after_request(self) -> None:
        if self.die_after is not None and len(self.requests) >= self.die_after:
            self.die_after = None
            threading.Thread(target=self.stop, daemon=True).start()

    def common(self, handler: _Handler, behaviour: Any, stop: threading.Event) -> tuple[bool, Any]:
        """Apply the protocol-independent behaviours; ``(True, _)`` when the request is fully handled."""
        while isinstance(behaviour, Slow):
            if stop.wait(behaviour.seconds):
                handler.hang_up()
                return True, None
            behaviour = behaviour.then
        if isinstance(behaviour, Hangup):
            handler.hang_up()
            return True, None
        if isinstance(behaviour, Trickle):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(10**9))
            handler.end_headers()
            try:
                while not stop.wait(behaviour.every):
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
            except OSError:
                behaviour.client_left.set()
            handler.hang_up()
            return True, None
        if isinstance(behaviour, Status):
            handler.send_json(behaviour.code, self.error_body(behaviour.code, behaviour.error))
            return True, None
        return False, behaviour

    # protocol hooks
    def error_body(self, code: int, message: str) -> Any:
        return {"error": message}

    def handle(self, handler: _Handler, method: str, path: str, body: Any, stop: threading.Event) -> None:
        raise NotImplementedError


def free_port() -> int:
    """A port nobody listens on (bound, then released), for connection-refused tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
