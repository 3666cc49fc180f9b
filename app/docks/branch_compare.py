"""Compare dock: two branches of a world side by side, a metric over time and what differs at their heads.

Reads the world file (the open world's by default, as last saved) off the GUI thread through
``api.compare_branches``; the numbers come back as the CLI's `townsfolk compare --json` has them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.common.background import Background
from app.common.comparison import compare_lines
from engine import api


class BranchCompareDock(QWidget):
    def __init__(self, world_path: Callable[[], Path | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareDock")
        self._world_path = world_path
        self.report: dict[str, Any] | None = None
        self.job = 0
        self.work = Background(self)
        self.work.finished.connect(self._on_finished)

        self.load_button = QPushButton("Branches of the Open World")
        self.load_button.setToolTip("List the branches of the open world's file (as last saved)")
        self.branch_a = QComboBox()
        self.branch_b = QComboBox()
        self.compare_button = QPushButton("Compare")
        self.metric_box = QComboBox()
        for combo in (self.branch_a, self.branch_b, self.metric_box):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.plot = pg.PlotWidget(background="#fbf8f0")
        self.plot.setMinimumHeight(120)
        self.plot.addLegend(offset=(6, 2), labelTextColor="#241b2f")
        self.plot.setLabel("bottom", "sim hour")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))  # the numbers line up

        row = QHBoxLayout()
        for widget in (QLabel("A"), self.branch_a, QLabel("B"), self.branch_b, self.compare_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.load_button)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.metric_box)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.text, 1)

        self.load_button.clicked.connect(self.load_branches)
        self.compare_button.clicked.connect(self.compare)
        self.metric_box.currentTextChanged.connect(lambda _t: self.redraw())

    def load_branches(self) -> bool:
        path = self._world_path()
        if path is None:
            self.status.setText("The open world has no file yet: save it first")
            return False
        try:
            info = api.timeline_info(api.open_world(path))
        except (api.WorldFileError, ValueError, OSError) as exc:
            self.status.setText(str(exc))
            return False
        for combo in (self.branch_a, self.branch_b):
            combo.clear()
            for branch in info["branches"]:
                combo.addItem(f"{branch['id']} {branch['name']} (to tick {branch['head_tick']})", branch["id"])
        self.branch_b.setCurrentIndex(min(1, self.branch_b.count() - 1))
        self.status.setText(f"{len(info['branches'])} branches in {path.name}")
        return True

    def compare(self) -> None:
        path = self._world_path()
        a, b = self.branch_a.currentData(), self.branch_b.currentData()
        if path is None or a is None or b is None or self.job:
            return

        def work(_report: Any) -> dict[str, Any]:
            return api.compare_branches(path, str(a), str(b))

        self.job = self.work.start(work, name="townsfolk-compare")
        self.status.setText("Comparing…")

    def _on_finished(self, job: int, report: object, error: str) -> None:
        if job != self.job:
            return
        self.job = 0
        if error:
            self.status.setText(f"Could not compare: {error}")
            return
        assert isinstance(report, dict)
        self.show_report(report)

    def show_report(self, report: dict[str, Any]) -> None:
        self.report = report
        self.text.setPlainText("\n".join(compare_lines(report)))
        keep = self.metric_box.currentText()
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        self.metric_box.addItems(report["metrics"]["columns"][1:])
        self.metric_box.setCurrentText(keep if keep else "conversations")
        self.metric_box.blockSignals(False)
        self.status.setText("A and B at their heads")
        self.redraw()

    def redraw(self) -> None:
        self.plot.clear()
        if self.report is None or not self.metric_box.currentText():
            return
        columns = self.report["metrics"]["columns"]
        ticks_per_hour = 3600 / self.report["tick_seconds"]
        column = columns.index(self.metric_box.currentText())
        for side, colour in (("a", "#7d5ba6"), ("b", "#d35a4a")):
            samples = self.report["metrics"][side]
            hours = [s[0] / ticks_per_hour for s in samples]
            self.plot.plot(hours, [s[column] for s in samples], pen=pg.mkPen(colour, width=2), name=side.upper())
        self.plot.setLabel("left", self.metric_box.currentText())
