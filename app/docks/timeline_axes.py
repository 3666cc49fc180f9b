"""The timeline's axes: sim time along the bottom, and short numbers on the right.

The right axis is kept one fixed width (see ``RIGHT_AXIS_WIDTH`` in the timeline), so its numbers
must stay short whatever the curve: a city's GDP runs into the millions."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from app.common import formatting as fmt

SHORT_FROM = 10_000  # below this a number is written whole; from it on, in thousands or millions


class SimTimeAxis(pg.AxisItem):
    """Ticks on the x axis, written as sim time ("D2 14:00")."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.tick_seconds = 60
        self.start_minute = 6 * 60
        self.on_click: Any = None  # called with the clicked tick (the dock seeks there)

    def mouseClickEvent(self, event: Any) -> None:
        """Clicking on the time axis moves the playhead there, as in an editor's ruler."""
        view = self.linkedView()
        if self.on_click is None or view is None or event.button() != pg.QtCore.Qt.MouseButton.LeftButton:
            return super().mouseClickEvent(event)
        event.accept()
        self.on_click(round(view.mapSceneToView(event.scenePos()).x()))

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """The day only where it changes ("D1 09:20", "12:40", "16:00", "D2 00:00"): written on every
        tick, four ticks filled a docked timeline's width with no gap between them."""
        # The first label drawn names its day. pyqtgraph asks for ticks outside the range too, and drops
        # a label that would stick out past the axis's ends: half a label in from the left end, then.
        low, high = min(self.range), max(self.range)
        half_label = QFontMetricsF(self.style["tickFont"] or self.font()).horizontalAdvance("D1 00:00") / 2
        first_shown = low + (high - low) * half_label / max(self.width(), 1.0)
        out = []
        last_day = None
        for value in values:
            total = self.start_minute + int(value) * self.tick_seconds // 60
            day, clock = total // 1440 + 1, fmt.clock(total % 1440)
            out.append(clock if day == last_day else f"D{day} {clock}")
            if first_shown <= value <= high:
                last_day = day
        return out


UNITS = ((1e9, "G"), (1e6, "M"), (1e3, "k"))


def short_numbers(values: list[float], spacing: float) -> list[str]:
    """Tick labels of a few characters, in one unit for the whole axis: "500k", "1.0M", "1.5M" would
    mix units, so it is "0.5M", "1.0M", "1.5M". ``spacing`` is the step between ticks."""
    largest = max(abs(value) for value in values)
    size, suffix = next(((size, suffix) for size, suffix in UNITS if largest >= size), (1.0, ""))
    step = spacing / size
    digits = next((d for d in (0, 1, 2) if abs(round(step, d) - step) < 1e-9 * max(step, 1)), 2)
    return [f"{value / size:.{digits}f}{suffix}" for value in values]


class ShortNumberAxis(pg.AxisItem):
    """Numbers of 10,000 or more written in thousands or millions ("12k", "2.5M")."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if not values or max(abs(value) for value in values) * scale < SHORT_FROM:
            return super().tickStrings(values, scale, spacing)
        return short_numbers([value * scale for value in values], spacing * scale)
