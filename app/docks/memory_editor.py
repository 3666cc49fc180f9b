"""An in-place form under the memories table: write a new memory, or change the selected one.

It keeps its own copy of the memory being edited, so the table refreshing
underneath (every few seconds while time runs) never disturbs the typing.
Save builds ``AddMemory`` or an ``EditMemory`` with only what changed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.contracts import MemoryView
from engine.contracts.edits import AddMemory, Edit, EditMemory

DEFAULT_IMPORTANCE = 5


class MemoryEditor(QWidget):
    """Emits ``save_requested(edit)`` (``AddMemory``/``EditMemory``) or ``cancelled``."""

    save_requested = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("memoryEditor")
        self.agent = -1
        self.memory: MemoryView | None = None  # None: writing a new memory
        self._importance = DEFAULT_IMPORTANCE
        self.title = QLabel()
        self.title.setStyleSheet("font-weight:bold")
        self.text = QPlainTextEdit()
        self.text.setObjectName("memoryEditText")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("In their words: “I saw a fox behind the bakery this morning.”")
        self.importance = QSpinBox()
        self.importance.setObjectName("memoryEditImportance")
        self.importance.setRange(1, 10)
        self.importance.setToolTip("1: mundane … 10: unforgettable. Important memories come back to mind first.")
        self.pinned = QCheckBox("Pinned")
        self.pinned.setObjectName("memoryEditPinned")
        self.pinned.setToolTip("A core memory: time never fades it")
        row = QHBoxLayout()
        row.addWidget(QLabel("Importance"))
        row.addWidget(self.importance)
        row.addSpacing(12)
        row.addWidget(self.pinned)
        row.addStretch(1)
        buttons = QDialogButtonBox()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("memoryEditSave")
        self.save_button.setDefault(True)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.cancelled.emit)
        self.text.textChanged.connect(self._update_save)
        self.problem = QLabel()  # why the engine refused the last Save (what was typed stays)
        self.problem.setObjectName("memoryEditProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#b03a2e")
        self.problem.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.cancelled.emit)

    def start_new(self, agent: int, first_name: str) -> None:
        self.agent, self.memory = agent, None
        self.title.setText(f"A new memory for {first_name}")
        self.text.clear()
        self._importance = DEFAULT_IMPORTANCE
        self.importance.setValue(DEFAULT_IMPORTANCE)
        self.pinned.setChecked(False)
        self.pinned.setEnabled(True)
        self._begin()

    def start_edit(self, agent: int, memory: MemoryView) -> None:
        self.agent, self.memory = agent, memory
        self.title.setText(f"Change this {memory.kind}")
        self.text.setPlainText(memory.text)
        self._importance = max(1, min(10, round(memory.importance)))
        self.importance.setValue(self._importance)
        self.pinned.setChecked(memory.pinned)
        self._begin()

    def refused(self, reason: str) -> None:
        """The engine said no: keep the words, say why, let them try again."""
        self.problem.setText(f"Not saved: {reason}")
        self.problem.setVisible(True)
        self._update_save()

    def _begin(self) -> None:
        self.problem.setVisible(False)
        self._update_save()
        self.text.setFocus()
        self.text.moveCursor(self.text.textCursor().MoveOperation.End)

    def _update_save(self) -> None:
        self.save_button.setEnabled(bool(self.text.toPlainText().strip()))

    def edit(self) -> Edit | None:
        """What Save sends; None when editing and nothing changed."""
        text = self.text.toPlainText().strip()
        if self.memory is None:
            return AddMemory(agent=self.agent, text=text, importance=float(self.importance.value()),
                             pinned=self.pinned.isChecked())
        m = self.memory
        changed_text = text if text != m.text else None
        # Compared with the spin box's starting value: an importance of 4.5 shown as 4 is not a change.
        importance = float(self.importance.value()) if self.importance.value() != self._importance else None
        pinned = self.pinned.isChecked() if self.pinned.isChecked() != m.pinned else None
        if changed_text is None and importance is None and pinned is None:
            return None
        return EditMemory(memory_id=m.id, text=changed_text, importance=importance, pinned=pinned)

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        edit = self.edit()
        if edit is None:
            self.cancelled.emit()
        else:
            self.save_requested.emit(edit)
