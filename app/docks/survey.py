"""Survey dock: a question to one person, a sample or everyone of a world file; the answers as a table.

It asks the world as its file holds it (the open world's file by default, as last saved,
or any other, e.g. a run of an experiment), off the GUI thread, through ``api.ask_world``:
a mind answers on the model when thinking is on, a rule-brain person from their state.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.common.background import Background
from engine import api

WHO = ("Everyone", "A sample of", "These people")
COLUMNS = ("person", "score", "answer", "how")


class SurveyDock(QWidget):
    def __init__(self, world_path: Callable[[], Path | None], llm: Callable[[], api.LLMConfig] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("surveyDock")
        self._world_path = world_path
        self._llm = llm or (lambda: api.LLMConfig())
        self.answers: list[api.Answer] = []
        self.job = 0
        self.work = Background(self)
        self.work.finished.connect(self._on_finished)

        self.world = QLineEdit()
        self.world.setPlaceholderText("the open world's file")
        self.browse = QPushButton("…")
        self.browse.setToolTip("Pick a world file to survey (an experiment's run, for instance)")
        self.browse.setMaximumWidth(40)
        self.question = QLineEdit()
        self.question.setPlaceholderText("How happy are you with life in town?")
        self.who = QComboBox()
        self.who.addItems(WHO)
        self.who.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.who.setMinimumContentsLength(8)
        self.sample = QSpinBox()
        self.sample.setRange(1, 100_000)
        self.sample.setValue(10)
        self.names = QLineEdit()
        self.names.setPlaceholderText("names, separated by commas")
        self.scaled = QCheckBox("On a scale from")
        self.low = QSpinBox()
        self.low.setRange(0, 100)
        self.low.setValue(1)
        self.high = QSpinBox()
        self.high.setRange(1, 100)
        self.high.setValue(5)
        self.ask_button = QPushButton("Ask")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)

        world_row = QHBoxLayout()
        world_row.addWidget(self.world, 1)
        world_row.addWidget(self.browse)
        who_row = QHBoxLayout()
        scale_row = QHBoxLayout()
        for row, widgets in ((who_row, (self.who, self.sample, self.names)),
                             (scale_row, (self.scaled, self.low, QLabel("to"), self.high))):
            for widget in widgets:
                row.addWidget(widget)
        scale_row.addStretch(1)
        form = QFormLayout()
        form.addRow("World", world_row)
        form.addRow("Question", self.question)
        form.addRow("Ask", who_row)
        form.addRow("", scale_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.ask_button)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

        self.who.currentIndexChanged.connect(self._who_changed)
        self.browse.clicked.connect(self._browse)
        self.ask_button.clicked.connect(self.ask)
        self.question.returnPressed.connect(self.ask)
        self._who_changed()

    def _who_changed(self) -> None:
        self.sample.setVisible(self.who.currentIndex() == 1)
        self.names.setVisible(self.who.currentIndex() == 2)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "A world to survey", "", "Townsfolk worlds (*.town)")
        if path:
            self.world.setText(path)

    def target(self) -> Path | None:
        text = self.world.text().strip()
        return Path(text) if text else self._world_path()

    def ask(self) -> None:
        question = self.question.text().strip()
        path = self.target()
        if self.job:
            return
        if not question:
            self.status.setText("Type a question first")
            return
        if path is None:
            self.status.setText("The open world has no file yet: save it, or pick a world file")
            return
        index = self.who.currentIndex()
        who: Any = ("all", f"sample:{self.sample.value()}",
                    [n.strip() for n in self.names.text().split(",") if n.strip()])[index]
        scale = (self.low.value(), self.high.value()) if self.scaled.isChecked() else None
        llm = self._llm()

        def work(_report: Any) -> list[api.Answer]:
            return api.ask_world(api.open_world(path), path, question, who, scale, llm)

        self.job = self.work.start(work, name="townsfolk-survey")
        self.ask_button.setEnabled(False)
        self.status.setText(f"Asking in {path.name}…")

    def _on_finished(self, job: int, answers: object, error: str) -> None:
        if job != self.job:
            return
        self.job = 0
        self.ask_button.setEnabled(True)
        if error:
            self.status.setText(f"Could not ask: {error}")
            return
        assert isinstance(answers, list)
        self.show_answers(answers)

    def show_answers(self, answers: list[api.Answer]) -> None:
        self.answers = answers
        self.table.setRowCount(len(answers))
        for row, answer in enumerate(answers):
            score = "" if answer.score is None else str(answer.score)
            for column, text in enumerate((answer.name, score, answer.answer, answer.how)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        scores = [a.score for a in answers if a.score is not None]
        mean = f"; mean {sum(scores) / len(scores):.2f}" if scores else ""
        when = answers[0].sim_time if answers else ""
        self.status.setText(f"{len(answers)} answers at {when}{mean}")
