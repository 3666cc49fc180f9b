"""Small dialogs: a new town from a template, and About."""

from __future__ import annotations

import importlib.metadata

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from engine import api

TEMPLATE_SIZES = {"village": 25, "city": 1000}


class NewWorldDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New town")
        form = QFormLayout(self)
        self.template = QComboBox()
        for name in api.TEMPLATES:
            self.template.addItem(name.capitalize(), name)
        self.agents = QSpinBox()
        self.agents.setRange(1, 20_000)
        self.agents.setValue(TEMPLATE_SIZES.get(api.TEMPLATES[0], 25))
        self.agents.setSuffix(" people")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed and size always make the same town")
        self.name = QLineEdit()
        self.name.setPlaceholderText("made up from the seed")
        form.addRow("Template", self.template)
        form.addRow("Size", self.agents)
        form.addRow("Seed", self.seed)
        form.addRow("Name", self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.template.currentIndexChanged.connect(
            lambda _i: self.agents.setValue(TEMPLATE_SIZES.get(self.template.currentData(), self.agents.value())))

    def values(self) -> tuple[str, int, int, str | None]:
        return self.template.currentData(), self.agents.value(), self.seed.value(), self.name.text().strip() or None


def about_text() -> str:
    try:
        version = importlib.metadata.version("townsfolk")
    except importlib.metadata.PackageNotFoundError:
        version = "(development)"
    return (f"<h3>Townsfolk {version}</h3>"
            "<p>A living little town of people you can watch, pause and nudge — fully offline.</p>"
            "<p>Pixel art CC0, made by the project. Code MIT.</p>")
