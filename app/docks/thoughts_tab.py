"""Thoughts tab: the raw prompts a person's mind sent to the model and what came back.

The instrument under the story: every plan, reaction and reflection was a
prompt and an answer, with its tokens, latency, backend and any error. Newest
first; select one to read the whole exchange in monospace (JSON answers
pretty-printed). Failed thoughts are red: the rule brain decided instead.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from app.docks.mind_feed import MUTED, MindFeed, QueryTab
from engine.contracts import Command, Event, QueryThoughts, ThoughtsResult, ThoughtView

LIMIT = 50
FAILED = "#b4432f"
THOUGHT_ROLE = Qt.ItemDataRole.UserRole + 1


def latency(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def pretty(text: str) -> str:
    """JSON answers indented; anything else as it came."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return text


def thought_key(t: ThoughtView) -> tuple[int, str, str]:
    """Thoughts have no id: tick, kind and the start of the prompt tell them apart well enough."""
    return (t.tick, t.kind, t.prompt[:200])


class ThoughtsTab(QueryTab):
    title = "Thoughts"
    auto_refresh = True

    def __init__(self, feed: MindFeed, parent: QWidget | None = None):
        super().__init__(feed, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.count = QLabel("—")
        self.count.setObjectName("thoughtCount")
        self.count.setStyleSheet(f"color:{MUTED}")
        self.count.setWordWrap(True)  # a long line must not widen the dock
        layout.addWidget(self.count)
        self.list = QListWidget()
        self.list.setObjectName("thoughtList")
        self.list.setAlternatingRowColors(True)
        self.list.setStyleSheet("QListWidget{background:#fbf8f0;alternate-background-color:#f4eddd}"
                                "QListWidget::item{padding:3px}"
                                "QListWidget::item:selected{background:#cdb9e6;color:#241b2f}")
        self.text = QPlainTextEdit()
        self.text.setObjectName("thoughtText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.text.setStyleSheet("QPlainTextEdit{background:#241b2f;color:#efe6d2;border-radius:4px}")
        self.text.setPlaceholderText("Select a thought to read the prompt and the answer.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.text)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        self.thoughts: tuple[ThoughtView, ...] = ()
        self.list.currentItemChanged.connect(lambda _c, _p: self._show_selected())

    def make_query(self) -> Command:
        return QueryThoughts(agent=self.agent, limit=LIMIT)

    def wants_refresh(self) -> bool:
        return self.list.verticalScrollBar().value() == 0

    def clear(self) -> None:
        self.thoughts = ()
        self.list.clear()
        self.text.clear()
        self.count.setText("Asking…")

    def show_refusal(self, reason: str) -> None:
        self.count.setText(f"Could not look: {reason}")

    def show_answer(self, event: Event) -> None:
        assert isinstance(event, ThoughtsResult)
        n = len(event.thoughts)
        name = self.feed.first_name(event.agent)
        # Said on every answer, even an unchanged one: the first answer of "no thoughts" equals the empty start.
        self.count.setText(f"{n}{'+' if n >= LIMIT else ''} thought{'s' * (n != 1)}, newest first"
                           if n else f"{name} has not thought with the model yet (the rule brain needs no prompts).")
        if event.thoughts == self.thoughts and self.list.count() == n:
            return
        current = self.list.currentItem()
        keep = thought_key(current.data(THOUGHT_ROLE)) if current is not None else None
        self.thoughts = event.thoughts
        self.list.blockSignals(True)
        self.list.clear()
        for thought in event.thoughts:
            self.list.addItem(self._item(thought))
            if keep is not None and thought_key(thought) == keep:
                self.list.setCurrentRow(self.list.count() - 1)
        self.list.blockSignals(False)
        self._show_selected()

    def _item(self, t: ThoughtView) -> QListWidgetItem:
        tokens = f"{t.prompt_tokens:,} + {t.completion_tokens:,} tokens"
        head = f"{self.feed.when(t.tick)}   {t.kind}   · {t.status}"
        tail = f"{tokens} · {latency(t.latency_ms)} · {t.backend or '—'}"
        if t.error:
            tail += f"\n{t.error}"
        item = QListWidgetItem(f"{head}\n{tail}")
        item.setData(THOUGHT_ROLE, t)
        item.setToolTip(t.error or f"{t.kind}: {tokens}, {latency(t.latency_ms)}, answered by {t.backend}")
        if t.status == "failed" or t.error:
            item.setForeground(QColor(FAILED))
        return item

    def selected(self) -> ThoughtView | None:
        item = self.list.currentItem()
        return item.data(THOUGHT_ROLE) if item is not None else None

    def _show_selected(self) -> None:
        t = self.selected()
        if t is None:
            self.text.clear()
            return
        lines = [
            f"{t.kind} · {t.status} · {self.feed.when(t.tick)}",
            f"backend: {t.backend or '—'} · {t.prompt_tokens:,} prompt + {t.completion_tokens:,} answer tokens"
            f" · {latency(t.latency_ms)}",
        ]
        if t.error:
            lines.append(f"error: {t.error}")
        lines += ["", "──── prompt ────", t.prompt, "", "──── answer ────", pretty(t.response) or "(no answer)"]
        self.text.setPlainText("\n".join(lines))
