"""File > Import Tiled map… and File > Export terrain to Tiled….

Importing makes a new, unsaved town on the loader's worker thread (Save then
asks where to). Exporting is done by the engine thread (``ExportTiled``), the
only thread that may read the running world; its answer comes back as
``CommandApplied`` or ``CommandRejected``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from app.files.user_paths import worlds_dir
from engine.contracts import CommandApplied, CommandRejected, ExportTiled

if TYPE_CHECKING:
    from app.shell.controller import Controller

TILED_FILTER = "Tiled maps (*.tmj *.tmx *.json);;All files (*)"
EXPORT_FILTER = "Tiled JSON maps (*.tmj);;All files (*)"


class TiledFiles(QObject):
    def __init__(self, controller: Controller):
        super().__init__(controller)
        self.controller = controller
        self._exports: dict[int, str] = {}  # command id -> path being written
        controller.bridge.command_answered.connect(self._on_answer)

    def import_dialog(self) -> None:
        start = worlds_dir() if worlds_dir().is_dir() else Path.home()
        path, _ = QFileDialog.getOpenFileName(self.controller.window, "Import a Tiled map", str(start), TILED_FILTER)
        if path:
            self.import_map(path)

    def import_map(self, path: str | Path) -> None:
        """Open the map as a new, unsaved world (the loader reports failures as usual)."""
        self.controller.loader.import_tiled(path, self.controller.thinking.handle_options())

    def export_dialog(self) -> None:
        controller = self.controller
        if not controller.bridge.attached:
            return
        folder = controller.path.parent if controller.path is not None else worlds_dir()
        start = folder / f"{controller.world_name or 'town'}.tmj"
        path, _ = QFileDialog.getSaveFileName(controller.window, "Export the terrain to Tiled", str(start),
                                              EXPORT_FILTER)
        if path:
            self.export_map(path)

    def export_map(self, path: str | Path) -> int | None:
        target = Path(path)
        if target.suffix.lower() not in (".tmj", ".json"):
            target = target.with_suffix(".tmj")
        if not self.controller.bridge.attached:
            return None
        command_id = self.controller.bridge.send(ExportTiled(path=str(target)))
        self._exports[command_id] = str(target)
        self.controller.window.statusBar().showMessage(f"Exporting the map to {target.name}…", 5000)
        return command_id

    def _on_answer(self, answer: CommandApplied | CommandRejected) -> None:
        path = self._exports.pop(answer.command_id, None)
        if path is None:
            return
        if isinstance(answer, CommandRejected):
            self.controller._error("Could not export the map", f"{path}: {answer.reason}")
        else:
            tileset = Path(path).with_suffix(".terrain.png").name
            self.controller.window.statusBar().showMessage(
                f"Exported the map to {Path(path).name} (tileset image {tileset} beside it)", 10000)
