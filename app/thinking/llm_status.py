"""The language model's state in words: the status bar's "LLM: …" and its tooltip.

Pure functions over ``LLMStatusView`` (no widgets) so the status bar, the Help
dialog and the tests all say the same thing. The engine's message is plain
words with the fix; the status bar shows only its first clause and keeps the
rest for the tooltip and the dialog.
"""

from __future__ import annotations

import html
import re

from engine.contracts import LLMHealth, LLMStatusView

STATE_COLOURS = {LLMHealth.READY: "#3d7a36", LLMHealth.OFF: "#55536b", LLMHealth.NO_SERVER: "#b4432f",
                 LLMHealth.NO_MODEL: "#b4432f", LLMHealth.DEGRADED: "#b7791f", LLMHealth.NOT_ANSWERING: "#b4432f"}
STATE_WORDS = {LLMHealth.READY: "ready", LLMHealth.OFF: "off", LLMHealth.NO_SERVER: "no server",
               LLMHealth.NO_MODEL: "model missing", LLMHealth.DEGRADED: "degraded",
               LLMHealth.NOT_ANSWERING: "not answering"}
HOW_TO = ("To let people think on a local model, install Ollama (https://ollama.com), then run:\n"
          "    ollama serve\n"
          "    ollama pull llama3.2\n"
          "and choose Simulation › Thinking… › Ollama. Townsfolk keeps going on its built-in brain meanwhile.")
_URL = re.compile(r"\s+(?:at|on)\s+\S+://\S+")


def short_problem(message: str) -> str:
    """ "Ollama isn't running at http://…:11434. Start it…" -> "Ollama isn't running"."""
    first = re.split(r"(?<=[.!])\s", message.strip(), maxsplit=1)[0].rstrip(".")
    return _URL.sub("", first).strip() or message.strip()


def status_text(view: LLMStatusView | None, model_label: str) -> str:
    """The status bar's words: 'LLM: ready — llama3.2 · 3 queued', 'LLM: off — rule brain', ..."""
    if view is None or view.brain == "rule" or view.state == LLMHealth.OFF:
        return "LLM: off — rule brain"
    queued = f" · thinking: {view.queued} queued" if view.queued else ""
    if view.state == LLMHealth.READY:
        return f"LLM: ready — {model_label}{queued}"
    problem = short_problem(view.message) if view.message else STATE_WORDS.get(view.state, view.state)
    return f"LLM: {problem}{queued}"


def stats_lines(view: LLMStatusView) -> list[tuple[str, str]]:
    return [
        ("Calls", f"{view.calls:,}"),
        ("Tokens", f"{view.tokens:,}"),
        ("Failures", f"{view.failures:,}"),
        ("Fell back to rules", f"{view.fallbacks:,}"),
        ("Answered from cache", f"{view.cache_hits:,}"),
        ("Queued now", f"{view.queued:,}"),
        ("People who can think", f"{view.minds:,}"),
    ]


def status_tooltip(view: LLMStatusView | None, model_label: str) -> str:
    """The full message and the counters, for hovering over the status bar."""
    if view is None:
        return "No world is open."
    if view.brain == "rule" or view.state == LLMHealth.OFF:
        head = "Thinking is off: everyone lives on the built-in rule brain.\n\n" + HOW_TO
    elif view.state == LLMHealth.READY:
        head = f"Thinking on {model_label} ({view.brain}): {view.message}."
    else:
        head = view.message
    stats = "\n".join(f"{label}: {value}" for label, value in stats_lines(view))
    return f"{head}\n\n{stats}\n\nHelp › LLM Status… for more."


def state_colour(state: LLMHealth) -> str:
    return STATE_COLOURS.get(state, "#241b2f")


def message_html(message: str) -> str:
    """The engine's message with `commands` set in monospace, for rich-text labels."""
    escaped = html.escape(message, quote=False)
    return re.sub(r"`([^`]+)`", r"<code style='background:#efe6d2;padding:0 3px'>\1</code>", escaped)
