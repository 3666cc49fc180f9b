"""The inspector's "Edit…" form for a person: facts (sex included), goals, money and personality.

The form is filled once, when editing starts, and the 30 Hz snapshot refresh
never writes into it, so typing is never overwritten. Apply builds ONE
``EditPerson`` carrying only the fields that differ from what the form was
filled with (None for the rest); Revert puts the form back; Cancel closes it.
The form stays open until the engine has accepted the edit, so a refusal
(shown in the status bar by the undo history, and here) loses no typing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.common import formatting as fmt
from engine.contracts import PersonInfo, Sex
from engine.contracts.edits import EditPerson

MAX_DOLLARS = 10_000_000.0
TRAIT_STEPS = 100  # sliders run 0..100 for traits 0..1
ERROR_STYLE = "color:#8f2f3a"


def _cents(dollars: float) -> int:
    return round(dollars * 100)


class PersonEditor(QWidget):
    """Emits ``apply_requested(EditPerson)``; the inspector sends it and calls ``applied``/``refused``."""

    apply_requested = Signal(object)  # EditPerson
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("personEditor")
        self.agent = -1
        self._original: PersonInfo | None = None
        self._original_cents = 0
        self._original_goals = ""
        self._original_sliders: tuple[int, ...] = ()
        self.waiting = False  # an edit is on its way to the engine

        self.name = QLineEdit()
        self.name.setObjectName("editName")
        self.age = QSpinBox()
        self.age.setRange(0, 120)
        self.age.setSuffix(" years")
        self.sex = QComboBox()
        self.sex.setObjectName("editSex")
        for sex in Sex:
            self.sex.addItem(sex.value.capitalize(), sex.value)
        self.sex.setToolTip("Female, male or unspecified; their portrait follows it")
        self.occupation = QLineEdit()
        self.occupation.setObjectName("editOccupation")
        self.money = QDoubleSpinBox()
        self.money.setObjectName("editMoney")
        self.money.setPrefix("$ ")
        self.money.setDecimals(2)
        self.money.setRange(0.0, MAX_DOLLARS)
        self.money.setGroupSeparatorShown(True)
        self.money.setToolTip("What they have now. Time keeps running while you edit: "
                              "only a value you change is applied.")
        self.bio = QPlainTextEdit()
        self.bio.setObjectName("editBio")
        self.bio.setTabChangesFocus(True)
        self.bio.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.goals = QPlainTextEdit()
        self.goals.setObjectName("editGoals")
        self.goals.setTabChangesFocus(True)
        self.goals.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.goals.setPlaceholderText("What they are after, in their words")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Age", self.age)
        form.addRow("Sex", self.sex)
        form.addRow("Occupation", self.occupation)
        form.addRow("Money", self.money)
        form.addRow("Bio", self.bio)
        form.addRow("Goals", self.goals)

        traits = QGridLayout()
        self.sliders: list[QSlider] = []
        self.slider_values: list[QLabel] = []
        for row, label in enumerate(fmt.TRAITS):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"editTrait{row}")
            slider.setRange(0, TRAIT_STEPS)
            slider.setPageStep(10)
            value = QLabel()
            value.setMinimumWidth(self.fontMetrics().horizontalAdvance("1.00") + 4)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            slider.valueChanged.connect(lambda v, shown=value: shown.setText(f"{v / TRAIT_STEPS:.2f}"))
            traits.addWidget(QLabel(label), row, 0)
            traits.addWidget(slider, row, 1)
            traits.addWidget(value, row, 2)
            self.sliders.append(slider)
            self.slider_values.append(value)
        traits.setColumnStretch(1, 1)

        self.problem = QLabel()
        self.problem.setObjectName("editProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setVisible(False)
        buttons = QDialogButtonBox()
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("editApply")
        self.apply_button.setDefault(True)
        self.revert_button = buttons.addButton(QDialogButtonBox.StandardButton.Reset)
        self.revert_button.setText("Revert")
        self.revert_button.setToolTip("Put the form back as it was when you started editing")
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.apply_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(self.revert)
        self.cancel_button.clicked.connect(self.close_editor)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addLayout(form)
        heading = QLabel("Personality")
        heading.setStyleSheet("font-weight:bold;margin-top:6px")
        layout.addWidget(heading)
        layout.addLayout(traits)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

        for line in (self.name, self.occupation):
            line.returnPressed.connect(self.apply)
        self.name.textChanged.connect(self._update_buttons)  # an empty name cannot be applied
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_editor)

    # -- filling -----------------------------------------------------------------------------

    def load(self, info: PersonInfo, money_cents: int, goals: str) -> None:
        """Start editing ``info`` (money in cents; goals as far as known, "" if not)."""
        self.agent = info.id
        self._original = info
        self._original_cents = int(money_cents)
        self._original_goals = goals
        self._original_sliders = tuple(round(float(t) * TRAIT_STEPS) for t in info.traits)
        # Debt must show as it is (clamping it to $0 would read as a change and be applied).
        self.money.setMinimum(min(0.0, self._original_cents / 100))
        self.revert()

    def revert(self) -> None:
        info = self._original
        if info is None:
            return
        self.name.setText(info.name)
        self.age.setValue(info.age)
        self.sex.setCurrentIndex(max(0, self.sex.findData(str(info.sex))))
        self.occupation.setText(info.occupation)
        self.money.setValue(self._original_cents / 100)
        self.bio.setPlainText(info.bio)
        self.goals.setPlainText(self._original_goals)
        for slider, shown, value in zip(self.sliders, self.slider_values, self._original_sliders, strict=True):
            slider.setValue(value)
            shown.setText(f"{value / TRAIT_STEPS:.2f}")  # also when the value did not change
        self.waiting = False
        self.problem.setVisible(False)
        self._update_buttons()

    # -- what changed --------------------------------------------------------------------------

    def edit(self) -> EditPerson | None:
        """The edit the form describes: only the changed fields, or None when nothing changed."""
        info = self._original
        if info is None:
            return None
        changes: dict[str, Any] = {}  # EditPerson's field -> new value, each of its field's own type
        name, occupation = self.name.text().strip(), self.occupation.text().strip()
        if name != info.name:
            changes["name"] = name
        if self.age.value() != info.age:
            changes["age"] = self.age.value()
        if self.sex.currentData() != str(info.sex):
            changes["sex"] = self.sex.currentData()
        if occupation != info.occupation:
            changes["occupation"] = occupation
        bio = self.bio.toPlainText().strip()
        if bio != info.bio.strip():
            changes["bio"] = bio
        goals = self.goals.toPlainText().strip()
        if goals != self._original_goals.strip():
            changes["goals"] = goals
        cents = _cents(self.money.value())
        if cents != self._original_cents:
            changes["money"] = cents
        sliders = tuple(s.value() for s in self.sliders)
        if sliders != self._original_sliders:
            # Untouched sliders keep the exact value they had, not its rounding to the slider's steps.
            changes["traits"] = tuple(float(t) if now == before else now / TRAIT_STEPS for t, now, before
                                      in zip(info.traits, sliders, self._original_sliders, strict=True))
        return EditPerson(agent=info.id, **changes) if changes else None

    def _update_buttons(self) -> None:
        self.apply_button.setEnabled(not self.waiting and bool(self.name.text().strip()))

    # -- acting --------------------------------------------------------------------------------

    def apply(self) -> None:
        if not self.apply_button.isEnabled():
            return
        change = self.edit()
        if change is None:
            self.close_editor()  # nothing changed: Apply simply ends editing
            return
        self.waiting = True
        self.problem.setVisible(False)
        self._update_buttons()
        self.apply_requested.emit(change)

    def applied(self) -> None:
        """The engine took the edit."""
        self.waiting = False
        self.close_editor()

    def refused(self, reason: str) -> None:
        """The engine said no: keep the form as typed and say why."""
        self.waiting = False
        self.problem.setText(f"Not applied: {reason}")
        self.problem.setVisible(True)
        self._update_buttons()

    def close_editor(self) -> None:
        self.waiting = False
        self.closed.emit()
