"""How the townsfolk think: the user's choice of brain, servers and model, kept in the settings.

One small value object so the settings dialog, the loader (the next world is
opened with it) and the running engine (``ConfigureLLM``) all use the same
numbers. Host checking lives here too: the dialog must say "line 2 is not an
address" before anything reaches the engine, and the GUI may not import the
engine's own parser (only ``engine.api`` and ``engine.contracts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.files.settings import Settings
from engine import api
from engine.contracts import ConfigureLLM

BRAINS = (
    ("rule", "Rule brain (built in, nothing to install)"),
    ("ollama", "Ollama or OpenAI-compatible server"),
    ("fake", "Fake model (for testing)"),
)
DEFAULT_HOST = "http://127.0.0.1:11434"
EMBEDDER_KEY = "minds/embedder"  # advanced: "" lets the world decide (wordllama unless it says otherwise)


def _float(value: object, default: float) -> float:
    if not isinstance(value, int | float | str):  # nothing stored, or not a number
        return default
    try:
        return float(value)
    except ValueError:
        return default


def _int(value: object, default: int) -> int:
    return int(_float(value, default))


@dataclass(frozen=True)
class LLMSettings:
    brain: str = "rule"
    hosts: tuple[str, ...] = field(default_factory=tuple)
    model: str = "llama3.2"
    temperature: float = 0.7
    budget_per_hour: int = 600
    timeout_s: float = 60.0

    @classmethod
    def load(cls, settings: Settings) -> LLMSettings:
        """What the user chose last time (QSettings' INI hands back strings, so convert each value)."""
        d = cls()
        brain = str(settings.value("llm/brain", d.brain) or d.brain)
        hosts = settings.value("llm/hosts", [])
        if isinstance(hosts, str):  # QSettings hands back a one-entry list as a lone string
            hosts = [hosts]
        if not isinstance(hosts, list):
            hosts = []
        return cls(
            brain=brain if brain in dict(BRAINS) else d.brain,
            hosts=tuple(str(h).strip() for h in hosts if str(h).strip()),
            model=str(settings.value("llm/model", d.model) or d.model),
            temperature=_float(settings.value("llm/temperature", d.temperature), d.temperature),
            budget_per_hour=_int(settings.value("llm/budget_per_hour", d.budget_per_hour), d.budget_per_hour),
            timeout_s=_float(settings.value("llm/timeout_s", d.timeout_s), d.timeout_s),
        )

    @classmethod
    def from_config(cls, config: api.LLMConfig) -> LLMSettings:
        return cls(brain=config.brain, hosts=tuple(config.hosts), model=config.model, temperature=config.temperature,
                   budget_per_hour=config.budget_per_hour, timeout_s=config.timeout_s)

    def save(self, settings: Settings) -> None:
        settings.set_value("llm/brain", self.brain)
        settings.set_value("llm/hosts", list(self.hosts))
        settings.set_value("llm/model", self.model)
        settings.set_value("llm/temperature", self.temperature)
        settings.set_value("llm/budget_per_hour", self.budget_per_hour)
        settings.set_value("llm/timeout_s", self.timeout_s)
        settings.sync()

    def config(self) -> api.LLMConfig:
        """For opening a world and for ``probe_llm``."""
        return api.LLMConfig(brain=self.brain, hosts=self.hosts, model=self.model, temperature=self.temperature,
                             budget_per_hour=self.budget_per_hour, timeout_s=self.timeout_s)

    def command(self) -> ConfigureLLM:
        """For switching the running engine over without reopening the world."""
        return ConfigureLLM(brain=self.brain, hosts=self.hosts, model=self.model, temperature=self.temperature,
                            budget_per_hour=self.budget_per_hour, timeout_s=self.timeout_s)

    def with_brain(self, brain: str) -> LLMSettings:
        return replace(self, brain=brain)

    @property
    def model_label(self) -> str:
        """The model as the status bar names it."""
        if self.brain == "fake":
            return "fake model"
        return self.model or "no model"


def load_embedder(settings: Settings) -> str | None:
    value = str(settings.value(EMBEDDER_KEY, "") or "").strip()
    return value or None


# The engine owns address rules (the same ones the backends use); the dialog only words the results.
host_kind = api.host_kind
host_problem = api.host_problem


def hosts_problems(lines: list[str]) -> list[str]:
    """One sentence per bad line, e.g. 'Line 2, “htp:/x”, starts with htp:// (use http:// or https://).'"""
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        problem = host_problem(line)
        if problem:
            out.append(f"Line {number}, “{line.strip()}”, {problem}.")
    return out
