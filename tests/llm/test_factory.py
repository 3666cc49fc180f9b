"""make_backend and host addresses: what each setting turns into."""

from __future__ import annotations

import pytest

from engine.llm.backend import LLMConfig
from engine.llm.factory import make_backend, resolve_hosts
from engine.llm.fake import FakeBackend
from engine.llm.hosts import HostSpec, is_loopback, normalise_host, parse_host
from engine.llm.ollama_backend import OllamaBackend
from engine.llm.openai_backend import OpenAICompatBackend
from engine.llm.pool import HostPool

# The cases of ollama's own _parse_host doctest: we must agree with the official client.
OLLAMA_CASES = [
    (None, "http://127.0.0.1:11434"),
    ("", "http://127.0.0.1:11434"),
    ("1.2.3.4", "http://1.2.3.4:11434"),
    (":56789", "http://127.0.0.1:56789"),
    ("1.2.3.4:56789", "http://1.2.3.4:56789"),
    ("http://1.2.3.4", "http://1.2.3.4:80"),
    ("https://1.2.3.4", "https://1.2.3.4:443"),
    ("https://1.2.3.4:56789", "https://1.2.3.4:56789"),
    ("example.com", "http://example.com:11434"),
    ("example.com:56789", "http://example.com:56789"),
    ("http://example.com", "http://example.com:80"),
    ("https://example.com:56789", "https://example.com:56789"),
    ("example.com/", "http://example.com:11434"),
    ("example.com/path", "http://example.com:11434/path"),
    ("example.com:56789/path/", "http://example.com:56789/path"),
    ("[0001:002:003:0004::1]", "http://[0001:002:003:0004::1]:11434"),
    ("[0001:002:003:0004::1]:56789/path", "http://[0001:002:003:0004::1]:56789/path"),
    ("https://[0001:002:003:0004::1]", "https://[0001:002:003:0004::1]:443"),
]


@pytest.mark.parametrize(("given", "expected"), OLLAMA_CASES)
def test_hosts_normalise_like_ollama(given: str | None, expected: str) -> None:
    assert normalise_host(given) == expected


def test_listen_everywhere_address_means_this_machine() -> None:
    assert normalise_host("0.0.0.0") == "http://127.0.0.1:11434"
    assert normalise_host("[::]:8080") == "http://[::1]:8080"


def test_garbage_host_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="not a server address"):
        normalise_host("localhost:127.0.0.1:9")


def test_parse_host_kinds() -> None:
    assert parse_host("localhost") == HostSpec("ollama", "http://localhost:11434")
    assert parse_host("http://gpu-box:8000/v1") == HostSpec("openai", "http://gpu-box:8000/v1")
    assert parse_host("http://gpu-box:8000/v1/") == HostSpec("openai", "http://gpu-box:8000/v1")
    assert parse_host("openai+http://127.0.0.1:1234/api") == HostSpec("openai", "http://127.0.0.1:1234/api")


def test_is_loopback() -> None:
    assert is_loopback("http://127.0.0.1:11434") and is_loopback("http://localhost:1")
    assert is_loopback("http://[::1]:11434") and is_loopback("http://127.0.0.2:1")
    assert not is_loopback("http://192.168.1.20:11434") and not is_loopback("http://gpu-box:8000/v1")


def test_rule_and_fake() -> None:
    assert make_backend(LLMConfig()) is None
    assert make_backend(LLMConfig(brain="rule")) is None
    fake = make_backend(LLMConfig(brain="fake", extra={"seed": 7}))
    assert isinstance(fake, FakeBackend) and fake.seed == 7


def test_unknown_brain() -> None:
    with pytest.raises(ValueError, match="rule, ollama, fake"):
        make_backend(LLMConfig(brain="gpt"))


def test_default_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    backend = make_backend(LLMConfig(brain="ollama"))
    assert isinstance(backend, OllamaBackend)
    assert backend.host == "http://127.0.0.1:11434" and backend.name == "ollama http://127.0.0.1:11434 llama3.2"


def test_ollama_host_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "192.168.1.20")
    first = make_backend(LLMConfig(brain="ollama"))
    monkeypatch.setenv("OLLAMA_HOST", "http://10.0.0.5:9999")
    second = make_backend(LLMConfig(brain="ollama"))
    assert isinstance(first, OllamaBackend) and first.host == "http://192.168.1.20:11434"
    assert isinstance(second, OllamaBackend) and second.host == "http://10.0.0.5:9999"


def test_config_hosts_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "192.168.1.20")
    backend = make_backend(LLMConfig(brain="ollama", hosts=("localhost:1234",)))
    assert isinstance(backend, OllamaBackend) and backend.host == "http://localhost:1234"


def test_v1_host_is_openai_compatible() -> None:
    backend = make_backend(LLMConfig(brain="ollama", hosts=("http://gpu-box:8000/v1",), extra={"api_key": "k"}))
    assert isinstance(backend, OpenAICompatBackend) and backend.base_url == "http://gpu-box:8000/v1"


def test_several_hosts_make_a_pool_without_inner_retries() -> None:
    config = LLMConfig(brain="ollama", hosts=("localhost", "openai+http://gpu-box:8000/v1", "localhost:11434"),
                       retries=3, extra={"cooloff_s": 2.5})
    pool = make_backend(config)
    assert isinstance(pool, HostPool)
    ollama_backend, openai_backend = pool.backends  # the duplicate address is dropped
    assert isinstance(ollama_backend, OllamaBackend) and isinstance(openai_backend, OpenAICompatBackend)
    assert ollama_backend.config.retries == 0 and openai_backend.config.retries == 0
    assert pool.cooloff_s == 2.5
    pool.close()


def test_resolve_hosts_skips_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    assert resolve_hosts(LLMConfig(hosts=("", "  "))) == (HostSpec("ollama", "http://127.0.0.1:11434"),)
