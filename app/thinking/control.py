"""Everything about how the townsfolk think, on the GUI side: settings, status bar, dialogs.

Holds two settings: ``chosen`` (saved; the next world opens with it) and
``active`` (what the running engine was started or last reconfigured with —
the status bar names its model, which the engine's status does not carry).
Choosing new settings saves them and sends ``ConfigureLLM`` to the running
engine; its answer shows up in the status bar, never in a modal box.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

from app.common.bridge import EngineBridge
from app.files.loader import HandleOptions
from app.files.settings import Settings
from app.thinking.llm_dialog import ThinkingDialog
from app.thinking.llm_settings import LLMSettings, load_embedder
from app.thinking.llm_status import state_colour, status_text, status_tooltip
from app.thinking.llm_status_dialog import LLMStatusDialog
from app.thinking.probe import LLMProbe
from app.window.main_window import MainWindow
from engine.contracts import CommandApplied, CommandRejected, LLMHealth, LLMStatusView, WorldSnapshot


class Thinking(QObject):
    def __init__(self, window: MainWindow, settings: Settings, bridge: EngineBridge, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.settings = settings
        self.bridge = bridge
        self.chosen = LLMSettings.load(settings)
        self.active = self.chosen
        self.probe = LLMProbe(self)
        self.dialog: ThinkingDialog | None = None
        self.status_dialog: LLMStatusDialog | None = None
        self._configure_ids: dict[int, LLMSettings] = {}
        self._shown: tuple[str, str, str] = ("", "", "")
        bridge.command_answered.connect(self._on_answer)
        window.llm_label.installEventFilter(self)  # click the status to see where it comes from
        window.llm_label.setCursor(Qt.CursorShape.PointingHandCursor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window.llm_label and event.type() == QEvent.Type.MouseButtonRelease:
            self.open_status()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ worlds

    def handle_options(self) -> HandleOptions:
        """How the next world's engine starts (the loader passes these to ``EngineHandle``)."""
        return HandleOptions(llm=self.chosen.config(), embedder=load_embedder(self.settings))

    def world_opened(self, options: HandleOptions) -> None:
        self._configure_ids.clear()
        self.active = LLMSettings.from_config(options.llm)
        if self.active != self.chosen:
            self.apply(self.chosen)  # chosen while the world was loading

    # ------------------------------------------------------------------ choosing

    def open_settings(self) -> ThinkingDialog:
        """Simulation › Thinking…: non-blocking, so the town keeps living while you choose."""
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = ThinkingDialog(self.chosen, self.probe, self.window)
        dialog.accepted.connect(lambda: self.choose(dialog.values()))
        dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: ThinkingDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def choose(self, chosen: LLMSettings) -> None:
        """Save ``chosen`` for next time and switch the running world over to it."""
        self.chosen = chosen
        chosen.save(self.settings)
        self.apply(chosen)

    def apply(self, chosen: LLMSettings) -> None:
        if not self.bridge.attached:
            self.window.statusBar().showMessage("Thinking settings saved: the next world you open uses them.", 5000)
            return
        command = chosen.command()
        self._configure_ids[self.bridge.send(command)] = chosen
        self.window.statusBar().showMessage(f"Switching thinking to {chosen.brain}…", 5000)

    def _on_answer(self, event: CommandApplied | CommandRejected) -> None:
        chosen = self._configure_ids.pop(event.command_id, None)
        if chosen is None:
            return
        if isinstance(event, CommandApplied):
            self.active = chosen
            self.window.statusBar().showMessage(f"Now {event.summary}.", 5000)
            latest = self.bridge.latest  # paused, no new snapshot may come: name the new model now
            self.show_status(latest.llm if latest is not None else None)
        else:
            self.window.statusBar().showMessage(f"Could not switch thinking: {event.reason}", 10000)

    # ------------------------------------------------------------------ status

    def open_status(self) -> LLMStatusDialog:
        """Help › LLM Status…: modeless, follows the snapshots while open."""
        if self.status_dialog is None:
            dialog = LLMStatusDialog(self.probe, lambda: self.active.config(), lambda: self.active.model_label,
                                     self.window)
            dialog.settings_button.clicked.connect(self.open_settings)
            self.status_dialog = dialog
        latest = self.bridge.latest
        self.status_dialog.set_status(latest.llm if latest is not None else None)
        self.status_dialog.show()
        self.status_dialog.raise_()
        return self.status_dialog

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        self.show_status(snapshot.llm)
        if self.status_dialog is not None and self.status_dialog.isVisible():
            self.status_dialog.set_status(snapshot.llm)

    def show_status(self, view: LLMStatusView | None) -> None:
        label = self.window.llm_label
        text = status_text(view, self.active.model_label)
        tooltip = status_tooltip(view, self.active.model_label)
        state = view.state if view is not None else LLMHealth.OFF
        if (text, tooltip, state) == self._shown:
            return  # 30 snapshots a second: touch the label only when the words change
        self._shown = (text, tooltip, state)
        label.setText(text)
        label.setToolTip(tooltip)
        label.setStyleSheet(f"color:{state_colour(state)}")
