"""The welcome view: what a first start (or a start whose last world is gone) shows.

A small non-modal window over the main window — the map stays live behind it and
nothing waits on it — with the big choices (the village, the city, a new world,
a file) and a panel saying whether a local Ollama can do the thinking, and
exactly what to type if not. Everything works without Ollama: the rule brain.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.files import crash
from app.thinking.probe import LLMProbe
from engine import api
from engine.contracts import LLMHealth

CHECKING = "checking"  # the panel's own state while the probe runs (not an LLM health)

OLLAMA_STEPS: dict[str, str] = {
    CHECKING: "Looking for Ollama on this computer…",
    LLMHealth.NO_SERVER: ("<b>Ollama is not installed or not running.</b> People think with the built-in rule brain "
                  "meanwhile. To let them think with a language model: install Ollama from ollama.com, run "
                  "<code>ollama serve</code>, then <code>ollama pull llama3.2</code>, then choose "
                  "<i>Simulation › Thinking…</i> and pick Ollama."),
    LLMHealth.NO_MODEL: ("<b>Ollama is running, but without the model.</b> Run <code>ollama pull llama3.2</code>, "
                 "then choose <i>Simulation › Thinking…</i> and pick Ollama. The rule brain works meanwhile."),
    LLMHealth.READY: ("<b>Ollama is ready.</b> Choose <i>Simulation › Thinking…</i> and pick Ollama to let people "
              "think with llama3.2; until then they use the built-in rule brain."),
}


def ollama_text(state: str) -> str:
    """The words and steps for one probe state (``degraded`` reads like ``ready``; anything else like no_server)."""
    if state == LLMHealth.DEGRADED:
        state = LLMHealth.READY
    return OLLAMA_STEPS.get(state, OLLAMA_STEPS[LLMHealth.NO_SERVER])


class OllamaPanel(QWidget):
    """Is a local Ollama there? Asked on a worker thread (``LLMProbe``); "Check again" asks once more."""

    thinking_requested = Signal()

    def __init__(self, probe: LLMProbe, parent: QWidget | None = None):
        super().__init__(parent)
        self.probe = probe
        self.state: str = CHECKING
        self._job = 0
        self.text = QLabel()
        self.text.setObjectName("ollamaText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.again = QPushButton("Check again")
        self.again.setToolTip("Look for Ollama once more (after ollama serve or ollama pull)")
        self.again.clicked.connect(self.check)
        self.settings = QPushButton("Thinking settings…")
        self.settings.setToolTip("Choose the brain people think with: rules or a language model")
        self.settings.clicked.connect(self.thinking_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.again)
        buttons.addWidget(self.settings)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Thinking with a language model (optional)</b>"))
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        probe.finished.connect(self._on_health)
        self.check()

    def check(self) -> None:
        self._show(CHECKING)
        self._job = self.probe.check(api.LLMConfig(brain="ollama"))

    def _on_health(self, job: int, health: api.Health) -> None:
        if job == self._job:
            self._show(health.state)
            self.text.setToolTip(health.message)

    def _show(self, state: str) -> None:
        self.state = state
        self.text.setText(ollama_text(state))
        self.again.setEnabled(state != CHECKING)


class WelcomeDialog(QDialog):
    """Non-modal: choosing anything emits a signal and the controller opens it; the view closes on load."""

    open_sample = Signal(str)  # "village" | "city"
    new_world = Signal()
    open_file = Signal()
    open_scenario = Signal(str)  # a plugin's scenario, by key

    def __init__(self, probe: LLMProbe, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle("Welcome to Townsfolk")
        self.setModal(False)
        title = QLabel("<h2>Welcome to Townsfolk</h2><p>A little town of people you can watch, pause and nudge."
                       " Pick a place to start:</p>")
        title.setWordWrap(True)
        self.village = self._big("Open the village", "A small village where everyone knows everyone: the best place to start")
        self.city = self._big("Open the city", "A bigger city, busy streets and many more people")
        self.new = self._big("New world…", "Make a new town from a template, any size, from a seed")
        self.file = QPushButton("Open a file…")
        self.file.setToolTip("Open a .town world you saved before")
        self.village.clicked.connect(lambda: self.open_sample.emit("village"))
        self.city.clicked.connect(lambda: self.open_sample.emit("city"))
        self.new.clicked.connect(self.new_world)
        self.file.clicked.connect(self.open_file)
        choices = QHBoxLayout()
        for button in (self.village, self.city, self.new):
            choices.addWidget(button)
        self.ollama = OllamaPanel(probe, self)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(choices)
        layout.addWidget(self.file, 0, Qt.AlignmentFlag.AlignLeft)
        self.scenarios: dict[str, QPushButton] = {}
        found = api.scenarios()  # from the installed plugins
        if found:
            layout.addSpacing(8)
            layout.addWidget(QLabel("<b>Scenarios</b> (from plugins)"))
            row = QHBoxLayout()
            for scenario in found:
                button = QPushButton(scenario["title"])
                button.setObjectName(f"scenario_{scenario['key']}")
                goals = "".join(f"<li>{goal}</li>" for goal in scenario["goals"])
                button.setToolTip(f"<p>{scenario['description']}</p>" + (f"<p>Goals:</p><ul>{goals}</ul>" if goals else "")
                                  + f"<p><i>From the plugin {scenario['plugin']}</i></p>")
                button.clicked.connect(lambda _c=False, key=scenario["key"]: self.open_scenario.emit(key))
                self.scenarios[scenario["key"]] = button
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addSpacing(12)
        layout.addWidget(self.ollama)
        self.resize(640, 360)

    @staticmethod
    def _big(text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setMinimumHeight(72)
        font = button.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        button.setFont(font)
        return button


class WorldOpener(Protocol):
    """What the welcome view's choices do: the app's ways to open a world, and its signal that one loaded."""

    @property
    def window(self) -> QWidget: ...

    @property
    def world_loaded(self) -> SignalInstance: ...

    def open_sample(self, name: str) -> None: ...

    def new_dialog(self) -> None: ...

    def open_dialog(self) -> None: ...

    def open_scenario(self, key: str) -> None: ...


def show_welcome(opener: WorldOpener, probe: LLMProbe, open_thinking: Callable[[], object]) -> WelcomeDialog:
    """Show the welcome view over the window, wired to ``opener``; it closes once a world has loaded."""
    dialog = WelcomeDialog(probe, opener.window)
    dialog.open_sample.connect(opener.open_sample)
    dialog.new_world.connect(opener.new_dialog)
    dialog.open_file.connect(opener.open_dialog)
    dialog.open_scenario.connect(opener.open_scenario)
    dialog.ollama.thinking_requested.connect(open_thinking)
    opener.world_loaded.connect(lambda _loaded: dialog.close())
    dialog.show()
    return dialog


def offer_recovery(window: QWidget, open_recovery: Callable[[Path, Path | None], None]) -> bool:
    """After a crash: offer the autosaved copy (Recover / Discard). True if it is being opened.

    A question box, not an inline message: it decides what opens at all, before anything is shown.
    """
    found = crash.read_marker()
    if found is None:
        return False
    where = f"“{found.original.name}”" if found.original else "your unsaved town"
    when = f" at {found.when.replace('T', ' ')}" if found.when else ""
    if found.kind == "autosave":
        story = (f"Townsfolk did not close normally last time. Changes to {where} that were not saved were "
                 f"kept automatically{when}.")
    else:
        story = f"Townsfolk stopped unexpectedly{when}. A copy of {where} was saved just before."
    answer = QMessageBox.question(
        window, "Recover your town?", f"{story}\n\nRecover it? (Save will then ask where to keep it.)",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard, QMessageBox.StandardButton.Yes)
    crash.discard_marker()
    if answer == QMessageBox.StandardButton.Yes:
        open_recovery(found.recovery, found.original)
        return True
    with contextlib.suppress(OSError):
        api.remove_world(found.recovery)  # the copy and its memories
    return False
