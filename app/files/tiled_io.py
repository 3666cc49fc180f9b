"""File > Import Tiled map… and File > Export terrain to Tiled….

Importing makes a new, unsaved town on the loader's worker thread (Save then
asks where to). Exporting is done by the engine thread (``ExportTiled``), the
only thread that may read the running world; its answer comes back as
``CommandApplied`` or ``CommandRejected``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow

from app.common.bridge import EngineBridge
from app.files.user_paths import worlds_dir
from engine.contracts import CommandApplied, CommandRejected, ExportTiled

TILED_FILTER = "Tiled maps (*.tmj *.tmx *.json);;All files (*)"
EXPORT_FILTER = "Tiled JSON maps (*.tmj);;All files (*)"


class TiledFiles(QObject):
    def __init__(self, window: QMainWindow, bridge: EngineBridge, *, import_world: Callable[[str | Path], None],
                 open_world: Callable[[], tuple[Path | None, str]], report_error: Callable[[str, str], None],
                 parent: QObject | None = None):
        """``import_world(path)`` loads a map as a new world; ``open_world()`` is the open world's file
        (None if unsaved) and name; ``report_error(title, message)`` tells the user what failed."""
        super().__init__(parent)
        self.window, self.bridge = window, bridge
        self._import_world, self._open_world, self._report_error = import_world, open_world, report_error
        self._exports: dict[int, str] = {}  # command id -> path being written
        bridge.command_answered.connect(self._on_answer)

    def import_dialog(self) -> None:
        start = worlds_dir() if worlds_dir().is_dir() else Path.home()
        path, _ = QFileDialog.getOpenFileName(self.window, "Import a Tiled map", str(start), TILED_FILTER)
        if path:
            self.import_map(path)

    def import_map(self, path: str | Path) -> None:
        """Open the map as a new, unsaved world (the loader reports failures as usual)."""
        self._import_world(path)

    def export_dialog(self) -> None:
        if not self.bridge.attached:
            return
        open_path, world_name = self._open_world()
        folder = open_path.parent if open_path is not None else worlds_dir()
        start = folder / f"{world_name or 'town'}.tmj"
        path, _ = QFileDialog.getSaveFileName(self.window, "Export the terrain to Tiled", str(start),
                                              EXPORT_FILTER)
        if path:
            self.export_map(path)

    def export_map(self, path: str | Path) -> int | None:
        target = Path(path)
        if target.suffix.lower() not in (".tmj", ".json"):
            target = target.with_suffix(".tmj")
        if not self.bridge.attached:
            return None
        command_id = self.bridge.send(ExportTiled(path=str(target)))
        self._exports[command_id] = str(target)
        self.window.statusBar().showMessage(f"Exporting the map to {target.name}…", 5000)
        return command_id

    def _on_answer(self, answer: CommandApplied | CommandRejected) -> None:
        path = self._exports.pop(answer.command_id, None)
        if path is None:
            return
        if isinstance(answer, CommandRejected):
            self._report_error("Could not export the map", f"{path}: {answer.reason}")
        else:
            tileset = Path(path).with_suffix(".terrain.png").name
            self.window.statusBar().showMessage(
                f"Exported the map to {Path(path).name} (tileset image {tileset} beside it)", 10000)
