"""Host strings as people type them, turned into URLs the backends can use.

Users copy addresses from Ollama's docs, from ``OLLAMA_HOST`` (often set to
``0.0.0.0`` so the *server* listens everywhere) or from vLLM / llama.cpp / LM
Studio, whose OpenAI-compatible API lives under ``/v1``. We normalise them the
way Ollama's own client does (scheme defaults to http, port to 11434, or 80/443
when a scheme is given) so "localhost" here means the same as in ``ollama run``.
We do this ourselves rather than call the client's private helper: only
``ollama_backend.py`` may import ``ollama``.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from dataclasses import dataclass

DEFAULT_OLLAMA = "http://127.0.0.1:11434"
OPENAI_PREFIX = "openai+"

# A server bound to "every address" is reached through loopback; connecting to 0.0.0.0
# happens to work on Linux but not on Windows.
_UNSPECIFIED = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}


@dataclass(frozen=True)
class HostSpec:
    kind: str  # "ollama" | "openai"
    url: str  # normalised, no trailing slash


def host_problem(text: str) -> str | None:
    """Why ``text`` is not a server address, in words; None if it is one.

    Accepts what Ollama's own client accepts: "localhost", ":8080", "example.com:11434",
    "http(s)://host[:port][/path]", and "openai+http://..." for OpenAI-compatible servers.
    """
    raw = text.strip()
    if raw.lower().startswith(OPENAI_PREFIX):
        raw = raw[len(OPENAI_PREFIX) :]
    if not raw:
        return "is empty"
    if any(c.isspace() for c in raw):
        return "has a space in it"
    scheme, sep, rest = raw.partition("://")
    if not sep:
        scheme, rest = "http", raw
    if scheme.lower() not in ("http", "https"):
        return f"starts with {scheme}:// (use http:// or https://)"
    try:
        split = urllib.parse.urlsplit(f"{scheme}://{rest}")
        split.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    if not split.hostname and not rest.startswith(":"):
        return "has no server name"
    if split.query or split.fragment:
        return "has a ? or # in it"
    return None


def host_kind(text: str) -> str:
    """"openai" for an address ending in /v1 (or written openai+...), else "ollama"."""
    text = text.strip()
    if text.lower().startswith(OPENAI_PREFIX):
        return "openai"
    return "openai" if text.rstrip("/").lower().endswith("/v1") else "ollama"


def normalise_host(host: str | None) -> str:
    """Return ``scheme://host:port[/path]`` following Ollama's client rules.

    ``None``/"" -> http://127.0.0.1:11434; "example.com" -> http://example.com:11434;
    "http://example.com" -> http://example.com:80; ":8080" -> http://127.0.0.1:8080.
    """
    host = (host or "").strip()
    problem = host_problem(host) if host else None
    if problem:
        raise ValueError(f"{host!r} is not a server address (like http://127.0.0.1:11434): it {problem}")
    port = 11434
    scheme, _, hostport = host.partition("://")
    if not hostport:
        scheme, hostport = "http", host
    elif scheme == "http":
        port = 80
    elif scheme == "https":
        port = 443
    try:
        split = urllib.parse.urlsplit(f"{scheme}://{hostport}")
        name = split.hostname or "127.0.0.1"
        port = split.port or port
    except ValueError as error:
        raise ValueError(f"{host!r} is not a server address (like http://127.0.0.1:11434): {error}") from None
    try:
        if isinstance(ipaddress.ip_address(name), ipaddress.IPv6Address):
            name = f"[{name}]"  # urlsplit drops the brackets IPv6 needs in a URL
    except ValueError:
        pass
    name = _UNSPECIFIED.get(name, name)
    path = split.path.strip("/")
    return f"{scheme}://{name}:{port}/{path}" if path else f"{scheme}://{name}:{port}"


def parse_host(host: str | None) -> HostSpec:
    """Say which kind of server an address names: ``.../v1`` or ``openai+...`` is OpenAI-compatible."""
    text = (host or "").strip()
    if text.lower().startswith(OPENAI_PREFIX):
        return HostSpec("openai", normalise_host(text[len(OPENAI_PREFIX) :]))
    url = normalise_host(text)
    return HostSpec(host_kind(url), url)


def is_loopback(url: str) -> bool:
    """True for addresses on this machine: proxies from the environment must not apply to them."""
    name = urllib.parse.urlsplit(url).hostname or ""
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
