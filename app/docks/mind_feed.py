"""What the inspector's mind tabs share, and the base class that asks the engine for them.

A tab never waits: it sends a read command (``QueryMind``, ``QueryMemories``,
``QueryThoughts``) and shows the answer when it arrives, matched by command id
so an answer about the person selected a second ago is simply dropped. Tabs ask
only while visible; a hidden tab remembers it is out of date and asks when shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.common import formatting as fmt
from engine.contracts import Command, CommandRejected, Event, MemoriesResult, MemoryView, WorldSnapshot

Send = Callable[[Command], int | None]
INK, MUTED, PAPER, CREAM, ACCENT = "#241b2f", "#55536b", "#fbf8f0", "#efe6d2", "#7d5ba6"
KIND_COLOURS = {"observation": "#3f74b5", "conversation": "#b0552f", "plan": "#3d7a36", "reflection": ACCENT,
                "whisper": "#8f2f3a", "event": "#b7791f", "chat": "#3f9e94"}
MEMORY_CACHE_LIMIT = 5000  # per person: enough to resolve any reflection's evidence


def _nobody(_command: Command) -> int | None:
    return None


class MindFeed:
    """The newest snapshot, a way to send queries, and every memory seen so far (to resolve evidence)."""

    def __init__(self) -> None:
        self.snapshot: WorldSnapshot | None = None
        self.send: Send = _nobody
        self.memories: dict[int, dict[int, MemoryView]] = {}

    def reset(self) -> None:
        self.snapshot = None
        self.memories.clear()

    def remember(self, result: MemoriesResult) -> None:
        known = self.memories.setdefault(result.agent, {})
        for memory in result.memories:
            known[memory.id] = memory
        if len(known) > MEMORY_CACHE_LIMIT:
            for key in sorted(known)[: len(known) - MEMORY_CACHE_LIMIT]:
                del known[key]

    def when(self, tick: int, short: bool = False) -> str:
        return fmt.tick_time(self.snapshot, tick, short) if self.snapshot is not None else f"tick {tick}"

    def ago(self, tick: int) -> str:
        """'now', '12 min ago', '3 h ago', '2 d ago': short enough for a narrow column."""
        if self.snapshot is None:
            return f"tick {tick}"
        minutes = max(0, (self.snapshot.tick - tick) * self.snapshot.tick_seconds // 60)
        if minutes < 1:
            return "now"
        if minutes < 60:
            return f"{minutes} min ago"
        if minutes < 48 * 60:
            return f"{minutes // 60} h ago"
        return f"{minutes // 1440} d ago"

    def place(self, building: int) -> str:
        return fmt.place_name(self.snapshot.static if self.snapshot else None, building)

    def first_name(self, agent: int) -> str:
        return fmt.first_name(self.snapshot.static if self.snapshot else None, agent)


class QueryTab(QWidget):
    """One tab about one person: ``make_query`` says what to ask, ``show_answer`` shows it."""

    title = ""
    auto_refresh = False  # ask again every few seconds while shown and time moves on

    def __init__(self, feed: MindFeed, parent: QWidget | None = None):
        super().__init__(parent)
        self.feed = feed
        self.agent = -1
        self.pending: int | None = None
        self.dirty = True
        self.answered_tick = -1

    # -- what subclasses provide -----------------------------------------------------------

    def make_query(self) -> Command | None:
        raise NotImplementedError

    def show_answer(self, event: Event) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Forget the previous person's answer (a new person was selected)."""

    def show_refusal(self, reason: str) -> None:
        """The engine could not answer (rare: the world changed under the query)."""

    def wants_refresh(self) -> bool:
        """Asked every few seconds while shown: is it worth asking again now?"""
        return self.auto_refresh

    # -- plumbing ----------------------------------------------------------------------------

    def set_agent(self, agent: int) -> None:
        if agent == self.agent:
            return
        self.agent = agent
        self.pending = None
        self.answered_tick = -1
        self.clear()
        self.poke()

    def poke(self) -> None:
        """Something changed that this tab shows: ask now if shown, else when it is shown."""
        self.dirty = True
        if self.isVisible():
            self.request()

    def request(self) -> None:
        if self.agent < 0:
            return
        command = self.make_query()
        if command is None:
            return
        sent = self.feed.send(command)
        if sent is not None:
            self.pending = sent
            self.dirty = False

    def accept(self, event: Event) -> bool:
        """Take an answer if it is the one this tab is waiting for."""
        if self.pending is None or getattr(event, "command_id", None) != self.pending:
            return False
        self.pending = None
        self.answered_tick = event.tick
        if isinstance(event, CommandRejected):
            self.show_refusal(event.reason)
        else:
            self.show_answer(event)
        return True

    def tick_refresh(self) -> None:
        snap = self.feed.snapshot
        if (self.isVisible() and self.pending is None and snap is not None and snap.tick != self.answered_tick
                and self.wants_refresh()):
            self.request()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.dirty:
            self.request()


def set_html_keeping_scroll(browser: QTextBrowser, text: str) -> None:
    """Replace a browser's page without jumping back to the top (pages refresh every few seconds)."""
    if browser.property("shownHtml") == text:
        return
    bar = browser.verticalScrollBar()
    position = bar.value()
    browser.setHtml(text)
    browser.setProperty("shownHtml", text)
    bar.setValue(min(position, bar.maximum()))
