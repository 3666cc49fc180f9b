"""Reflections tab: the insights a person drew from their memories, each linked to what it rests on.

A reflection cites the memories it was drawn from (``evidence``, memory ids).
Every citation is a link; clicking one lists all the cited memories below and
scrolls to that one. Cited memories are looked up among those already fetched
and, if missing, by paging through the person's memories in the background.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from app.docks.mind_feed import (
    ACCENT,
    CREAM,
    INK,
    KIND_COLOURS,
    MUTED,
    PAPER,
    MindFeed,
    QueryTab,
    set_html_keeping_scroll,
)
from engine.contracts import Command, Event, MemoriesResult, MemoryView, QueryMemories

LIMIT = 500  # the most the engine returns at once
EXCERPT = 46
BROWSER_STYLE = "QTextBrowser{background:#fbf8f0;border:1px solid #d8cfb8;border-radius:4px}"


def excerpt(text: str, length: int = EXCERPT) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class ReflectionsTab(QueryTab):
    title = "Reflections"

    def __init__(self, feed: MindFeed, parent: QWidget | None = None):
        super().__init__(feed, parent)
        self.reflections: list[MemoryView] = []
        self.focus: tuple[int, int] = (-1, -1)  # (reflection id, cited memory id) shown below
        self._fetch: int | None = None  # the evidence look-up in flight
        self._fetch_offset = 0
        self._exhausted = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.count = QLabel("—")
        self.count.setObjectName("reflectionCount")
        self.count.setStyleSheet(f"color:{MUTED}")
        self.count.setWordWrap(True)  # a long line must not widen the dock
        layout.addWidget(self.count)
        self.cards = QTextBrowser()
        self.cards.setObjectName("reflectionCards")
        self.cards.setOpenLinks(False)
        self.cards.setStyleSheet(BROWSER_STYLE)
        self.cards.anchorClicked.connect(self._on_link)
        self.evidence = QTextBrowser()
        self.evidence.setObjectName("reflectionEvidence")
        self.evidence.setOpenLinks(False)
        self.evidence.setStyleSheet(BROWSER_STYLE)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.cards)
        split.addWidget(self.evidence)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)

    # -- asking ------------------------------------------------------------------------------

    def make_query(self) -> Command:
        return QueryMemories(agent=self.agent, kind="reflection", limit=LIMIT)

    def accept(self, event: Event) -> bool:
        if self._fetch is not None and getattr(event, "command_id", None) == self._fetch:
            self._fetch = None
            if isinstance(event, MemoriesResult):
                self.feed.remember(event)
                self._fetch_offset += LIMIT
                self._exhausted = self._fetch_offset >= event.total or not event.memories
                self._render()
                self._look_up_missing()
            return True
        return super().accept(event)

    def _missing(self) -> set[int]:
        known = self.feed.memories.get(self.agent, {})
        return {i for r in self.reflections for i in r.evidence if i not in known}

    def _look_up_missing(self) -> None:
        """Page through the person's memories until every cited one is found (or there are no more)."""
        if self._fetch is not None or self._exhausted or not self._missing():
            return
        self._fetch = self.feed.send(QueryMemories(agent=self.agent, limit=LIMIT, offset=self._fetch_offset))

    # -- showing -----------------------------------------------------------------------------

    def clear(self) -> None:
        self.reflections = []
        self.focus = (-1, -1)
        self._fetch = None
        self._fetch_offset = 0
        self._exhausted = False
        self.count.setText("Asking…")
        set_html_keeping_scroll(self.cards, "")
        set_html_keeping_scroll(self.evidence, "")

    def show_refusal(self, reason: str) -> None:
        self.count.setText(f"Could not look: {reason}")

    def show_answer(self, event: Event) -> None:
        assert isinstance(event, MemoriesResult)
        self.feed.remember(event)
        self.reflections = [m for m in event.memories if m.kind == "reflection"]
        self._fetch_offset, self._exhausted = 0, False
        n = len(self.reflections)
        name = self.feed.first_name(self.agent)
        self.count.setText(f"{n} reflection{'s' * (n != 1)} · click a citation to see what {name} drew it from"
                           if n else f"{name} has not reflected yet: it takes a day or so of memories that matter.")
        if self.focus[0] < 0 and self.reflections:
            self.focus = (self.reflections[0].id, -1)
        self._render()
        self._look_up_missing()

    def _on_link(self, url: QUrl) -> None:
        parts = url.toString().split("-")
        if len(parts) == 3 and parts[0] == "ev":
            self.show_evidence(int(parts[1]), int(parts[2]) if parts[2] else -1)

    def show_evidence(self, reflection_id: int, memory_id: int = -1) -> None:
        """List what ``reflection_id`` rests on below, and scroll to ``memory_id`` among them."""
        self.focus = (reflection_id, memory_id)
        self._render()
        self.cards.scrollToAnchor(f"r{reflection_id}")
        if memory_id >= 0:
            self.evidence.scrollToAnchor(f"m{memory_id}")

    def _render(self) -> None:
        set_html_keeping_scroll(self.cards, "".join(self._card(r) for r in self.reflections))
        chosen = next((r for r in self.reflections if r.id == self.focus[0]), None)
        set_html_keeping_scroll(self.evidence, self._evidence_html(chosen))
        if self.focus[1] >= 0:
            self.evidence.scrollToAnchor(f"m{self.focus[1]}")

    def _card(self, r: MemoryView) -> str:
        known = self.feed.memories.get(self.agent, {})
        links = []
        for i in r.evidence:
            label = f"“{html.escape(excerpt(known[i].text))}”" if i in known else f"memory #{i}"
            links.append(f"<a href='ev-{r.id}-{i}' style='color:{ACCENT}'>{label}</a>")
        n = len(r.evidence)
        drawn = f"drawn from {n} memor{'y' if n == 1 else 'ies'}:" if n else "cites no memory by name"
        because = "<br>" + "<br>".join(links) if links else ""
        background = CREAM if r.id == self.focus[0] else PAPER
        return (f"<a name='r{r.id}'></a>"
                f"<table width='100%' cellpadding='6' cellspacing='0' bgcolor='{background}'><tr><td>"
                f"<a href='ev-{r.id}-' style='color:{INK};text-decoration:none'><b>✦ {html.escape(r.text)}</b></a><br>"
                f"<span style='color:{MUTED}'>{self.feed.when(r.tick)} · importance {r.importance:g} · {drawn}</span>"
                f"{because}</td></tr></table><p style='margin:0;font-size:4px'>&nbsp;</p>")

    def _evidence_html(self, r: MemoryView | None) -> str:
        if r is None:
            return f"<p style='color:{MUTED}'>Click a reflection or one of its citations to see its memories.</p>"
        known = self.feed.memories.get(self.agent, {})
        rests = "rests on:" if r.evidence else "cites no memory by name."
        rows = [f"<p><b>✦ {html.escape(r.text)}</b><br><span style='color:{MUTED}'>{rests}</span></p>"]
        for i in r.evidence:
            background = CREAM if i == self.focus[1] else PAPER
            m = known.get(i)
            if m is None:
                body = (f"<span style='color:{MUTED}'>memory #{i} — "
                        f"{'no longer found' if self._exhausted else 'looking it up…'}</span>")
            else:
                colour = KIND_COLOURS.get(m.kind, MUTED)
                body = (f"<span style='color:{colour};font-weight:bold'>{m.kind}</span>"
                        f"<span style='color:{MUTED}'> · {self.feed.when(m.tick)} · importance {m.importance:g}</span>"
                        f"<br>{html.escape(m.text)}")
            rows.append(f"<a name='m{i}'></a><table width='100%' cellpadding='5' cellspacing='0' "
                        f"bgcolor='{background}'><tr><td>{body}</td></tr></table>")
        return "".join(rows)
