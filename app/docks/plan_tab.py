"""Plan tab: the person's day as they planned it — broad strokes, hour by hour, and this hour's steps.

Generative Agents plan top-down (Park et al. 2023): a day in a few strokes, each
stroke cut into hours, the current hour into short actions. The three grains are
shown in that order with places named from the map; the step under way is
highlighted. Asked again whenever they make a new plan (``PlanMade``), when the
tab is shown, and every few seconds while shown (the current step moves on).
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.common import formatting as fmt
from app.docks.mind_feed import ACCENT, CREAM, MUTED, MindFeed, QueryTab, set_html_keeping_scroll
from engine.contracts import Command, Event, MindReport, PlanStepView, QueryMind

GRAINS = (("strokes", "Today in broad strokes"), ("hours", "Hour by hour"))


class PlanTab(QueryTab):
    title = "Plan"
    auto_refresh = True

    def __init__(self, feed: MindFeed, parent: QWidget | None = None):
        super().__init__(feed, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.doing = QLabel("—")
        self.doing.setObjectName("planDoing")
        self.doing.setWordWrap(True)
        self.doing.setStyleSheet("font-style:italic;font-size:13px")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color:{MUTED}")
        self.view = QTextBrowser()
        self.view.setObjectName("planView")
        self.view.setOpenLinks(False)
        self.view.setStyleSheet("QTextBrowser{background:#fbf8f0;border:1px solid #d8cfb8;border-radius:4px}")
        layout.addWidget(self.doing)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.report: MindReport | None = None

    def make_query(self) -> Command:
        return QueryMind(agent=self.agent)

    def clear(self) -> None:
        self.report = None
        self.doing.setText("—")
        self.summary.clear()
        set_html_keeping_scroll(self.view, f"<p style='color:{MUTED}'>Asking…</p>")

    def show_refusal(self, reason: str) -> None:
        set_html_keeping_scroll(self.view, f"<p style='color:{MUTED}'>No plan: {html.escape(reason)}</p>")

    def show_answer(self, event: Event) -> None:
        assert isinstance(event, MindReport)
        self.report = event
        name = self.feed.first_name(event.agent)
        if not event.has_mind:
            self.doing.setText(f"{name} lives on the rule brain for now.")
            self.summary.setText("Only some people can think at once; watching someone gives them a mind.")
            if event.strokes:  # the rule brain's plan for the day
                set_html_keeping_scroll(self.view, self._html(event))
            else:
                set_html_keeping_scroll(self.view, f"<p style='color:{MUTED}'>No plan yet.</p>")
            return
        self.doing.setText(f"{name} is doing: {event.doing}" if event.doing else f"{name} is following the routine.")
        self.summary.setText(f"Reflected {event.reflections} time{'s' * (event.reflections != 1)} · "
                             f"{event.importance_since_reflection:g} importance gathered since the last reflection")
        set_html_keeping_scroll(self.view, self._html(event))

    def _html(self, report: MindReport) -> str:
        snap = self.feed.snapshot
        hour = snap.minute_of_day // 60 if snap is not None else -1
        parts = []
        for key, heading in GRAINS:
            steps: tuple[PlanStepView, ...] = getattr(report, key)
            parts.append(self._section(heading, sorted(steps, key=lambda s: s.when), hour))
        actions_heading = "This hour, step by step"
        if report.actions_hour >= 0:
            actions_heading += f" (from {fmt.clock(report.actions_hour * 60)})"
        parts.append(self._actions(actions_heading, report.actions))
        return "".join(parts)

    def _current(self, steps: list[PlanStepView], hour: int) -> int:
        """Index of the step under way: the last one starting at or before this hour."""
        current = -1
        for i, step in enumerate(steps):
            if step.when <= hour:
                current = i
        return current

    def _row(self, when: str, step: PlanStepView, now: bool) -> str:
        doing = fmt.activity_verb(step.activity)
        doing = doing[:1].upper() + doing[1:]
        where = self.feed.place(step.place) if step.place >= 0 else ""
        what = f"{doing} <span style='color:{MUTED}'>·</span> {html.escape(where)}" if where else doing
        colour = f" bgcolor='{CREAM}'" if now else ""
        marker = f"<b style='color:{ACCENT}'>▶ now</b> " if now else ""
        note = f"<br><span style='color:{MUTED}'>{html.escape(step.note)}</span>" if step.note else ""
        return (f"<tr{colour}><td width='56' valign='top'><b>{when}</b></td>"
                f"<td valign='top'>{marker}{what}{note}</td></tr>")

    def _section(self, heading: str, steps: list[PlanStepView], hour: int) -> str:
        head = f"<h4 style='margin:8px 0 2px 0'>{heading}</h4>"
        if not steps:
            return head + f"<p style='color:{MUTED}'>Not planned yet.</p>"
        current = self._current(steps, hour)
        rows = "".join(self._row(fmt.clock(s.when * 60), s, i == current) for i, s in enumerate(steps))
        return head + f"<table width='100%' cellpadding='3' cellspacing='0'>{rows}</table>"

    def _actions(self, heading: str, steps: tuple[PlanStepView, ...]) -> str:
        head = f"<h4 style='margin:8px 0 2px 0'>{heading}</h4>"
        if not steps:
            return head + f"<p style='color:{MUTED}'>Nothing broken down for this hour.</p>"
        rows = "".join(self._row(f"{s.when} min", s, i == 0) for i, s in enumerate(steps))
        return head + f"<table width='100%' cellpadding='3' cellspacing='0'>{rows}</table>"
