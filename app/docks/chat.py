"""The chat dock: talk to the selected person.

Each line the user types goes out as a ``Chat`` edit (logged and replayed like
any other edit, because the talk changes what the person remembers) carrying
the earlier turns of the conversation. The answer comes back as a ``ChatReply``
with the edit's command id: at once on the rule brain, a moment later on a
language model. Every person keeps their own transcript for the session, so
selecting someone else starts (or resumes) a conversation with them.

While the player plays someone (``speak_as``), lines are said *as that person* to
whoever is selected: they go out through the possession's ``say`` and the answer is
the ``ConversationHeld`` the engine records (the listener answers as they would
anyone); a line the world refuses (not at the same place) shows why.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QLabel, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from app.common.bridge import EngineBridge, Moment
from app.common.event_batch import EventBatch
from app.common.selection import PERSON, Selection
from engine.contracts import ChatReply, CommandRejected, ConversationHeld, WorldSnapshot
from engine.contracts.edits import Chat, Edit
from engine.contracts.events import OutsideDecided

YOU = "Visitor"  # the engine's prompt calls the user this, so earlier turns read the same way


@dataclass
class Conversation:
    """One person's talk with the user: finished turns, and the line still waiting for an answer."""

    turns: list[tuple[str, str]] = field(default_factory=list)  # (speaker, words)
    sources: list[str] = field(default_factory=list)  # per turn: "" for the user, else how the answer was made
    ticks: list[int] = field(default_factory=list)  # per turn: when it was said
    waiting: int | None = None  # command id of the line being answered
    waiting_text: str = ""
    problem: str = ""


class ChatDock(QWidget):
    def __init__(self, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self._send: Callable[[Edit], int | None] | None = None
        self._snapshot: WorldSnapshot | None = None
        self._person = -1
        self._talks: dict[int, Conversation] = {}
        self._by_command: dict[int, int] = {}  # command id -> person, for answers in flight
        self._speaker = -1  # the person the player plays (-1: the user talks as a visitor)
        self._say: Callable[[int, str], bool] | None = None
        self._as_talks: dict[tuple[int, int], Conversation] = {}  # (speaker, listener) -> their talk
        self.heading = QLabel("Select someone to talk to them.")
        self.heading.setObjectName("chatHeading")
        self.heading.setWordWrap(True)
        self.transcript = QTextBrowser()
        self.transcript.setObjectName("chatTranscript")
        self.status = QLabel("")
        self.status.setObjectName("chatStatus")
        self.status.setStyleSheet("color: palette(mid); font-style: italic")
        self.input = QLineEdit()
        self.input.setObjectName("chatInput")
        self.input.setPlaceholderText("Say something and press Enter")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self.send_line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for widget in (self.heading, self.transcript, self.status, self.input):
            layout.addWidget(widget)
        selection.changed.connect(self._on_selection)
        self._show()

    # ------------------------------------------------------------------ feeding

    def subscribe(self, bridge: EngineBridge, world_loaded: SignalInstance) -> None:
        """Hear the engine; a loaded world starts a fresh conversation."""
        bridge.snapshot_changed.connect(self.set_snapshot)
        bridge.events_arrived.connect(self.add_events)
        bridge.moment_changed.connect(self.show_moment)
        world_loaded.connect(lambda _loaded: self.reset_world())

    def show_moment(self, moment: Moment) -> None:
        """Time moved: talk after the moment shown has not happened (and is not sent back as history);
        a line still waiting is dropped, its answer would belong to the other time."""
        if moment.reason not in ("seek", "switch"):
            return
        for talk in self._talks.values():
            kept = [i for i, tick in enumerate(talk.ticks) if tick <= moment.tick]
            talk.turns = [talk.turns[i] for i in kept]
            talk.sources = [talk.sources[i] for i in kept]
            talk.ticks = [talk.ticks[i] for i in kept]
            talk.waiting, talk.waiting_text, talk.problem = None, "", ""
        self._by_command.clear()
        self._show()

    def set_sender(self, send: Callable[[Edit], int | None]) -> None:
        """Where Chat edits go (the edit history, so they are logged like every edit)."""
        self._send = send

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        first = self._snapshot is None or snapshot.static is not self._snapshot.static
        self._snapshot = snapshot
        if first:
            self._show()

    def speak_as(self, person: int, say: Callable[[int, str], bool] | None = None) -> None:
        """Talk as ``person`` (the player plays them; -1: as a visitor again); ``say(listener, text)``
        sends a line and says whether it went out."""
        self._speaker, self._say = (person, say) if say is not None else (-1, None)
        self._show()

    @property
    def speaker(self) -> int:
        return self._speaker

    def reset_world(self) -> None:
        """A new world: nobody there has talked to the user yet."""
        self._talks.clear()
        self._as_talks.clear()
        self._speaker, self._say = -1, None
        self._by_command.clear()
        self._person = -1
        self._show()

    def add_events(self, events: EventBatch) -> None:
        # At max speed a batch is thousands of events: only walk it for an answer someone waits for.
        changed = any(talk.waiting is not None for talk in self._as_talks.values()) and self._hear_as(events)
        for event in events.only(ChatReply, CommandRejected) if self._by_command else ():
            if isinstance(event, ChatReply | CommandRejected) and event.command_id in self._by_command:
                person = self._by_command.pop(event.command_id)
                talk = self._talks.setdefault(person, Conversation())
                if talk.waiting != event.command_id:
                    continue
                if isinstance(event, ChatReply):
                    talk.turns += [(YOU, event.text), (self._first_name(person), event.reply)]
                    talk.sources += ["", event.thinking]
                    talk.ticks += [event.tick, event.tick]
                else:
                    talk.problem = event.reason
                talk.waiting, talk.waiting_text = None, ""
                changed = changed or person == self._person
        if changed:
            self._show()

    # ------------------------------------------------------------------ talking

    @property
    def person(self) -> int:
        return self._person

    def conversation(self, person: int) -> Conversation:
        return self._talks.setdefault(person, Conversation())

    def _hear_as(self, events: EventBatch) -> bool:
        """Lines said as the played person: their answers, or why they were not said."""
        changed = False
        for event in events.only(ConversationHeld, OutsideDecided):
            if isinstance(event, ConversationHeld) and (event.a, event.b) in self._as_talks:
                talk = self._as_talks[(event.a, event.b)]
                if talk.waiting is None or not event.lines or event.lines[0][1] != talk.waiting_text:
                    continue
                names = (self._first_name(event.a), self._first_name(event.b))
                for side, words in event.lines:
                    talk.turns.append((f"You ({names[0]})" if side == 0 else names[1], words))
                    talk.sources.append("")
                    talk.ticks.append(event.tick)
                talk.waiting, talk.waiting_text, talk.problem = None, "", ""
                changed = True
            elif isinstance(event, OutsideDecided) and event.status != "ok":
                for (speaker, _), talk in self._as_talks.items():
                    if speaker == event.agent and talk.waiting is not None:
                        talk.waiting, talk.waiting_text, talk.problem = None, "", event.reason
                        changed = True
        return changed

    def _send_as(self, text: str) -> None:
        listener, speaker = self._person, self._speaker
        if listener == speaker:
            self.status.setText(f"You are {self._first_name(speaker)}: select someone else to talk to them.")
            return
        talk = self._as_talks.setdefault((speaker, listener), Conversation())
        if talk.waiting is not None:
            self.status.setText(f"{self._first_name(listener)} has not answered yet…")
            return
        if self._say is None or not self._say(listener, text):
            self.status.setText("No world is open.")
            return
        self.input.clear()
        talk.waiting, talk.waiting_text, talk.problem = 0, text, ""
        self._show()

    def send_line(self) -> None:
        text = self.input.text().strip()
        if text and self._person >= 0 and self._speaker >= 0:
            self._send_as(text)
            return
        if not text or self._person < 0 or self._send is None:
            return
        talk = self.conversation(self._person)
        if talk.waiting is not None:
            self.status.setText(f"{self._first_name(self._person)} is still answering your last question…")
            return
        command_id = self._send(Chat(agent=self._person, text=text, history=tuple(talk.turns)))
        if command_id is None:
            self.status.setText("No world is open.")
            return
        self.input.clear()
        talk.waiting, talk.waiting_text, talk.problem = command_id, text, ""
        self._by_command[command_id] = self._person
        self._show()

    def _on_selection(self, kind: str, index: int) -> None:
        person = index if kind == PERSON else -1
        if person != self._person:
            self._person = person
            self._show()

    # ------------------------------------------------------------------ showing

    def _first_name(self, person: int) -> str:
        info = self._info(person)
        return info.name.split()[0] if info is not None and info.name else f"Person {person}"

    def _info(self, person: int):
        if self._snapshot is None or not 0 <= person < len(self._snapshot.static.people):
            return None
        return self._snapshot.static.people[person]

    def _show(self) -> None:
        info = self._info(self._person)
        usable = info is not None and not info.removed and self._send is not None
        self.input.setEnabled(usable)
        if info is None:
            self.heading.setText("Select someone to talk to them.")
            self.transcript.clear()
            self.status.setText("")
            return
        if info.removed:
            self.heading.setText(f"{info.name} is no longer in town.")
        elif self._speaker >= 0:
            me = html.escape(self._first_name(self._speaker))
            self.heading.setText(f"You are <b>{me}</b>: talking with <b>{html.escape(info.name)}</b>, "
                                 f"{html.escape(info.occupation)}" if self._person != self._speaker else
                                 f"You are <b>{me}</b>: select someone at the same place to talk to them")
        else:
            self.heading.setText(f"Talking with <b>{html.escape(info.name)}</b>, {html.escape(info.occupation)}")
        talk = self._as_talks.get((self._speaker, self._person), Conversation()) if self._speaker >= 0 \
            else self.conversation(self._person)
        lines = []
        for (speaker, words), source in zip(talk.turns, talk.sources, strict=True):
            who = "You" if speaker == YOU else speaker
            how = f' <span style="color:gray">({html.escape(_source_words(source))})</span>' if source else ""
            lines.append(f"<p><b>{html.escape(who)}:</b> {html.escape(words)}{how}</p>")
        if talk.waiting is not None:
            you = f"You ({self._first_name(self._speaker)})" if self._speaker >= 0 else "You"
            lines.append(f"<p><b>{html.escape(you)}:</b> {html.escape(talk.waiting_text)}</p>")
        self.transcript.setHtml("".join(lines) or '<p style="color:gray">Nothing said yet.</p>')
        self.transcript.verticalScrollBar().setValue(self.transcript.verticalScrollBar().maximum())
        self.status.setText(self._status_text(talk, info.name.split()[0]))

    def _status_text(self, talk: Conversation, name: str) -> str:
        if talk.problem:
            return f"Not said: {talk.problem}"
        if talk.waiting is None:
            return ""
        if self._speaker >= 0:
            return f"{name} is answering…"
        snapshot = self._snapshot
        if snapshot is not None and not snapshot.running and snapshot.llm.brain != "rule":
            # Model answers are taken in at the next tick, so a paused town keeps them waiting.
            return f"{name} is thinking… (time is paused: the answer comes once it runs)"
        return f"{name} is thinking…"


def _source_words(source: str) -> str:
    return "language model" if source == "llm" else source
