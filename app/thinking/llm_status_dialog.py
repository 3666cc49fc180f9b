"""Help › LLM Status…: how thinking is going, what to do about it, and the counters.

A modeless window that follows the snapshots while it is open. "Check now"
asks the server again on a worker thread and shows its answer inline; the
exact commands to turn thinking on are always there to copy.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.thinking.llm_status import STATE_WORDS, message_html, state_colour, stats_lines
from app.thinking.probe import LLMProbe
from engine import api
from engine.contracts import LLMHealth, LLMStatusView

COMMANDS = "ollama serve\nollama pull llama3.2"


class LLMStatusDialog(QDialog):
    def __init__(self, probe: LLMProbe, config: Callable[[], api.LLMConfig], model_label: Callable[[], str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Language model status")
        self.setObjectName("llmStatusDialog")
        self.setMinimumWidth(480)
        self.probe = probe
        self.config = config
        self.model_label = model_label
        self._job = -1
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("llmHeadline")
        self.headline.setStyleSheet("font-size:15px;font-weight:bold")
        self.message = QLabel()
        self.message.setObjectName("llmMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.headline)
        layout.addWidget(self.message)
        how = QLabel("To think on a local model, install Ollama from ollama.com, run these two commands in a "
                     "terminal, then pick “Ollama” under Simulation › Thinking…")
        how.setWordWrap(True)
        layout.addWidget(how)
        commands = QPlainTextEdit(COMMANDS)
        commands.setObjectName("llmCommands")
        commands.setReadOnly(True)
        commands.setFixedHeight(commands.fontMetrics().lineSpacing() * 2 + 16)
        commands.setStyleSheet("font-family:monospace;background:#efe6d2;color:#241b2f")
        layout.addWidget(commands)
        self.stats = QFormLayout()
        self.stat_labels: dict[str, QLabel] = {}
        for label, _value in stats_lines(LLMStatusView("rule", LLMHealth.OFF, "")):
            value = QLabel("—")
            self.stat_labels[label] = value
            self.stats.addRow(label, value)
        layout.addLayout(self.stats)
        self.check_result = QLabel()
        self.check_result.setObjectName("llmCheckResult")
        self.check_result.setWordWrap(True)
        self.check_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.check_result)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.check_now = QPushButton("Check now")
        self.check_now.setToolTip("Ask the configured server how it is, right now")
        self.settings_button = QPushButton("Thinking settings…")
        buttons.addButton(self.check_now, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.settings_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.check_now.clicked.connect(self.check)
        probe.finished.connect(self._on_probe)
        self.set_status(None)

    def set_status(self, view: LLMStatusView | None) -> None:
        """Follow the engine (called with each snapshot's ``llm`` while the dialog is open)."""
        if view is None:
            self.headline.setText("No world is open")
            self.message.setText("Open a world to see how its people think.")
            return
        if view.brain == "rule" or view.state == LLMHealth.OFF:
            headline, text = "Thinking is off — rule brain", ("Everyone lives on the built-in rule brain: "
                                                               "they still perceive and remember, but plan "
                                                               "and talk by rules.")
        else:
            state = STATE_WORDS.get(view.state, view.state)
            headline, text = f"{state.capitalize()} — {self.model_label()} ({view.brain})", view.message
            text = text[:1].upper() + text[1:]
        self.headline.setText(headline)
        self.headline.setStyleSheet(f"font-size:15px;font-weight:bold;color:{state_colour(view.state)}")
        self.message.setText(message_html(text))
        for label, value in stats_lines(view):
            self.stat_labels[label].setText(value)

    def check(self) -> None:
        config = self.config()
        if config.brain == "rule":
            config = api.LLMConfig(brain="ollama", hosts=config.hosts, model=config.model,
                                   timeout_s=config.timeout_s)
        self.check_now.setEnabled(False)
        self.check_result.setText(f"Checking {', '.join(config.hosts) or 'the default server'}…")
        self._job = self.probe.check(config)

    def _on_probe(self, job: int, health: api.Health) -> None:
        if job != self._job:
            return
        self.check_now.setEnabled(True)
        models = f"<br>Models on the server: {', '.join(health.models)}" if health.models else ""
        self.check_result.setText(f"<b>Check:</b> <span style='color:{state_colour(health.state)}'>"
                                  f"{message_html(health.message)}</span>{models}")
