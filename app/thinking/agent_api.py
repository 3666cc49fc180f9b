"""Simulation > Agent API…: let outside programs live as people in the open world.

Starts the local agent API (``engine.agent_server``) in front of the running engine,
on loopback unless the user ticks "other machines may connect" (it then says that
anyone who can reach the port may claim people). Opening another world stops it:
the people it drove belonged to the old one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.common.bridge import EngineBridge

if TYPE_CHECKING:  # the server's web stack (FastAPI, uvicorn: ~7 MB) is loaded when the API is first asked for
    from engine.agent_server import AgentServer

ANYWHERE = "0.0.0.0"


class AgentApi(QObject):
    """The server's life: started and stopped from the dialog, stopped with its world."""

    def __init__(self, bridge: EngineBridge, world_loaded: SignalInstance, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.server: AgentServer | None = None
        world_loaded.connect(lambda _loaded: self.stop())

    @property
    def running(self) -> bool:
        return self.server is not None and self.server.running

    def start(self, port: int, remote: bool) -> str:
        """Start serving; returns the problem in one line ("" when it is up)."""
        self.stop()
        handle = self.bridge.handle
        if handle is None:
            return "Open a world first."
        from engine.agent_server import AgentServer, ServerError
        from engine.agent_server.server import LOOPBACK

        try:
            server = AgentServer(handle, host=ANYWHERE if remote else LOOPBACK, port=port, allow_remote=remote)
            server.start()
        except ServerError as error:
            return str(error)
        self.server = server
        return ""

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


class AgentApiDialog(QDialog):
    def __init__(self, api: AgentApi, parent: QWidget | None = None):
        super().__init__(parent)
        self.api = api
        self.setWindowTitle("Agent API")
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        from engine.agent_server.server import DEFAULT_PORT

        self.port.setValue(DEFAULT_PORT)
        self.port.setToolTip("0: any free port")
        self.remote = QCheckBox("Other machines may connect (anyone who reaches the port may claim people)")
        self.state = QLabel()
        self.state.setObjectName("agentApiState")
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle = QPushButton()
        self.toggle.setObjectName("agentApiToggle")
        self.toggle.clicked.connect(self._toggle)
        form = QFormLayout()
        form.addRow("Port", self.port)
        form.addRow("", self.remote)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Outside programs (see clients/python) claim a person with a token, receive what "
                                "they perceive at each decision and answer with actions; a late or wrong answer "
                                "is made by the rule brain."))
        layout.addLayout(form)
        layout.addWidget(self.toggle)
        layout.addWidget(self.state)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self, problem: str = "") -> None:
        server = self.api.server if self.api.running else None
        self.toggle.setText("Stop" if server else "Start")
        self.port.setEnabled(server is None)
        self.remote.setEnabled(server is None)
        if problem:
            self.state.setText(f"Not started: {problem}")
        elif server is not None:
            self.state.setText(f"Serving on {server.url} (schemas at {server.url}/openapi.json)")
        else:
            self.state.setText("Not serving.")

    def _toggle(self) -> None:
        if self.api.running:
            self.api.stop()
            self.refresh()
            return
        self.refresh(self.api.start(self.port.value(), self.remote.isChecked()))
