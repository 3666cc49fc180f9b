"""Choosing how people think, and being told how it goes: the Thinking dialog, the status bar, Help › LLM Status.

A "model server" here is an unused localhost port: nothing answers, the engine falls
back to the rule brain and keeps running, and every message must say so in words.
"""

from __future__ import annotations

import socket

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPlainTextEdit

from app.files.settings import Settings
from app.thinking.llm_settings import LLMSettings
from engine.contracts import LLMStatusChanged

from .conftest import run_ticks, wait_until


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def no_dialogs(monkeypatch):  # type: ignore[no-untyped-def]
    """Fail on any modal message box: problems must be said inline."""
    shown: list[str] = []
    for name in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, _n=name, **k: shown.append(_n))
    yield shown
    assert not shown, f"a modal box was shown: {shown}"


def test_thinking_dialog_validates_persists_and_reconfigures(controller, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    bridge = controller.bridge
    assert bridge.latest.llm.brain == "rule"
    assert controller.window.llm_label.text() == "LLM: off — rule brain"
    controller.window.window_actions.thinking.trigger()
    dialog = controller.thinking.dialog
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    dialog.brain.setCurrentIndex(dialog.brain.findData("ollama"))
    dialog.hosts.setPlainText("http://127.0.0.1:11434\nhtp://nowhere")
    assert not ok.isEnabled() and "Line 2" in dialog.hosts_hint.text() and "htp://" in dialog.hosts_hint.text()
    dialog.hosts.setPlainText("http://127.0.0.1:11434\nhttp://gpu-box:8000/v1")
    assert ok.isEnabled() and "1 Ollama, 1 OpenAI-compatible" in dialog.hosts_hint.text()

    dialog.brain.setCurrentIndex(dialog.brain.findData("fake"))
    wait_until(lambda: "fake" in [dialog.model.itemText(i) for i in range(dialog.model.count())], 10,
               "the fake model listed by the probe")
    dialog.model.setEditText("tiny-model")
    dialog.temperature.setValue(0.3)
    dialog.budget.setValue(123)
    dialog.timeout.setValue(9)
    ok.click()

    saved = LLMSettings.load(Settings())
    assert saved == LLMSettings(brain="fake", hosts=("http://127.0.0.1:11434", "http://gpu-box:8000/v1"),
                                model="tiny-model", temperature=0.3, budget_per_hour=123, timeout_s=9.0)
    wait_until(lambda: bridge.latest.llm.brain == "fake", 10, "the engine to switch to the fake brain")
    wait_until(lambda: controller.window.llm_label.text().startswith("LLM: ready — fake model"), 5,
               "the status bar to say so")
    assert controller.thinking.handle_options().llm.brain == "fake"  # and the next world opens thinking so


def test_status_bar_says_ollama_is_not_running(open_controller, worlds, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    host = _closed_port()
    controller = open_controller(worlds["village"], llm=LLMSettings(brain="ollama", hosts=(host,), timeout_s=5))
    label = controller.window.llm_label
    start = controller.bridge.latest.tick
    run_ticks(controller, 30)
    wait_until(lambda: label.text().startswith("LLM: Ollama isn't running"), 20, "the no-server message")
    tip = label.toolTip()
    assert host in tip and "ollama serve" in tip and "Fell back to rules" in tip and "Calls" in tip
    reached = run_ticks(controller, 30)  # the town keeps living on the rule brain
    assert reached >= start + 60 and controller.bridge.latest.llm.fallbacks > 0
    assert any(isinstance(e, LLMStatusChanged) and e.state == "no_server" for e in controller.events.events)

    controller.window.window_actions.llm_status.trigger()
    status = controller.thinking.status_dialog
    assert status is not None and status.isVisible()
    assert "No server" in status.headline.text() and "ollama serve" in status.message.text()
    commands = status.findChild(QPlainTextEdit, "llmCommands")
    assert "ollama serve" in commands.toPlainText() and "ollama pull llama3.2" in commands.toPlainText()
    assert int(status.stat_labels["Fell back to rules"].text().replace(",", "")) > 0
    status.check_now.click()
    wait_until(lambda: "isn't running" in status.check_result.text(), 10, "Check now to answer")
    assert status.check_now.isEnabled()
    status.close()


def test_refresh_lists_the_servers_problem_inline(controller, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    dialog = controller.thinking.open_settings()
    dialog.brain.setCurrentIndex(dialog.brain.findData("ollama"))
    host = _closed_port()
    dialog.hosts.setPlainText(host)
    dialog.refresh.click()
    wait_until(lambda: "isn't running" in dialog.server_message.text(), 10, "the probe's answer")
    assert host in dialog.server_message.text() and "ollama serve" in dialog.server_message.text()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()  # a dead server is not a typo
    dialog.reject()
