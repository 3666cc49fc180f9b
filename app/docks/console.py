"""The god console: type what should happen, read what it was understood as, then run it.

Enter sends ``ParseConsole``; the engine answers ``ConsoleParsed`` with the
edits (as JSON) and an explanation, or an error. Nothing changes until the user
confirms (Run, or Enter on the empty line); then every edit goes through the
edit history, so each one can be undone with Ctrl+Z.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QKeyEvent, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.common.bridge import EngineBridge, Moment
from app.common.event_batch import EventBatch
from engine import api
from engine.contracts import CommandRejected, ConsoleParsed, EditApplied, Event, ParseConsole
from engine.contracts.commands import Command
from engine.contracts.edits import Edit

# The syntax engine/edits/console.py documents (the app may not import that module, only engine.api).
SYNTAX = (
    "spawn <occupation> named <Full Name> [near <place>]",
    "remove <person>",
    "teleport <person> to <place>",
    "whisper to <person>: <text>",
    "tell everyone [in <district>]: <text>",
    "event <text> at <place> [radius <tiles>]",
    "build <type> at <x>,<y> [size <w>x<h>] [named <name>]",
    "demolish <place>",
    "pay <person> <amount>",
)
HELP = ("<p><b>God console</b>: type one of these (several at once with <code>;</code>). Names can be a "
        "unique part of a name, in any case.</p><pre>" + html.escape("\n".join(SYNTAX)) + "</pre>"
        "<p>Anything else is passed to the language model when thinking is on. You always see what the "
        "words were understood as before anything happens; every change can be undone (Ctrl+Z).</p>")
MOMENT_WORDS = {"seek": "Moved in time", "switch": "Switched branch", "fork": "A new branch began"}


class RecallLine(QLineEdit):
    """A line edit that remembers what was entered: Up and Down walk through it, like a shell."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.entered: list[str] = []
        self._at = 0  # index into entered; len(entered) is the line being typed
        self._typing = ""

    def remember(self, text: str) -> None:
        if text and (not self.entered or self.entered[-1] != text):
            self.entered.append(text)
        self._at = len(self.entered)
        self._typing = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.entered:
            if self._at == len(self.entered):
                self._typing = self.text()
            step = -1 if key == Qt.Key.Key_Up else 1
            self._at = max(0, min(len(self.entered), self._at + step))
            self.setText(self.entered[self._at] if self._at < len(self.entered) else self._typing)
            return
        super().keyPressEvent(event)


class ConsoleDock(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._query: Callable[[Command], int | None] | None = None
        self._send_edit: Callable[[Edit], int | None] | None = None
        self._asked: int | None = None  # the ParseConsole being answered
        self._proposal: tuple[str, ...] = ()  # edits (JSON) waiting for Run or Cancel
        self._running: dict[int, str] = {}  # edit command id -> what it was, for the outcome line
        self.log = QTextBrowser()
        self.log.setObjectName("consoleLog")
        self.line = RecallLine()
        self.line.setObjectName("consoleInput")
        self.line.setPlaceholderText("e.g. spawn a baker named Ana Reyes — Enter to read it, ? for help")
        self.line.returnPressed.connect(self._on_enter)
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setToolTip("What the console understands")
        self.help_button.clicked.connect(self.show_help)
        self.question = QLabel("")
        self.question.setObjectName("consoleQuestion")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("consoleRun")
        self.run_button.setToolTip("Do it (Enter on the empty line)")
        self.run_button.clicked.connect(self.confirm)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Do nothing (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        confirm_row = QHBoxLayout()
        confirm_row.addWidget(self.question, 1)
        confirm_row.addWidget(self.run_button)
        confirm_row.addWidget(self.cancel_button)
        input_row = QHBoxLayout()
        input_row.addWidget(self.line, 1)
        input_row.addWidget(self.help_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.log, 1)
        layout.addLayout(confirm_row)
        layout.addLayout(input_row)
        self._show_confirm(False)

    def subscribe(self, bridge: EngineBridge, world_loaded: SignalInstance) -> None:
        """Hear the engine's answers; a loaded world starts a fresh transcript."""
        bridge.events_arrived.connect(self.add_events)
        bridge.answers_arrived.connect(self.add_answers)
        bridge.moment_changed.connect(self.show_moment)
        world_loaded.connect(lambda _loaded: self.reset_world())

    def show_moment(self, moment: Moment) -> None:
        """Time moved: what was read for the old moment may not fit the new one (a person not born yet),
        so it is dropped, and the transcript says from when on it speaks."""
        if moment.reason not in MOMENT_WORDS:  # an opened world starts its own transcript; an undo is in it
            return
        if self._proposal or self._asked is not None:
            self._write('<span style="color:gray">Not run: time moved. Type it again for this moment.</span>')
        self._asked, self._proposal = None, ()
        self._show_confirm(False)
        if not self.log.document().isEmpty():
            when = " ".join(moment.when.split()) or f"tick {moment.tick:,}"
            self._write(f'<span style="color:#7d5ba6">— {html.escape(MOMENT_WORDS[moment.reason])}: now '
                        f"{html.escape(when)} —</span>")

    def set_senders(self, query: Callable[[Command], int | None], send_edit: Callable[[Edit], int | None]) -> None:
        """``query`` asks the engine quietly (parsing changes nothing); ``send_edit`` goes through the history."""
        self._query, self._send_edit = query, send_edit

    def reset_world(self) -> None:
        self._asked, self._proposal = None, ()
        self._running.clear()
        self._show_confirm(False)

    @property
    def proposal(self) -> tuple[str, ...]:
        return self._proposal

    # ------------------------------------------------------------------ input

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._proposal:
            self.cancel()
            return
        super().keyPressEvent(event)

    def _on_enter(self) -> None:
        text = self.line.text().strip()
        if not text:
            if self._proposal:
                self.confirm()
            return
        if text == "?":
            self.line.clear()
            self.show_help()
            return
        self.parse(text)

    def parse(self, text: str) -> None:
        if self._query is None:
            return
        command = ParseConsole(text=text)
        if self._query(command) is None:
            self._write('<span style="color:#c0392b">No world is open.</span>')
            return
        self.line.remember(text)
        self.line.clear()
        self._asked = command.id
        self._proposal = ()
        self._show_confirm(False)
        self._write(f"<b>&gt; {html.escape(text)}</b>")
        self.question.setText("Reading…")
        self.question.setVisible(True)

    def confirm(self) -> None:
        proposal, self._proposal = self._proposal, ()
        self._show_confirm(False)
        if not proposal or self._send_edit is None:
            return
        for text in proposal:
            edit = api.edit_from_json(text)
            command_id = self._send_edit(edit)
            if command_id is not None:
                self._running[command_id] = _describe(text)
        self.line.setFocus()

    def cancel(self) -> None:
        if self._proposal:
            self._write('<span style="color:gray">Cancelled: nothing changed.</span>')
        self._proposal = ()
        self._show_confirm(False)
        self.line.setFocus()

    def show_help(self) -> None:
        self._write(HELP)

    # ------------------------------------------------------------------ answers

    def add_events(self, events: EventBatch) -> None:
        for event in events.only(ConsoleParsed, EditApplied, CommandRejected):
            if isinstance(event, ConsoleParsed) and event.command_id == self._asked:
                self._asked = None
                self._on_parsed(event)
            elif isinstance(event, EditApplied) and event.command_id in self._running:
                self._running.pop(event.command_id)
                self._write(f'<span style="color:#27ae60">Done: {html.escape(event.summary)}</span>')
            elif isinstance(event, CommandRejected) and event.command_id in self._running:
                what = self._running.pop(event.command_id)
                self._write(f'<span style="color:#c0392b">Not done ({html.escape(what)}): '
                            f"{html.escape(event.reason)}</span>")

    def add_answers(self, answers: list[Event]) -> None:
        """A ParseConsole the engine refused outright (it arrives with the quiet answers)."""
        for answer in answers:
            if isinstance(answer, CommandRejected) and answer.command_id == self._asked:
                self._asked = None
                self._show_confirm(False)
                self._write(f'<span style="color:#c0392b">{html.escape(answer.reason)}</span>')

    def _on_parsed(self, parsed: ConsoleParsed) -> None:
        if parsed.error or not parsed.edits:
            self._show_confirm(False)
            reason = parsed.error or "nothing to do"
            self._write(f'<span style="color:#c0392b">Not understood: {html.escape(reason)}</span>'
                        '<br><span style="color:gray">Type ? for what the console understands.</span>')
            return
        # The engine says in words what each edit will do; its own lines are the fallback (an older answer).
        said = [line for line in parsed.explanation.splitlines() if line.strip()]
        if len(said) != len(parsed.edits):
            if said:
                self._write(html.escape("\n".join(said)).replace("\n", "<br>"))
            said = [_describe(text) for text in parsed.edits]
        self._write("This will do:<br>" + "<br>".join(f"&nbsp;• {html.escape(line)}" for line in said))
        self._proposal = parsed.edits
        count = len(parsed.edits)
        self.question.setText(f"Run {'this change' if count == 1 else f'these {count} changes'}? "
                              "(Enter runs, Esc cancels)")
        self._show_confirm(True)
        self.run_button.setDefault(True)
        self.line.setFocus()

    # ------------------------------------------------------------------ showing

    def _show_confirm(self, on: bool) -> None:
        self.question.setVisible(on)
        self.run_button.setVisible(on)
        self.cancel_button.setVisible(on)

    def _write(self, fragment: str) -> None:
        """Each entry in a block of its own with plain formatting: ``append`` would carry a list or a colour
        over from the entry before (a command drawn inside the last answer)."""
        cursor = self.log.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if not self.log.document().isEmpty():
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        cursor.insertHtml(fragment)
        bar = self.log.verticalScrollBar()
        bar.setValue(bar.maximum())


def _describe(text: str) -> str:
    """An edit's JSON as one readable line: its kind, then only the fields that differ from the defaults."""
    try:
        edit = api.edit_from_json(text)
    except (ValueError, TypeError, KeyError):
        return text
    plain = type(edit)()
    fields = ", ".join(f"{name}={getattr(edit, name)!r}" for name in edit.__dataclass_fields__
                       if name != "id" and getattr(edit, name) != getattr(plain, name))
    return f"{type(edit).__name__}: {fields}" if fields else type(edit).__name__
