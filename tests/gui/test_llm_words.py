"""What the app says about thinking, and which addresses it accepts (no window needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.files.settings import Settings
from app.thinking.llm_settings import LLMSettings, host_kind, host_problem, hosts_problems
from app.thinking.llm_status import short_problem, status_text, status_tooltip
from engine.contracts import ConfigureLLM, LLMStatusView

NO_SERVER = ("Ollama isn't running at http://127.0.0.1:11434. Start it with `ollama serve`, then "
             "`ollama pull llama3.2`. Townsfolk keeps going on its built-in brain meanwhile.")


@pytest.mark.parametrize("host", ["localhost", ":8080", "127.0.0.1:11434", "http://gpu-box:11434",
                                  "https://models.example.com/v1", "openai+http://10.0.0.2:8000", "[::1]:11434"])
def test_addresses_people_type_are_accepted(host: str) -> None:
    assert host_problem(host) is None


@pytest.mark.parametrize(("host", "words"), [("htp://x", "htp://"), ("http://x:99999", "port"),
                                             ("http://a b", "space"), ("http://", "server name")])
def test_bad_addresses_are_named(host: str, words: str) -> None:
    assert words in (host_problem(host) or "")


def test_problems_name_the_line_and_kinds_are_told_apart() -> None:
    assert hosts_problems(["http://ok:1", "", "ftp://x"]) == ["Line 3, “ftp://x”, starts with ftp:// (use http:// "
                                                             "or https://)."]
    assert host_kind("http://x:8000/v1/") == "openai" and host_kind("openai+http://x") == "openai"
    assert host_kind("localhost") == "ollama"


def test_settings_round_trip(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "t.ini")
    chosen = LLMSettings("ollama", ("http://a:1", "http://b:2/v1"), "qwen2.5:3b", 0.2, 50, 12.0)
    chosen.save(settings)
    again = LLMSettings.load(Settings(tmp_path / "t.ini"))
    assert again == chosen
    command = again.command()
    assert command == ConfigureLLM(brain="ollama", hosts=("http://a:1", "http://b:2/v1"), model="qwen2.5:3b",
                                   temperature=0.2, budget_per_hour=50, timeout_s=12.0, id=command.id)
    assert LLMSettings.from_config(again.config()) == again
    single = Settings(tmp_path / "one.ini")
    LLMSettings("ollama", ("http://a:1",)).save(single)
    assert LLMSettings.load(Settings(tmp_path / "one.ini")).hosts == ("http://a:1",)  # INI keeps one as a string


def test_status_words() -> None:
    assert short_problem(NO_SERVER) == "Ollama isn't running"
    off = LLMStatusView("rule", "off", "rule brain")
    assert status_text(off, "llama3.2") == "LLM: off — rule brain"
    ready = LLMStatusView("ollama", "ready", "thinking on the language model", queued=3, calls=10, tokens=999)
    assert status_text(ready, "llama3.2") == "LLM: ready — llama3.2 · thinking: 3 queued"
    down = LLMStatusView("ollama", "no_server", NO_SERVER, fallbacks=4)
    assert status_text(down, "llama3.2") == "LLM: Ollama isn't running"
    tip = status_tooltip(down, "llama3.2")
    assert NO_SERVER in tip and "Fell back to rules: 4" in tip
    assert "ollama serve" in status_tooltip(off, "llama3.2")
