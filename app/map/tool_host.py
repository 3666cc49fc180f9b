"""What the Select tool may use of the map tools that own it.

A protocol rather than ``MapTools`` itself: ``app.map.tools`` builds the Select tool, so the
Select tool cannot import it back without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QPointF, SignalInstance

from engine.contracts.edits import Edit

if TYPE_CHECKING:
    from app.map.scene import Scene
    from app.map.view import MapView

Members = tuple[tuple[str, int], ...]  # (kind, index) of each selected person or building


class ToolHost(Protocol):
    send: Callable[[Edit], object]  # one edit, one undo step
    send_group: Callable[[str, Sequence[Edit]], object]  # (label, edits): one undo step for them all

    @property
    def scene(self) -> Scene: ...

    @property
    def view(self) -> MapView: ...

    @property
    def message(self) -> SignalInstance: ...  # a line for the status bar

    def group(self) -> Members: ...

    def set_group(self, members: Members) -> None: ...

    def tile_at(self, pos: QPointF) -> tuple[int, int] | None: ...

    def tile_rect(self, x: int, y: int, w: int = 1, h: int = 1, rgba: tuple = ...) -> tuple: ...

    def show_ghosts(self, ghosts: list) -> None: ...

    def end_gesture(self) -> None: ...
