"""The dialogs behind "Propose…", "Decree…" and "Start a rumour…": they only build edits.

Each policy is typed in its own unit (%, $/h, a time of day, $/day, minutes) and turned
into the engine's value by :mod:`app.docks.society_words`.
"""

from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTimeEdit,
    QWidget,
)

from app.docks.society_words import POLICY_UNITS, person_name, policy_label, to_engine
from engine.contracts import StaticWorld
from engine.contracts.edits import Propose, SeedFact, SetPolicy
from engine.contracts.society import POLICIES, CouncilView


class PolicyValueEditor(QStackedWidget):
    """A number with the policy's unit, or a time of day (with "no curfew") for the curfew."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.number = QDoubleSpinBox()
        self.addWidget(self.number)
        clock = QWidget()
        row = QHBoxLayout(clock)
        row.setContentsMargins(0, 0, 0, 0)
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.no_curfew = QCheckBox("no curfew")
        self.no_curfew.toggled.connect(lambda on: self.time.setEnabled(not on))
        row.addWidget(self.time)
        row.addWidget(self.no_curfew)
        self.addWidget(clock)
        self.policy = ""
        self.set_policy(POLICIES[0])

    def set_policy(self, policy: str) -> None:
        unit = POLICY_UNITS[policy]
        self.policy = policy
        if unit.clock:
            self.setCurrentIndex(1)
            self.time.setTime(QTime(int(unit.default) // 60, int(unit.default) % 60))
            self.no_curfew.setChecked(False)
            return
        self.setCurrentIndex(0)
        self.number.setDecimals(unit.decimals)
        self.number.setRange(unit.low, unit.high)
        self.number.setSingleStep(unit.step)
        self.number.setSuffix(unit.suffix)
        self.number.setValue(unit.default)

    def shown(self) -> float:
        """The number as typed, in the policy's unit (minutes of the day for the curfew, -1 for none)."""
        if POLICY_UNITS[self.policy].clock:
            if self.no_curfew.isChecked():
                return -1.0
            t = self.time.time()
            return float(t.hour() * 60 + t.minute())
        return self.number.value()

    def engine_value(self) -> float:
        return to_engine(self.policy, self.shown())


class PolicyDialog(QDialog):
    """Table a proposal (with a reason) or, as a decree, set a policy at once."""

    def __init__(self, static: StaticWorld, decree: bool = False, district: int = -1,
                 councils: tuple[CouncilView, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.decree = decree
        self.councils = {c.district: c for c in councils}
        self.setMinimumWidth(380)
        self.setWindowTitle("Decree a policy" if decree else "Propose a policy")
        self.setObjectName("decreeDialog" if decree else "proposeDialog")
        form = QFormLayout(self)
        self.district = QComboBox()
        for info in static.districts:
            self.district.addItem(info.name, info.id)
        self.district.setCurrentIndex(max(0, self.district.findData(district)))
        self.policy = QComboBox()
        for policy in POLICIES:
            self.policy.addItem(policy_label(policy), policy)
        self.value = PolicyValueEditor()
        self.policy.currentIndexChanged.connect(lambda _i: self.value.set_policy(self.policy.currentData()))
        self.now = QLabel()
        self.now.setStyleSheet("color:#55536b")
        for combo in (self.district, self.policy):
            combo.currentIndexChanged.connect(lambda _i: self._show_now())
        self._show_now()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why? (the council hears this, and so does the town)")
        form.addRow("District", self.district)
        form.addRow("Policy", self.policy)
        form.addRow("In force now", self.now)
        form.addRow("Value", self.value)
        if not decree:
            form.addRow("Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Decree" if decree else "Propose")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _show_now(self) -> None:
        council = self.councils.get(self.district.currentData())
        policy = self.policy.currentData()
        text = next((p.text for p in council.policies if p.name == policy), "") if council else ""
        self.now.setText(text or "—")

    def choose(self, district: int, policy: str, shown: float, reason: str = "") -> None:
        """Fill the form (what a user would type; tests drive the dialog through this)."""
        self.district.setCurrentIndex(max(0, self.district.findData(district)))
        self.policy.setCurrentIndex(max(0, self.policy.findData(policy)))
        if POLICY_UNITS[policy].clock:
            self.value.no_curfew.setChecked(shown < 0)
            if shown >= 0:
                self.value.time.setTime(QTime(int(shown) // 60, int(shown) % 60))
        else:
            self.value.number.setValue(shown)
        self.reason.setText(reason)

    def edit(self) -> Propose | SetPolicy:
        district, policy, value = int(self.district.currentData()), str(self.policy.currentData()), \
            self.value.engine_value()
        if self.decree:
            return SetPolicy(district=district, policy=policy, value=value)
        return Propose(district=district, policy=policy, value=value, reason=self.reason.text().strip())


class RumourDialog(QDialog):
    """Someone says something, and the town may pass it on."""

    def __init__(self, static: StaticWorld, speaker: int = -1, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Start a rumour")
        self.setObjectName("rumourDialog")
        form = QFormLayout(self)
        self.speaker = QComboBox()
        self.speaker.setEditable(True)
        self.speaker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for person in sorted((p for p in static.people if not p.removed), key=lambda p: p.name):
            self.speaker.addItem(person.name, person.id)
        self.speaker.setCurrentIndex(max(0, self.speaker.findData(speaker)))
        self.words = QPlainTextEdit()
        self.words.setPlaceholderText("I'm throwing a party at the cafe tomorrow at 5pm")
        self.words.setMaximumHeight(90)
        form.addRow("Who says it", self.speaker)
        form.addRow("The words", self.words)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Say it")
        self.ok.setEnabled(False)
        self.words.textChanged.connect(lambda: self.ok.setEnabled(bool(self.words.toPlainText().strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._static = static

    def speaker_name(self) -> str:
        return person_name(self._static, int(self.speaker.currentData()))

    def edit(self) -> SeedFact:
        return SeedFact(agent=int(self.speaker.currentData()), text=self.words.toPlainText().strip())
