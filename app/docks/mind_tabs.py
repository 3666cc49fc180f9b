"""The person side of the inspector: Overview, then the mind — Plan, Memories, Reflections, Thoughts.

Routes what arrives to the tab it belongs to: query answers by command id,
``PlanMade``/``ReflectionMade`` about the selected person as "you are out of
date". A slow timer lets the shown tab refresh itself while time moves on.
Every applied edit of memories (``EditMade``: added, changed, forgotten,
whispered; undone or redone too) makes the Memories tab ask again.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

from app.common.event_batch import EventBatch
from app.docks.memories_tab import MemoriesTab, SendEdit
from app.docks.mind_feed import MindFeed, QueryTab, Send
from app.docks.plan_tab import PlanTab
from app.docks.reflections_tab import ReflectionsTab
from app.docks.thoughts_tab import ThoughtsTab
from engine import api
from engine.contracts import (
    CommandRejected,
    EditApplied,
    EditMade,
    Event,
    MemoriesResult,
    PlanMade,
    ReflectionMade,
    WorldSnapshot,
)
from engine.contracts.edits import AddMemory, DeleteMemories, Edit, EditMemory, RestoreMemories, Whisper

REFRESH_MS = 2000
MEMORY_EDITS = (AddMemory, EditMemory, DeleteMemories, RestoreMemories, Whisper)


def made_edits(events: EventBatch) -> list[Edit]:
    """The edits the engine applied among ``events`` (from their log copies)."""
    return [api.edit_from_json(e.edit) for e in events.only(EditMade)]


class MindTabs(QTabWidget):
    def __init__(self, overview: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("personTabs")
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        self.feed = MindFeed()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(overview)
        self.overview = scroll
        self.addTab(scroll, "Overview")
        self.plan = PlanTab(self.feed)
        self.memories = MemoriesTab(self.feed)
        self.reflections = ReflectionsTab(self.feed)
        self.thoughts = ThoughtsTab(self.feed)
        self.tabs: tuple[QueryTab, ...] = (self.plan, self.memories, self.reflections, self.thoughts)
        tips = ("Today's plan: broad strokes, hour by hour, this hour's steps",
                "Everything they remember; search by words or by meaning",
                "Insights drawn from their memories, with what each rests on",
                "The raw prompts and answers behind their decisions")
        for tab, tip in zip(self.tabs, tips, strict=True):
            index = self.addTab(tab, tab.title)
            self.setTabToolTip(index, tip)
        self.agent = -1
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_shown)
        self._timer.start()

    def set_sender(self, send: Send) -> None:
        self.feed.send = send

    def set_editor(self, send: SendEdit) -> None:
        """God mode: how the tabs send edits (the undo history's ``send``)."""
        self.memories.set_editor(send)

    def reset(self) -> None:
        """A new world: nothing known, nobody selected."""
        self.feed.reset()
        self.set_agent(-1)

    def set_agent(self, agent: int) -> None:
        self.agent = agent
        for tab in self.tabs:
            tab.set_agent(agent)

    def moment_changed(self) -> None:
        """Time moved or an edit was undone: every tab is out of date; the one shown asks at once."""
        for tab in self.tabs:
            tab.pending = None
            tab.poke()

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        self.feed.snapshot = snapshot

    def add_answers(self, answers: list[Event]) -> None:
        for answer in answers:
            taken = any(tab.accept(answer) for tab in self.tabs)
            if not taken and isinstance(answer, MemoriesResult):
                self.feed.remember(answer)  # a late answer still helps resolve evidence

    def add_events(self, events: EventBatch, edits: list[Edit] | None = None) -> None:
        """``edits``: the applied edits among ``events`` if already decoded (see ``made_edits``)."""
        self.memories.saved(events.only(EditApplied, CommandRejected))  # the memory form's own answer
        if self.agent < 0:
            return
        if any(isinstance(edit, MEMORY_EDITS) for edit in (made_edits(events) if edits is None else edits)):
            # A deletion names no person: asking again is cheap, and only happens while the tab is shown.
            self.memories.memories_changed()
        if any(e.agent == self.agent for e in events.only(PlanMade)):
            self.plan.poke()
        if any(e.agent == self.agent for e in events.only(ReflectionMade)):
            self.reflections.poke()

    def _refresh_shown(self) -> None:
        current = self.currentWidget()
        if isinstance(current, QueryTab):
            current.tick_refresh()
