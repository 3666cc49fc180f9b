"""Simulation › Thinking…: which brain the townsfolk think with, and where the model lives.

Everything is checked inline — a bad address turns its hint red and greys OK,
the server's answer ("Ollama isn't running…", "ready with llama3.2") appears
under the model box — so there is never an error box to dismiss. The server is
asked on a worker thread (:class:`app.thinking.probe.LLMProbe`) when the dialog opens
and on Refresh; its model list fills the editable model box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.thinking.llm_settings import BRAINS, DEFAULT_HOST, LLMSettings, host_kind, hosts_problems
from app.thinking.llm_status import message_html, state_colour
from app.thinking.probe import LLMProbe
from engine import api
from engine.contracts import LLMHealth

HOSTS_HINT = ("One address per line; the load is shared between them. Empty: $OLLAMA_HOST or "
              f"{DEFAULT_HOST}. An address ending in <b>/v1</b> is an OpenAI-compatible server "
              "(vLLM, llama.cpp, LM Studio).")
MUTED = "#55536b"


class ThinkingDialog(QDialog):
    def __init__(self, current: LLMSettings, probe: LLMProbe, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Thinking")
        self.setObjectName("thinkingDialog")
        self.setMinimumWidth(520)
        self.probe = probe
        self._job = -1
        self._last_health: api.Health | None = None
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.brain = QComboBox()
        for key, label in BRAINS:
            self.brain.addItem(label, key)
        self.brain.setToolTip("The rule brain needs nothing installed; a model server lets people plan, talk "
                              "and reflect in their own words")
        form.addRow("Brain", self.brain)

        self.hosts = QPlainTextEdit()
        self.hosts.setPlaceholderText(DEFAULT_HOST)
        self.hosts.setTabChangesFocus(True)
        self.hosts.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.hosts.setToolTip("Model servers, one per line")
        self.hosts_hint = QLabel(HOSTS_HINT)
        self.hosts_hint.setWordWrap(True)
        self.hosts_hint.setObjectName("hostsHint")
        hosts_box = QVBoxLayout()
        hosts_box.setSpacing(2)
        hosts_box.addWidget(self.hosts)
        hosts_box.addWidget(self.hosts_hint)
        form.addRow("Servers", hosts_box)

        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setToolTip("The chat model, e.g. llama3.2 (pick one the server has, or type a name)")
        self.refresh = QPushButton("Refresh")
        self.refresh.setToolTip("Ask the server again which models it has")
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.refresh)
        self.server_message = QLabel()
        self.server_message.setObjectName("serverMessage")
        self.server_message.setWordWrap(True)
        self.server_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        model_box = QVBoxLayout()
        model_box.setSpacing(2)
        model_box.addLayout(model_row)
        model_box.addWidget(self.server_message)
        form.addRow("Model", model_box)

        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setToolTip("Higher: more varied, surprising answers; 0: the same answer every time")
        self.budget = QSpinBox()
        self.budget.setRange(1, 1_000_000)
        self.budget.setSingleStep(50)
        self.budget.setSuffix(" calls per sim hour")
        self.budget.setToolTip("Town-wide limit; past it, people decide with the rule brain until the next hour")
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1.0, 600.0)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(" s")
        self.timeout.setToolTip("How long one answer may take before Townsfolk gives up and uses the rule brain")
        form.addRow("Temperature", self.temperature)
        form.addRow("Budget", self.budget)
        form.addRow("Timeout", self.timeout)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        note = QLabel("Applies to the open world at once and to every world you open next.")
        note.setStyleSheet(f"color:{MUTED}")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

        self._fill(current)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(600)
        self._debounce.timeout.connect(self.check_server)
        self.brain.currentIndexChanged.connect(self._on_brain)
        self.hosts.textChanged.connect(self._on_hosts)
        self.model.editTextChanged.connect(lambda _t: self._validate())
        self.refresh.clicked.connect(self.check_server)
        probe.finished.connect(self._on_probe)
        self._validate()
        QTimer.singleShot(0, self.check_server)

    # ------------------------------------------------------------------ values

    def _fill(self, s: LLMSettings) -> None:
        index = self.brain.findData(s.brain)
        self.brain.setCurrentIndex(max(0, index))
        self.hosts.setPlainText("\n".join(s.hosts))
        self.model.setEditText(s.model)
        self.temperature.setValue(s.temperature)
        self.budget.setValue(s.budget_per_hour)
        self.timeout.setValue(s.timeout_s)
        self._enable()

    def host_lines(self) -> list[str]:
        return [line.strip() for line in self.hosts.toPlainText().splitlines() if line.strip()]

    def values(self) -> LLMSettings:
        return LLMSettings(brain=str(self.brain.currentData()), hosts=tuple(self.host_lines()),
                           model=self.model.currentText().strip() or "llama3.2",
                           temperature=round(self.temperature.value(), 2), budget_per_hour=self.budget.value(),
                           timeout_s=float(self.timeout.value()))

    # ------------------------------------------------------------------ checking

    def problems(self) -> list[str]:
        if self.brain.currentData() != "ollama":
            return []
        problems = hosts_problems(self.hosts.toPlainText().splitlines())
        if not self.model.currentText().strip():
            problems.append("Name a model (for example llama3.2).")
        return problems

    def _validate(self) -> bool:
        problems = self.problems()
        if problems:
            self.hosts_hint.setText(" ".join(problems))
            self.hosts_hint.setStyleSheet(f"color:{state_colour(LLMHealth.NO_SERVER)}")
        else:
            lines = self.host_lines()
            kinds = [host_kind(h) for h in lines]
            summary = ""
            if lines:
                ollama, openai = kinds.count("ollama"), kinds.count("openai")
                parts = [f"{ollama} Ollama"] * bool(ollama) + [f"{openai} OpenAI-compatible"] * bool(openai)
                summary = f"{len(lines)} server{'s' * (len(lines) > 1)}: {', '.join(parts)}. "
            self.hosts_hint.setText(summary + HOSTS_HINT)
            self.hosts_hint.setStyleSheet(f"color:{MUTED}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        return not problems

    def _enable(self) -> None:
        server = self.brain.currentData() == "ollama"
        for widget in (self.hosts, self.model, self.refresh, self.timeout):
            widget.setEnabled(server)
        self.temperature.setEnabled(self.brain.currentData() != "rule")
        self.budget.setEnabled(self.brain.currentData() != "rule")

    def _on_brain(self) -> None:
        self._enable()
        self._validate()
        self.check_server()

    def _on_hosts(self) -> None:
        if self._validate():
            self._debounce.start()

    def probe_config(self) -> api.LLMConfig:
        """What to ask: the server in the form (the rule brain has none, so ask the would-be server)."""
        values = self.values()
        brain = "fake" if values.brain == "fake" else "ollama"
        return values.with_brain(brain).config()

    def check_server(self) -> None:
        if self.brain.currentData() == "ollama" and not self._validate():
            return
        config = self.probe_config()
        where = ", ".join(config.hosts) or "the default server"
        self._show_message(f"Checking {where}…", MUTED)
        self.refresh.setEnabled(False)
        self._job = self.probe.check(config)

    def _on_probe(self, job: int, health: api.Health) -> None:
        if job != self._job:
            return  # an older check, or someone else's
        self._last_health = health
        self.refresh.setEnabled(self.brain.currentData() == "ollama")
        typed = self.model.currentText()
        if health.models:
            self.model.blockSignals(True)
            self.model.clear()
            self.model.addItems(list(health.models))
            self.model.setEditText(typed)
            self.model.blockSignals(False)
        colour = state_colour(health.state)
        text = health.message
        if self.brain.currentData() == "rule":
            colour = MUTED
            text = f"Not in use while the rule brain is chosen. The server says: {health.message}"
        self._show_message(text, colour, models=health.models)

    def _show_message(self, text: str, colour: str, models: tuple[str, ...] = ()) -> None:
        extra = f"<br><span style='color:{MUTED}'>Models: {', '.join(models)}</span>" if models else ""
        self.server_message.setText(f"<span style='color:{colour}'>{message_html(text)}</span>{extra}")

    @property
    def last_health(self) -> api.Health | None:
        return self._last_health
